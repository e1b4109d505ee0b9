/**
 * @module The Node entry point (`npm start`): hands process.env to the configuration, opens the ledger, serves the
 * proxy and keeps its housekeeping. With nothing live configured (and NODE_ENV not production) it runs the sandbox:
 * a fake gateway on loopback (i'mport V1's, or PortOne V2's with SANDBOX_GATEWAY=portone) and a demo shop, with a
 * grant secret and a ledger file of its own (config.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { buildProxyWithOutbox } from '../app.ts';
import { closeWhenSettled, createBackground } from '../background.ts';
import { type Config, ConfigError, type Env, LIVE_VARIABLES, parseConfig } from '../config.ts';
import type { ServedFake } from '../gateways/fake-kit/serve-node.ts';
import { consoleLog } from '../log-line.ts';
import { type DemoGateway, iamportDemo } from '../sandbox/demo-gateway.ts';
import { portoneDemo } from '../sandbox/portone-demo.ts';
import { createSandbox } from '../sandbox/routes.ts';
import { createPostgresStore } from '../store/postgres.ts';
import { createSqliteStore } from '../store/sqlite.ts';
import type { Store } from '../store/store.ts';
import { createRetryTimer } from '../webhook-forwarder.ts';
import { clientIp } from './client-ip.ts';
import { scheduleHousekeeping } from './housekeeping-timer.ts';
import { aesGcm, hmacSha256 } from './node-crypto.ts';
import { nodeDrain } from './node-drain.ts';
import { createNodeFetch } from './node-fetch.ts';
import { scheduleOutbox } from './outbox-timer.ts';
import { sandboxDataKey } from './sandbox-data-key.ts';
import { listenOrigins, startSandboxIamport } from './sandbox-iamport.ts';
import { startSandboxPortOne } from './sandbox-portone.ts';
import { type SandboxWebhookSetup, startSandboxWebhooks } from './sandbox-receiver.ts';
import { exitAfterGrace } from './shutdown-grace.ts';
import { databaseError, dataDirError, listenError, migratePostgres, StartUpError } from './start-up-error.ts';
import { stdoutLog } from './stdout-log.ts';
import { widgetFromFile } from './widget-file.ts';

// The widget and the staff console sit next to this file once bundled (dist/node.js), or in dist/ when run from source.
const builtFile = (name: string): string =>
  [new URL(`./${name}`, import.meta.url), new URL(`../../dist/${name}`, import.meta.url)]
    .map((url) => fileURLToPath(url))
    .find((path) => existsSync(path)) ?? fileURLToPath(new URL(`../../dist/${name}`, import.meta.url));
const WIDGET_FILES = {
  'refund-button.js': widgetFromFile(builtFile('refund-button.js')),
  'refund-desk.js': widgetFromFile(builtFile('refund-desk.js')),
};

// The sandbox keeps its own ledger file so fake orders never mix with live ones.
const openStore = (config: Config): Store =>
  config.database.kind === 'postgres'
    ? createPostgresStore({ url: config.database.url })
    : createSqliteStore({ path: join(config.database.dataDir, config.sandbox ? 'sandbox.sqlite' : 'ledger.sqlite') });

/** The ledger, opened and migrated, or a StartUpError naming DATA_DIR or DATABASE_URL. */
const openLedger = async (config: Config): Promise<Store> => {
  const { database } = config;
  if (database.kind === 'postgres') {
    let store: Store;
    try {
      store = openStore(config); // the driver reads the URL here: what it throws may quote it, password and all
    } catch (error) {
      throw databaseError(error, database.url);
    }
    await migratePostgres(store, database.url);
    return store;
  }
  try {
    const store = openStore(config);
    await store.migrate();
    return store;
  } catch (error) {
    throw dataDirError(error, database.dataDir);
  }
};

/** Stops start-up with one line naming the setting: no stack trace, no password. */
const stopOnStartUp = (error: unknown): never => {
  if (!(error instanceof StartUpError)) throw error;
  console.error(`Cannot start: ${error.message}`);
  process.exit(1);
};

const socketAddress = (c: Context): string | null => {
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    return null; // app.request() in tests has no socket
  }
};

