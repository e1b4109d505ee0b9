/**
 * @module createHarness(): a proxy wired exactly as in production (buildProxy) to the fake i'mport through an
 * in-process fetch and to a real SQLite ledger, with helpers to mint grants and call routes via app.request().
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context } from 'hono';
import { buildProxyWithOutbox } from '../app.ts';
import { type MintOptions, mintGrant } from '../auth/grant.ts';
import { closeWhenSettled, createBackground } from '../background.ts';
import type { Config } from '../config.ts';
import type { Gateway } from '../gateways/gateway.ts';
import { createFakeIamport, type FakeIamport } from '../gateways/iamport/fake/fake-iamport.ts';
import type { FakePortOne } from '../gateways/portone/fake/fake-portone.ts';
import { createPortOneGateway } from '../gateways/portone/gateway.ts';
import type { FetchLike } from '../net/fetch-like.ts';
import type { WidgetScript } from '../routes/widget.ts';
import { createSqliteStore } from '../store/sqlite.ts';
import type { Store } from '../store/store.ts';
import type { RetryWait } from '../webhook-forwarder.ts';

export const GRANT_SECRET = 'test-grant-secret-0123456789-abcdefghijkl';
export const IAMPORT_URL = 'http://iamport.test';
export const PORTONE_URL = 'http://portone.test';
/** The `whsec_` secret the harness's PortOne V2 gateway verifies webhooks with. */
export const PORTONE_WEBHOOK_SECRET = `whsec_${btoa('harness-portone-webhook-secret!!')}`;

/** A clock tests can move; real time unless set. */
export interface TestClock {
  now: () => number;
  set(ms: number): void;
  advance(ms: number): void;
}

export const createClock = (start?: number): TestClock => {
  let offset = start === undefined ? 0 : start - Date.now();
  return {
    now: () => Date.now() + offset,
    set: (ms) => {
      offset = ms - Date.now();
    },
    advance: (ms) => {
      offset += ms;
    },
  };
};

/**
 * A clock that moves only when the test moves it: for a figure asserted to the second (a grant's iat), which a clock
 * following real time gets wrong whenever a second boundary passes while the test runs.
 */
export const createStillClock = (start: number): TestClock => {
  let at = start;
  return {
    now: () => at,
    set: (ms) => {
      at = ms;
    },
    advance: (ms) => {
      at += ms;
    },
  };
};

export interface HarnessOptions {
  readonly clock?: TestClock;
  readonly fake?: FakeIamport;
  /** A ledger to share between harnesses (two proxy instances on one database). */
  readonly store?: Store;
  readonly allowedOrigins?: readonly string[];
  readonly timeoutMs?: number;
  readonly leaseWaitMs?: number;
  readonly rateLimit?: { readonly perIp: number; readonly perOrder: number; readonly webhookPerIp?: number };
  /** More of the configuration (PUBLIC_ORIGIN, MAX_GRANT_TTL, IAMPORT_WEBHOOK_IPS, HEALTH_DETAILS, the forward URL,
   * ADMIN_API_KEYS, ATTENTION_AFTER). */
  readonly config?: Partial<
    Pick<
      Config,
      | 'publicOrigin'
      | 'maxGrantTtlSeconds'
      | 'webhookIps'
      | 'healthDetails'
      | 'webhookForwardUrl'
      | 'admin'
      | 'merchantWebhooks'
      | 'attentionAfterSeconds'
      | 'staffPerSubPerMinute'
      | 'dataKeys'
      | 'holderCheck'
      // Another grant secret than GRANT_SECRET: grant() and the calls that mint with it then carry refused grants.
      | 'grantSecret'
      | 'previousGrantSecret'
    >
  >;
  /** IAMPORT_INICIS_PG_API_KEY: the harness sets one (the fake's payments are KG Inicis's); null leaves it unset. */
  readonly inicisPgApiKey?: string | null;
  /** What the proxy's HTTP reaches at any URL but the fake i'mport's (a webhook forward's target). */
  readonly outside?: FetchLike;
  /** How a webhook forward waits before its next try. */
  readonly retryWait?: RetryWait;
  /** The client IP the proxy sees for a request; 203.0.113.7 unless given. */
  readonly clientIp?: (c: Context) => string | null;
  readonly loadWidget?: () => Promise<WidgetScript | null>;
  /** A gateway of the test's own in place of i'mport V1 over the fake (proxy/gateways/seam.test.ts). */
  readonly gateway?: Gateway;
  /**
   * Runs the proxy on PortOne V2 over this fake (its in-process fetch, the harness's clock, PORTONE_WEBHOOK_SECRET)
   * instead of i'mport V1; the fake's payments are on a TEST channel, which this gateway is told to take.
   */
  readonly portone?: FakePortOne;
}

export interface CallOptions {
  readonly grant?: string | null;
  readonly key?: string;
  readonly origin?: string;
  readonly headers?: Record<string, string>;
}

/**
 * Merchant webhooks on, every POST answered 200 by `outside`: for tests that read what the outbox holds
 * (store.listOrderEvents), not how it is delivered.
 */
