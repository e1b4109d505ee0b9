/**
 * @module Child process: the proxy as `npm start` wires it (buildProxyWithOutbox, the Node server, the request log on
 * stdout, i'mport over real HTTP, the outbox's timer), on a given ledger; PortOne V2 instead of i'mport when given a
 * fake PortOne's URL; merchant webhooks, the admin API and request mode (DATA_ENCRYPTION_KEY) on when asked. Three
 * variants for comparison: `bare`, a Hono route that answers a fixed refund view and does nothing else;
 * `tokenCache: 'off'`, an i'mport client that fetches a token per call; and `webhookStage`, merchant webhooks cut off
 * at one piece (webhook-stage.ts).
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono } from 'hono';
import { buildProxyWithOutbox, type ProxyConfig, type RuntimePieces } from '../../proxy/app.ts';
import { aesGcm, hmacSha256 } from '../../proxy/entries/node-crypto.ts';
import { nodeDrain } from '../../proxy/entries/node-drain.ts';
import { createNodeFetch } from '../../proxy/entries/node-fetch.ts';
import { scheduleOutbox } from '../../proxy/entries/outbox-timer.ts';
import { stdoutLog } from '../../proxy/entries/stdout-log.ts';
import { widgetFromFile } from '../../proxy/entries/widget-file.ts';
import { createIamportClient } from '../../proxy/gateways/iamport/client.ts';
import { iamportGatewayOf } from '../../proxy/gateways/iamport/gateway.ts';
import { toRefundView } from '../../proxy/refunds/view.ts';
import type { WidgetFile } from '../../proxy/routes/widget.ts';
import type { Store } from '../../proxy/store/store.ts';
import { banksFor } from '../../shared/banks.ts';
import { serveCommands } from './children.ts';
import { type LedgerTarget, openStore } from './ledger.ts';
import {
  GRANT_SECRET,
  IMP_KEY,
  IMP_SECRET,
  ledgerRecordOf,
  PORTONE_API_SECRET,
  PORTONE_WEBHOOK_SECRET,
  SHOP_ORIGIN,
} from './orders.ts';
import { stagedFetch, stagedStore, type WebhookStage } from './webhook-stage.ts';

/**
 * The gateway the proxy talks to, at a fake's URL: i'mport V1 (IMP_KEY, IMP_SECRET, IAMPORT_API_URL) or PortOne V2
 * (PORTONE_API_SECRET, PORTONE_WEBHOOK_SECRET, PORTONE_API_URL), as a deployment's environment would choose it.
 */
export type GatewayTarget =
  | { readonly iamportUrl: string; readonly portoneUrl?: never }
  | { readonly portoneUrl: string; readonly iamportUrl?: never };

export type ProxyProcessOptions =
  | (GatewayTarget & {
      readonly mode: 'proxy';
      readonly ledger: LedgerTarget;
      /** i'mport only. */
      readonly tokenCache?: 'on' | 'off';
      /** Origins besides SHOP_ORIGIN whose pages may call the proxy. */
      readonly allowedOrigins?: readonly string[];
      /** Serve this file as /refund-button.js. */
      readonly widgetFile?: string;
      /** Serve this file as /refund-desk.js. */
      readonly deskFile?: string;
      /** MERCHANT_WEBHOOK_URL and MERCHANT_WEBHOOK_SECRET; off unless given. */
      readonly merchantWebhooks?: { readonly urls: readonly string[]; readonly secret: string };
      /** How much of merchant webhooks runs (webhook-stage.ts); default full. */
      readonly webhookStage?: WebhookStage;
      /** ADMIN_API_KEYS (no per-key rate limit); the admin API is off unless given. */
      readonly adminKeys?: readonly string[];
      /** DATA_ENCRYPTION_KEY (base64 of 32 bytes): request mode is off unless given. */
      readonly dataKey?: string;
      /** Count and time the Store's method calls (command `storeCalls`): what one request asks of the ledger. */
      readonly countStoreCalls?: boolean;
    })
  | { readonly mode: 'bare' };

