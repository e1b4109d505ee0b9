/**
 * @module The Node entry point (`npm start`): reads the environment, opens the ledger, serves the proxy.
 * With nothing live configured (and NODE_ENV not production) it runs the sandbox: a fake i'mport on loopback and a
 * demo shop, with a grant secret and a ledger file of its own (deploymentOf in config.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { closeWhenSettled, createBackground } from '../background.ts';
import { ConfigError, type Config, deploymentOf, type Env, parseConfig } from '../config.ts';
import { composeApp, formatLogLine } from '../compose.ts';
import { createSandbox } from '../sandbox/routes.ts';
import { createPostgresStore } from '../store/postgres.ts';
import { createSqliteStore } from '../store/sqlite.ts';
import type { Store } from '../store/store.ts';
import { clientIp } from './client-ip.ts';
import { listenOrigins, type SandboxIamport, startSandboxIamport } from './sandbox-iamport.ts';
import { nodeDrain } from './node-drain.ts';
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

/** Stops start-up with the configuration's own message; live mode says why the sandbox did not run. */
const stopOn = (error: unknown, sandbox: boolean): never => {
  if (!(error instanceof ConfigError)) throw error;
  const live = sandbox
    ? ''
    : '\nLive mode: the sandbox runs only when none of IMP_KEY, IMP_SECRET, REFUND_TOKEN_SECRET and DATABASE_URL is ' +
      'set and NODE_ENV is unset, development or test.';
  console.error(`${error.message}${live}\n\nSee README.md, "Configuration".`);
  process.exit(1);
};

const readConfig = async (env: Env): Promise<{ config: Config; sandbox: SandboxIamport | null }> => {
  const { sandbox: wantsSandbox } = deploymentOf(env);
  let sandbox: SandboxIamport | null = null;
  try {
    if (wantsSandbox) sandbox = await startSandboxIamport(env);
    return { config: parseConfig(sandbox ? sandbox.env : env, { sandbox: wantsSandbox }), sandbox };
  } catch (error) {
    await sandbox?.served.close();
    return stopOn(error, wantsSandbox);
  }
};

const main = async (): Promise<void> => {
  const { config, sandbox } = await readConfig(process.env);
  const log = stdoutLog();
  // Written at once, not batched with the request log: a warning belongs before the line that says it listens.
  for (const warning of config.warnings) console.log(formatLogLine({ level: 'warn', msg: warning }));
  const store = openStore(config.database, sandbox !== null);
  await store.migrate();
  const iamportFetch = createNodeFetch();
  const background = createBackground();
  // The sandbox learns its own origin from its listen address (its port may be chosen by the system).
  let listening: string[] = [];
  const app = composeApp({
    config,
    store,
    fetch: iamportFetch,
    clientIp: clientIp(config.trustProxyHops, socketAddress),
    loadWidget: widgetFromFile(WIDGET_FILE),
    log,
    background,
    ...(sandbox ? { ownOrigins: () => listening } : {}),
  });
  if (sandbox) {
    const { maxGrantTtlSeconds, grantSecret } = config;
    app.route('/', createSandbox({ fake: sandbox.fake, grantSecret, now: Date.now, ownOrigins: () => listening, maxGrantTtlSeconds }).routes);
  }

  const server = serve({ ...nodeDrain(app.fetch), port: config.port, hostname: config.host }, (info) => {
    const url = `http://${info.address.includes(':') ? `[${info.address}]` : info.address}:${info.port}`;
    listening = listenOrigins(info.address, info.port);
    const ledger = config.database.kind === 'postgres' ? 'PostgreSQL' : `SQLite in ${config.database.dataDir}`;
    console.log(`refund proxy listening on ${url} (ledger: ${ledger}; i'mport: ${config.iamport.apiUrl})`);
    if (sandbox) {
      console.log(
        `\nSANDBOX MODE: nothing live is configured (IMP_KEY, IMP_SECRET, REFUND_TOKEN_SECRET, DATABASE_URL), so a ` +
          `built-in fake i'mport answers on ${sandbox.served.url}.\nNo real money moves. Open the demo shop: ${url}/\n`,
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
