/** @module The Node entry point (`npm start`): reads the environment, opens the ledger, serves the proxy. */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { ConfigError, type Config, parseConfig } from '../config.ts';
import { composeApp } from '../compose.ts';
import { createPostgresStore } from '../store/postgres.ts';
import { createSqliteStore } from '../store/sqlite.ts';
import type { Store } from '../store/store.ts';
import { widgetFromFile } from './widget-file.ts';

const WIDGET_FILE = fileURLToPath(new URL('../../dist/refund-button.js', import.meta.url));

const openStore = (database: Config['database']): Store =>
  database.kind === 'postgres'
    ? createPostgresStore({ url: database.url })
    : createSqliteStore({ path: join(database.dataDir, 'ledger.sqlite') });

const clientIpOf = (trustProxy: boolean) => (c: Context): string | null => {
  if (trustProxy) {
    const forwarded = c.req.header('X-Forwarded-For')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    return null; // app.request() in tests has no socket
  }
};

const main = async (): Promise<void> => {
  let config: Config;
  try {
    config = parseConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`${error.message}\n\nSee README.md, "Configuration".`);
      process.exit(1);
    }
    throw error;
  }
  const store = openStore(config.database);
  await store.migrate();
  const app = composeApp({
    config,
    store,
    fetch: globalThis.fetch,
    clientIp: clientIpOf(config.trustProxy),
    loadWidget: widgetFromFile(WIDGET_FILE),
  });
  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
    const where = config.database.kind === 'postgres' ? 'PostgreSQL' : `SQLite in ${config.database.dataDir}`;
    console.log(`refund proxy listening on http://${info.address}:${info.port} (ledger: ${where}; i'mport: ${config.iamport.apiUrl})`);
  });
  const stop = (): void => {
    server.close(() => void store.close().finally(() => process.exit(0)));
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
};

await main();