export const WEBHOOKS_ANSWERED: HarnessOptions = {
  outside: async () => new Response('ok'),
  config: {
    merchantWebhooks: {
      urls: ['https://merchant.example/hooks'],
      secret: `whsec_${btoa('s'.repeat(32))}`,
      retryDelaysMs: [1000],
    },
  },
};

/** A temporary SQLite file (so several Store instances can share it). */
export const tempSqlitePath = (): string => join(mkdtempSync(join(tmpdir(), 'refund-ledger-')), 'ledger.sqlite');

const portOneGatewayOver = (fake: FakePortOne, clock: TestClock, timeoutMs = 2000): Gateway =>
  createPortOneGateway({
    baseUrl: PORTONE_URL,
    apiSecret: fake.apiSecret,
    webhookSecret: PORTONE_WEBHOOK_SECRET,
    fetch: fake.fetch,
    now: clock.now,
    timeoutMs,
    testChannel: true,
  });

export const createHarness = async (options: HarnessOptions = {}) => {
  const clock = options.clock ?? createClock();
  const fake = options.fake ?? createFakeIamport({ now: clock.now });
  const store = options.store ?? createSqliteStore({ path: ':memory:' });
  await store.migrate();
  const logs: Record<string, unknown>[] = [];
  // Writes that follow an answer (a stored answer, a lease's release) run on after app.request() resolves, as in
  // production; settled() waits for them, and close() does before closing the ledger.
  const background = createBackground();
  const config = {
    iamport: {
      apiUrl: IAMPORT_URL,
      apiKey: 'test_imp_key',
      apiSecret: 'test_imp_secret',
      timeoutMs: options.timeoutMs ?? 2000,
      // The fake's payments are KG Inicis's unless a test says otherwise: its accounts are revoked with its key.
      ...(options.inicisPgApiKey === null ? {} : { inicisPgApiKey: options.inicisPgApiKey ?? 'test_inicis_pg_key' }),
    },
    grantSecret: GRANT_SECRET,
    allowedOrigins: options.allowedOrigins ?? ['https://shop.example'],
    rateLimit: { perIp: 0, perOrder: 0, webhookPerIp: 0, ...options.rateLimit },
    ...options.config,
  };
  const { outside } = options;
  const { app, outbox } = buildProxyWithOutbox(config, {
    store,
    fetch: outside
      ? (url, init) => (url.startsWith(`${IAMPORT_URL}/`) ? fake.fetch(url, init) : outside(url, init))
      : fake.fetch,
    ...(options.retryWait ? { retryWait: options.retryWait } : {}),
    now: clock.now,
    log: (line) => logs.push(line),
    clientIp: options.clientIp ?? (() => '203.0.113.7'),
    leaseWaitMs: options.leaseWaitMs ?? 5000,
    background,
    ...(options.loadWidget ? { loadWidget: options.loadWidget } : {}),
    ...(options.gateway ? { gateway: options.gateway } : {}),
    ...(options.portone ? { gateway: portOneGatewayOver(options.portone, clock, options.timeoutMs) } : {}),
  });

  // Minted at the harness's time: the proxy judges a grant's iat and exp on the same clock.
  const grant = (merchantUid: string, extra: Omit<MintOptions, 'merchantUid' | 'now'> = {}) =>
    mintGrant(GRANT_SECRET, { merchantUid, now: Math.floor(clock.now() / 1000), ...extra });

  const headersFor = async (merchantUid: string, call: CallOptions): Promise<Record<string, string>> => {
    const token = call.grant === undefined ? await grant(merchantUid) : call.grant;
    return {
      ...(token === null ? {} : { Authorization: `Bearer ${token}` }),
      ...(call.key ? { 'Idempotency-Key': call.key } : {}),
      ...(call.origin ? { Origin: call.origin } : {}),
      ...call.headers,
    };
  };

  /** GET /payments/:merchant_uid; returns the response and its parsed JSON. */
  const view = async (merchantUid: string, call: CallOptions = {}) => {
    const headers = await headersFor(merchantUid, call);
    const res = await app.request(`/payments/${encodeURIComponent(merchantUid)}`, { headers });
    // `any`: tests assert the body field by field.
    return { res, body: (await res.json()) as Record<string, any> };
  };

  /** POST /payments/cancel with a JSON body. */
  const cancel = async (body: Record<string, unknown>, call: CallOptions = {}) => {
    const merchantUid = typeof body.merchant_uid === 'string' ? body.merchant_uid : '';
    const res = await app.request('/payments/cancel', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(await headersFor(merchantUid, call)) },
      body: JSON.stringify(body),
    });
    return { res, body: (await res.json()) as Record<string, any> };
  };

  const settled = () => background.settled();
  const close = () => closeWhenSettled(background, store);
  return { app, outbox, fake, store, logs, clock, grant, view, cancel, settled, close };
};

export type Harness = Awaited<ReturnType<typeof createHarness>>;