/** Stops start-up with the configuration's own message; live mode says why the sandbox did not run. */
const stopOn = (error: unknown): never => {
  if (!(error instanceof ConfigError)) throw error;
  const live = error.sandbox
    ? ''
    : `\nLive mode: the sandbox runs only when none of ${LIVE_VARIABLES.join(', ')} is set and NODE_ENV is unset, ` +
      'development or test.';
  console.error(`${error.message}${live}\n\nSee README.md, "Configuration".`);
  process.exit(1);
};

interface Sandbox {
  readonly gateway: DemoGateway;
  /** Its label in the start-up lines. */
  readonly gatewayLabel: string;
  readonly served: ServedFake;
  readonly keptGeneration: string | null;
  readonly remember?: (generation: string) => void;
  /** Points the fake's webhooks at the proxy once it listens (PortOne V2's; the fake i'mport sends none). */
  readonly sendWebhooksTo?: (proxyOrigin: string) => void;
  readonly webhooks: SandboxWebhookSetup;
}

type SandboxGateway = Omit<Sandbox, 'webhooks'> & { readonly config: Config };

/** The fake gateway SANDBOX_GATEWAY chose (config.ts gives PortOne V2 its secrets when it is chosen), listening. */
const startSandboxGateway = async (config: Config): Promise<SandboxGateway> => {
  if (config.portone) {
    const { fake, ...portone } = await startSandboxPortOne({ ...config, portone: config.portone });
    return { ...portone, gateway: portoneDemo(fake), gatewayLabel: 'PortOne V2', keptGeneration: null };
  }
  const { fake, remember, ...iamport } = await startSandboxIamport(config);
  return { ...iamport, gateway: iamportDemo(fake), gatewayLabel: "i'mport", remember };
};

/**
 * The configuration, and in the sandbox its fake gateway and its webhook receiver, started once the configuration is
 * known to be good.
 */
const configure = async (env: Env): Promise<{ config: Config; sandbox: Sandbox | null }> => {
  let config: Config;
  try {
    config = parseConfig(env, 'Node');
  } catch (error) {
    return stopOn(error);
  }
  if (!config.sandbox) return { config, sandbox: null };
  // Unset, the sandbox's data key is kept in DATA_DIR, as its ledger is: sealed accounts outlive a restart.
  if (!env.DATA_ENCRYPTION_KEY && config.database.kind === 'sqlite') {
    const current = sandboxDataKey(config.database.dataDir);
    config = { ...config, dataKeys: { ...config.dataKeys, current } };
  }
  const gateway = await startSandboxGateway(config);
  const webhooks = await startSandboxWebhooks(gateway.config);
  return { config: webhooks.config, sandbox: { ...gateway, webhooks } };
};

const webhooksBanner = ({ webhooks, url }: SandboxWebhookSetup, config: Config): string => {
  const retries = (config.merchantWebhooks?.retryDelaysMs ?? []).map((ms) => `${ms / 1000} s`).join(', ');
  if (webhooks.kind === 'off') return '';
  return (
    (webhooks.kind === 'receiver'
      ? `Merchant webhooks go to the sandbox's own receiver (${url}), which verifies each signature with the ` +
        'standardwebhooks package; the demo shop lists what it got and can make it fail or answer slowly.\n'
      : 'Merchant webhooks go to MERCHANT_WEBHOOK_URL; the demo shop does not list them.\n') +
    `A failed delivery is retried after ${retries} (WEBHOOK_RETRY_SCHEDULE).\n`
  );
};

const sandboxBanner = (sandbox: Sandbox, url: string, config: Config) =>
  `\nSANDBOX MODE: nothing live is configured (IMP_KEY, IMP_SECRET, PORTONE_API_SECRET, REFUND_TOKEN_SECRET, ` +
  `DATABASE_URL), so a built-in fake ${sandbox.gatewayLabel} answers on ${sandbox.served.url}` +
  (sandbox.gateway.name === 'portone'
    ? ' (SANDBOX_GATEWAY=portone); its signed webhooks go to /webhooks/portone.\n'
    : ' (SANDBOX_GATEWAY=portone runs the fake PortOne V2 instead).\n') +
  `No real money moves. Open the demo shop: ${url}/\n` +
  `Its "refund after approval" orders ask first; staff decide on ${url}/sandbox/desk (README.md, "Request mode").\n` +
  (config.allowedOrigins.length > 0
    ? `Pages on ${config.allowedOrigins.join(', ')} may embed it (ALLOWED_ORIGINS).\n`
    : 'To embed it in a page on another origin, list that origin in ALLOWED_ORIGINS ' +
      '(README.md, "Embed it in your own page").\n') +
  // Made for this run only (a key of ADMIN_API_KEYS is never printed): try the admin API with curl.
  (config.admin.generated
    ? `Admin API key for this run: ${config.admin.keys[0]}\n  curl -H 'Authorization: Bearer ${config.admin.keys[0]}' ` +
      `${url}/admin/refunds   (README.md, "Admin API")\n`
    : '') +
  webhooksBanner(sandbox.webhooks, config);