const options = JSON.parse(process.argv[2] ?? '{}') as ProxyProcessOptions; // written by startProxy() in the parent

/** Every read jumps an hour ahead, so the client's token cache finds each token due for refresh. */
const staleClock = (): (() => number) => {
  let skew = 0;
  return () => Date.now() + (skew += 3_600_000);
};

/** The default retry schedule (WEBHOOK_RETRY_SCHEDULE unset), in ms. */
const RETRY_DELAYS_MS = [5, 300, 1800, 7200, 18000, 36000, 36000].map((seconds) => seconds * 1000);

/** Store method calls since the last `storeCalls` command, by method. */
const storeCalls = new Map<string, number>();
/** The same calls' wall time, from the call to its promise settling, in ms, by method (calls at once overlap). */
const storeMs = new Map<string, number>();
/** The time with at least one Store call in flight, in ms: what requests waited on the ledger, overlaps counted once. */
const busy = { ms: 0, inFlight: 0, since: 0 };

/** The store, each method call counted in storeCalls and timed in storeMs (then passed on unchanged). */
const counted = (store: Store): Store =>
  new Proxy(store, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof value !== 'function' || typeof name !== 'string') return value;
      return (...args: unknown[]) => {
        storeCalls.set(name, (storeCalls.get(name) ?? 0) + 1);
        const started = performance.now();
        if (busy.inFlight++ === 0) busy.since = started;
        const timed = () => {
          const now = performance.now();
          storeMs.set(name, (storeMs.get(name) ?? 0) + now - started);
          if (--busy.inFlight === 0) busy.ms += now - busy.since;
        };
        const result: unknown = value.apply(target, args);
        if (result instanceof Promise) result.then(timed, timed);
        else timed();
        return result;
      };
    },
  });

/** The built files the proxy serves, each read once; a file not given answers as not built. */
const filesOf = (widget: string | undefined, desk: string | undefined) => {
  const none = async () => null;
  const files = {
    'refund-button.js': widget ? widgetFromFile(widget) : none,
    'refund-desk.js': desk ? widgetFromFile(desk) : none,
  };
  return (file: WidgetFile = 'refund-button.js') => files[file]();
};

/** POSTs to the merchant's URLs answered inside the process (webhook stage `no-http`). */
let webhooksAnswered = () => 0;

