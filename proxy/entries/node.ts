/**
 * @module The Node entry point (`npm start`): reads the environment, opens the ledger, serves the proxy.
 * Without i'mport credentials (outside production) it runs the sandbox: a fake i'mport on loopback and a demo shop.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { closeWhenSettled, createBackground } from '../background.ts';
import { ConfigError, type Config, parseConfig } from '../config.ts';
import { composeApp } from '../compose.ts';
import { createSandbox } from '../sandbox/routes.ts';
import { createPostgresStore } from '../store/postgres.ts';
import { createSqliteStore } from '../store/sqlite.ts';
import type { Store } from '../store/store.ts';
import { clientIp } from './client-ip.ts';
import { type SandboxIamport, startSandboxIamport, wantsSandbox } from './sandbox-iamport.ts';
import { createNodeFetch } from './node-fetch.ts';
import { stdoutLog } from './stdout-log.ts';
import { widgetFromFile } from './widget-file.ts';

// The widget sits next to this file once bundled (dist/node.js), or in dist/ when run from source.
const WIDGET_FILE = [new URL('./refund-button.js', import.meta.url), new URL('../../dist/refund-button.js', import.meta.url)]
  .map((url) => fileURLToPath(url))
  .find((path) => existsSync(path)) ?? fileURLToPath(new URL('../../dist/refund-button.js', import.meta.url));

// The sandbox keeps its own ledger file so fake orders never mix with live ones.
const openStore = (database: Config['database'], sandbox: boolean): Store =>
  database.kind === 'postgres'
    ? createPostgresStore({ url: database.url })
    : createSqliteStore({ path: join(database.dataDir, sandbox ? 'sandbox.sqlite' : 'ledger.sqlite') });

const socketAddress = (c: Context): string | null => {
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    return null; // app.request() in tests has no socket
  }
};

const readConfig = (env: NodeJS.ProcessEnv | SandboxIamport['env']): Config => {
  try {
    return parseConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const production = env.NODE_ENV === 'production' ? "\nNODE_ENV=production: the sandbox is off, so i'mport credentials are required." : '';
    console.error(`${error.message}${production}\n\nSee README.md, "Configuration".`);
    process.exit(1);
  }
};

const main = async (): Promise<void> => {
  const sandbox = wantsSandbox(process.env) ? await startSandboxIamport(process.env) : null;
  const config = readConfig(sandbox ? sandbox.env : process.env);
  const store = openStore(config.database, sandbox !== null);
  await store.migrate();
  const iamportFetch = createNodeFetch();
  const background = createBackground();
  const app = composeApp({
    config,
    store,
    fetch: iamportFetch,
    clientIp: clientIp(config.trustProxyHops, socketAddress),
    loadWidget: widgetFromFile(WIDGET_FILE),
    log: stdoutLog(),
    background,
  });
  if (sandbox) app.route('/', createSandbox({ fake: sandbox.fake, grantSecret: config.grantSecret, now: Date.now }).routes);

  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
    const url = `http://${info.address.includes(':') ? `[${info.address}]` : info.address}:${info.port}`;
    const ledger = config.database.kind === 'postgres' ? 'PostgreSQL' : `SQLite in ${config.database.dataDir}`;
    console.log(`refund proxy listening on ${url} (ledger: ${ledger}; i'mport: ${config.iamport.apiUrl})`);
    if (sandbox) {
      console.log(
        `\nSANDBOX MODE: IMP_KEY and IMP_SECRET are not set, so a built-in fake i'mport answers on ${sandbox.served.url}.` +
          `\nNo real money moves. Open the demo shop: ${url}/\n`,
      );
    }
  });
  const stop = (): void => {
    iamportFetch.close();
    server.close(() => void Promise.all([closeWhenSettled(background, store), sandbox?.served.close()]).finally(() => process.exit(0)));
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
};

await main();