const main = async (): Promise<void> => {
  const { config, sandbox } = await configure(process.env);
  // Written at once, not batched with the request log: a warning belongs before the line that says it listens.
  for (const warning of config.warnings) consoleLog({ level: 'warn', msg: warning });
  const log = stdoutLog();
  const store = await openLedger(config).catch(stopOnStartUp);
  const iamportFetch = createNodeFetch();
  const background = createBackground();
  const retries = createRetryTimer();
  // The sandbox learns its own origin from its listen address (its port may be chosen by the system).
  let listening: string[] = [];
  const { app, outbox } = buildProxyWithOutbox(config, {
    store,
    fetch: iamportFetch,
    clientIp: clientIp(config.trustProxyHops, socketAddress),
    loadWidget: (file = 'refund-button.js') => WIDGET_FILES[file](),
    log,
    background,
    retryWait: retries.wait,
    hmacSha256,
    aesGcm,
    ...(sandbox ? { ownOrigins: () => listening } : {}),
  });
  if (sandbox) {
    const { maxGrantTtlSeconds, grantSecret } = config;
    const { gateway, keptGeneration, remember: onChange, webhooks } = sandbox;
    // The demo shop's own page is where the proxy is reached: PUBLIC_ORIGIN too, as for the payment routes.
    const ownOrigins = () => (config.publicOrigin ? [config.publicOrigin, ...listening] : listening);
    const demo = createSandbox({
      gateway,
      grantSecret,
      now: Date.now,
      ownOrigins,
      maxGrantTtlSeconds,
      keptGeneration,
      ...(onChange ? { onChange } : {}),
      webhooks: webhooks.webhooks,
    });
    app.route('/', demo.routes);
  }

  let housekeeping: ReturnType<typeof scheduleHousekeeping> | null = null;
  let deliveries: ReturnType<typeof scheduleOutbox> | null = null;
  const server = serve({ ...nodeDrain(app.fetch), port: config.port, hostname: config.host }, (info) => {
    const url = `http://${info.address.includes(':') ? `[${info.address}]` : info.address}:${info.port}`;
    listening = listenOrigins(info.address, info.port);
    housekeeping = scheduleHousekeeping({ store, now: Date.now, log });
    deliveries = scheduleOutbox(outbox);
    const ledger = config.database.kind === 'postgres' ? 'PostgreSQL' : `SQLite in ${config.database.dataDir}`;
    const gateway = config.portone ? `PortOne V2: ${config.portone.apiUrl}` : `i'mport: ${config.iamport.apiUrl}`;
    console.log(`refund proxy listening on ${url} (ledger: ${ledger}; ${gateway})`);
    sandbox?.sendWebhooksTo?.(url);
    if (sandbox) console.log(sandboxBanner(sandbox, url, config));
  });
  // Only while it starts: a port in use or a HOST not on this machine is the operator's to fix, said in one line.
  const onListenError = (error: unknown): void => void stopOnStartUp(listenError(error, config));
  server.once('error', onListenError);
  server.once('listening', () => server.off('error', onListenError));
  const stop = (): void => {
    // Forwards waiting to try again give up now (each with its warn line) rather than hold shutdown.
    retries.stop();
    server.close(() => {
      const timersStopped = Promise.all([housekeeping?.stop(), deliveries?.stop()]);
      const ledgerClosed = timersStopped.then(() => closeWhenSettled(background, store));
      void Promise.all([ledgerClosed, sandbox?.served.close(), sandbox?.webhooks.close()]).finally(() => {
        // Last: a refund's cancel or an event's POST still running needs its connection. Closed first, it was cut
        // mid-call, and a refund i'mport was about to answer became an unknown outcome.
        iamportFetch.close();
        process.exit(0);
      });
    });
    exitAfterGrace(config, (code) => process.exit(code)).unref();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
};

await main();