const build = async (): Promise<{ app: Hono; close: () => Promise<void> }> => {
  if (options.mode === 'bare') {
    // The same answer the proxy gives, computed once: what a route costs with no grant, ledger or validation.
    const record = ledgerRecordOf('bare', 0);
    const view = toRefundView(record, Date.now(), banksFor(record.pg_provider));
    return { app: new Hono().get('/payments/:merchant_uid', (c) => c.json(view)), close: async () => {} };
  }
  const opened = openStore(options.ledger);
  await opened.migrate();
  const stage = options.webhookStage ?? 'full';
  const store = stagedStore(options.countStoreCalls ? counted(opened) : opened, stage);
  const http = stagedFetch(createNodeFetch(), stage, options.merchantWebhooks?.urls ?? []);
  webhooksAnswered = http.answered;
  const timeoutMs = 15_000;
  // As config.ts reads the environment: V2's secret chosen, i'mport's keys are empty.
  const gatewayConfig: Pick<ProxyConfig, 'iamport' | 'portone'> =
    options.portoneUrl === undefined
      ? { iamport: { apiUrl: options.iamportUrl, apiKey: IMP_KEY, apiSecret: IMP_SECRET, timeoutMs } }
      : {
          iamport: { apiUrl: '', apiKey: '', apiSecret: '', timeoutMs },
          portone: {
            apiUrl: options.portoneUrl,
            apiSecret: PORTONE_API_SECRET,
            webhookSecret: PORTONE_WEBHOOK_SECRET,
            timeoutMs,
          },
        };
  const config: ProxyConfig = {
    ...gatewayConfig,
    grantSecret: GRANT_SECRET,
    allowedOrigins: [SHOP_ORIGIN, ...(options.allowedOrigins ?? [])],
    // On, as in production, but high enough that one benchmark client is never limited.
    rateLimit: { perIp: 1_000_000, perOrder: 1_000_000, webhookPerIp: 1_000_000 },
    ...(options.merchantWebhooks
      ? { merchantWebhooks: { ...options.merchantWebhooks, retryDelaysMs: RETRY_DELAYS_MS } }
      : {}),
    ...(options.adminKeys ? { admin: { keys: options.adminKeys, perKeyPerMinute: 0, generated: false } } : {}),
    ...(options.dataKey ? { dataKeys: { current: options.dataKey, previous: null } } : {}),
  };
  const pieces: RuntimePieces = {
    store,
    fetch: http.fetch,
    log: stdoutLog(),
    clientIp: (c) => getConnInfo(c).remote.address ?? null,
    // As proxy/entries/node.ts gives them: node:crypto's HMAC (webhook signatures) and AES-GCM (request accounts).
    hmacSha256,
    aesGcm,
    ...(options.widgetFile || options.deskFile ? { loadWidget: filesOf(options.widgetFile, options.deskFile) } : {}),
  };
  if (options.tokenCache === 'off' && options.iamportUrl === undefined) {
    throw new Error("tokenCache: 'off' is a variant of i'mport's client");
  }
  const gateway =
    options.tokenCache === 'off' && options.iamportUrl !== undefined
      ? iamportGatewayOf(
          createIamportClient({
            baseUrl: options.iamportUrl,
            apiKey: IMP_KEY,
            apiSecret: IMP_SECRET,
            fetch: createNodeFetch(),
            now: staleClock(),
          }),
        )
      : undefined;
  const { app, outbox } = buildProxyWithOutbox(config, { ...pieces, ...(gateway ? { gateway } : {}) });
  // Retries and a dead instance's events, as npm start runs them; the first delivery needs no timer.
  const deliveries = scheduleOutbox(outbox);
  return {
    app,
    close: async () => {
      await deliveries.stop();
      await store.close();
    },
  };
};

const { app, close } = await build();
// The Node server's options as proxy/entries/node.ts passes them (the drain of a body answered early).
const server = serve({ ...nodeDrain(app.fetch), port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
  // `cpu`: the process's CPU time so far (user + system, µs), so a part can tell what each request cost it.
  const cpu = () => {
    const used = process.cpuUsage();
    return used.user + used.system;
  };
  const takeStoreCalls = () => {
    const taken = { calls: Object.fromEntries(storeCalls), ms: Object.fromEntries(storeMs), busyMs: busy.ms };
    storeCalls.clear();
    storeMs.clear();
    busy.ms = 0;
    return taken;
  };
  // `profileStart` / `profileStop`: a CPU profile of just what runs between them (BENCH_PROFILE_DIR in a part), written
  // to the file `profileStop` names, for chrome://inspect or any .cpuprofile reader.
  // Connected on the first profileStart only: a run without profiles has no inspector session at all.
  let inspector: Session | null = null;
  const profileStart = async () => {
    if (!inspector) {
      inspector = new Session();
      inspector.connect();
      await inspector.post('Profiler.enable');
    }
    await inspector.post('Profiler.start');
  };
  const profileStop = async (file: string) => {
    if (!inspector) throw new Error('profileStop without profileStart');
    const { profile } = await inspector.post('Profiler.stop');
    mkdirSync(dirname(file), { recursive: true }); // BENCH_PROFILE_DIR need not exist yet
    writeFileSync(file, JSON.stringify(profile));
  };
  const commands = { cpu, storeCalls: takeStoreCalls, profileStart, profileStop, webhooksAnswered };
  serveCommands(`http://127.0.0.1:${info.port}`, commands, async () => {
    server.close();
    await close();
  });
});
