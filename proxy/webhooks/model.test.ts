// A model-based test of the merchant-webhook outbox (fast-check): refunds on a few orders (some at once, some refused
// by the PG, some whose answer was lost and settled later, a flood of them while the receiver is down, more than a
// pass's batch), cancels made in i'mport's console (learned from i'mport's webhook, again and again, a view, a
// refund's refusal or a last look), an unpaid virtual account revoked, refund requests on an order of their own (asked,
// withdrawn, approved or rejected by admin key or staff grant), a receiver that answers each delivery its own way
// (2xx, a redirect, 4xx, 5xx, too late, never, a reset connection, 2xx after reading slowly), the clock moved across
// the retry schedule, background passes, redeliveries (admin and staff routes), a secret rotation, MERCHANT_WEBHOOK_URL
// (one URL, two, none) and WEBHOOK_RETRY_SCHEDULE changed at a restart, the proxy stopped (or gone at once) and started
// again on the same ledger, a ledger call stalled while the clock runs its hold out and another pass claims the event,
// and on PostgreSQL (with DATABASE_URL) two instances sharing it. Once everything has settled, what the README and
// docs/RELIABILITY.md promise is checked against what the receiver saw: every event delivered or failed and told of
// (attention.needed, a warn line), one body per webhook-id and one webhook-id per fact (one event per refund, refusal,
// revocation, request move, console cancel however often learned), each type's data as the README lists it,
// signatures by the secrets in force, retries no earlier than the schedule and never to a URL that already answered
// 2xx, the per-order sequence, the admin API and /metrics agreeing with the receiver, no event sent twice at once to
// one URL, and no secret in an event, an admin answer or a log line. Each run POSTs with the Node entry's client or
// with the web fetch of Workers, Deno and Bun. FC_NUM_RUNS runs more; FC_SEED (and FC_PATH) replays a failure, FC_CASE
// runs a printed counterexample.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { createNodeFetch } from '../entries/node-fetch.ts';
import { portablePieces } from '../entries/portable.ts';
import { createFakeIamport } from '../gateways/iamport/fake/fake-iamport.ts';
import { BASE, json as iamportJson, issueToken } from '../gateways/iamport/fake/test-fixture.ts';
import type { FetchLike } from '../net/fetch-like.ts';
import { randomDataKey } from '../requests/account-crypto.ts';
import { createPostgresStore } from '../store/postgres.ts';
import { createSqliteStore } from '../store/sqlite.ts';
import type { Store } from '../store/store.ts';
import { createClock, createHarness, type Harness, tempSqlitePath } from '../test-support/harness.ts';
import { notifyOf } from '../test-support/iamport-side.ts';
import { tempSchema } from '../test-support/postgres-schema.ts';
import { requestCalls } from '../test-support/request-calls.ts';
import { newWebhookSecret } from '../test-support/webhook-stack.ts';
import { BEHAVIOURS, type Behaviour, type Seen, startModelReceiver } from './model-receiver.ts';

/**
 * The delivery timeout, drawn per run: 0.6 s, or 1.2 s, over the second after which a pass stuck on a POST lets new
 * events go out in passes beside it (dispatcher.ts).
 */
const TIMEOUTS_MS = [600, 1_200] as const;
/** WEBHOOK_RETRY_SCHEDULE: 5,60,600 (four rounds, then failed), or 2,30 after a restart that changed it. */
const SCHEDULES = [
  [5_000, 60_000, 600_000],
  [2_000, 30_000],
] as const;
/** MERCHANT_WEBHOOK_URL: the receiver's URL `a`, both, or `b`; or merchant webhooks off (neither variable set). */
const URL_SETS = [['a'], ['a', 'b'], ['b'], []] as const;
/** An order's lease (app.ts): how long one a crashed instance held blocks its order. */
const LEASE_TTL_MS = 6_000;
/** A hold: the timeout and 5 s (dispatcher.ts), at most. */
const HOLD_MS = Math.max(...TIMEOUTS_MS) + 5_000;
/**
 * Orders refunded by customers (MODEL-0…2); beside them MODEL-R, refunded only through refund requests, and MODEL-V, an
 * unpaid virtual account (revoked).
 */
const ORDERS = 3;
const REQUEST_ORDER = 'MODEL-R';
const VBANK_ORDER = 'MODEL-V';
const AMOUNT = 100_000;
const PART = 1_000;
/** A cancel made at i'mport behind the proxy (its console): another amount and other words than any refund of ours. */
const EXTERNAL = 700;
const CONSOLE_REASON = 'console (model)';
/** Refunds made while the receiver is down: more than one pass's batch (50, dispatcher.ts) falls due at once. */
const FLOOD = 57;
const KEY = 'model-admin-key-0123456789-abcdefghijklmnopqrstuv';
/** Who decided, as a request's `decided_by` records it: the admin key's id, or the staff grant's `sub`. */
const KEY_ID = `key:${createHash('sha256').update(KEY).digest('hex').slice(0, 8)}`;
const STAFF = 'kim';
/** Runs of each variant (FC_NUM_RUNS for both); the PostgreSQL one's slower (two instances), so fewer by default. */
const NUM_RUNS = Number(process.env.FC_NUM_RUNS ?? 15);
const PG_NUM_RUNS = Number(process.env.FC_NUM_RUNS ?? 8);

/** The ledger calls a stall can hold up: the reads before a POST, and the write of its round after it. */
const STALLABLE = ['claimDueEvents', 'deliveredUrls', 'finishRounds'] as const;
type Stallable = (typeof STALLABLE)[number];

type Action =
  | { readonly t: 'refund'; readonly inst: number; readonly order: number }
  | { readonly t: 'refuse'; readonly inst: number; readonly order: number }
  /** A refund i'mport made whose answer was lost: its outcome unknown until a look at the order settles it. */
  | { readonly t: 'unknown'; readonly inst: number; readonly order: number }
  /** Refunds at once, with background passes (order -1) among them. */
  | { readonly t: 'burst'; readonly refunds: readonly { readonly inst: number; readonly order: number }[] }
  | { readonly t: 'advance'; readonly ms: number }
  | { readonly t: 'pass'; readonly inst: number }
  /** A second of real time, nothing settled: a pass stuck on a POST is then slow enough for passes beside it. */
  | { readonly t: 'sleep' }
  | { readonly t: 'restart'; readonly inst: number }
  /** An admin redelivery, or a staff member's (POST /staff/events/:id/redeliver with a staff grant). */
  | { readonly t: 'redeliver'; readonly pick: number; readonly staff: boolean }
  /** A cancel made at i'mport, not through the proxy, then i'mport's webhook to the proxy `told` times (0: learned later). */
  | { readonly t: 'external'; readonly inst: number; readonly order: number; readonly told: number }
  /** i'mport's webhook for an order (any of them), again: a cancel already learned is told of no more. */
  | { readonly t: 'gwhook'; readonly inst: number; readonly order: number }
  /** The widget's view of an order (any of them): its first lookup at i'mport learns a console cancel too. */
  | { readonly t: 'view'; readonly inst: number; readonly order: number }
  /** The unpaid virtual account revoked (again: refused, nothing told). */
  | { readonly t: 'revoke'; readonly inst: number }
  /** Request mode on MODEL-R: a customer asks, withdraws; staff approve or reject (admin key or staff grant). */
  | {
      readonly t: 'ask';
      readonly inst: number;
      readonly followedBy: 'stay' | 'withdraw' | 'approve' | 'reject';
      readonly staff: boolean;
    }
  | { readonly t: 'withdraw'; readonly inst: number }
  | { readonly t: 'approve'; readonly inst: number; readonly staff: boolean }
  | { readonly t: 'reject'; readonly inst: number; readonly staff: boolean }
  /** FLOOD refunds while the receiver answers 503 to everything, then it is up (204) and one pass sends them all. */
  | { readonly t: 'flood'; readonly inst: number }
  /**
   * The instance's next ledger call of a kind stalls while its hold all but runs out (the first retry due), another
   * pass (the other instance's, or its own) claims what it held once the hold has run out, then the call goes on.
   */
  | { readonly t: 'stall'; readonly inst: number; readonly call: Stallable }
  | { readonly t: 'crash'; readonly inst: number }
  | { readonly t: 'rotate' }
  | { readonly t: 'reconfigure'; readonly urls: number; readonly schedule: number };

const inst = fc.nat({ max: 1 });
const order = fc.nat({ max: ORDERS - 1 });
const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ t: fc.constant('refund' as const), inst, order }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('refuse' as const), inst, order }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('unknown' as const), inst, order }) },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('burst' as const),
      refunds: fc.array(fc.record({ inst, order: fc.integer({ min: -1, max: ORDERS - 1 }) }), {
        minLength: 2,
        maxLength: 5,
      }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant('advance' as const),
      ms: fc.constantFrom(1_000, 4_400, 5_600, 30_000, 66_000, 540_000, 660_000, 3_600_000),
    }),
  },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('pass' as const), inst }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('sleep' as const) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('restart' as const), inst }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('redeliver' as const), pick: fc.nat(), staff: fc.boolean() }) },
  {
    weight: 2,
    arbitrary: fc.record({ t: fc.constant('external' as const), inst, order, told: fc.nat({ max: 2 }) }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('gwhook' as const), inst, order: fc.nat({ max: ORDERS + 1 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('view' as const), inst, order: fc.nat({ max: ORDERS + 1 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('revoke' as const), inst }) },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('ask' as const),
      inst,
      followedBy: fc.constantFrom('stay' as const, 'withdraw' as const, 'approve' as const, 'reject' as const),
      staff: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('withdraw' as const), inst }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('approve' as const), inst, staff: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('reject' as const), inst, staff: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('flood' as const), inst }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('stall' as const), inst, call: fc.constantFrom(...STALLABLE) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('crash' as const), inst }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('rotate' as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('reconfigure' as const),
      urls: fc.nat({ max: URL_SETS.length - 1 }),
      schedule: fc.nat({ max: SCHEDULES.length - 1 }),
    }),
  },
);
const behavioursArb = fc.array(fc.constantFrom<Behaviour>(...BEHAVIOURS), { minLength: 1, maxLength: 30 });

/** Where the instances' ledger is: a SQLite file, or a PostgreSQL schema of this run's own. */
interface Ledger {
  readonly open: () => Store;
  readonly instances: number;
  readonly drop: () => Promise<void>;
}

const sqliteLedger = async (): Promise<Ledger> => {
  const path = tempSqlitePath();
  return { open: () => createSqliteStore({ path }), instances: 1, drop: async () => {} };
};

const postgresLedger = (databaseUrl: string) => async (): Promise<Ledger> => {
  const schema = tempSchema(databaseUrl, 'webhook_model');
  await schema.create();
  return {
    open: () => createPostgresStore({ url: schema.url, max: 4 }),
    instances: 2,
    drop: schema.drop,
  };
};

/** What an instance generation was started with. */
interface Sender {
  /** The secrets it signed with (indices), current first. */
  readonly secrets: readonly number[];
  readonly urls: readonly string[];
  readonly schedule: readonly number[];
}

interface Instance {
  readonly tag: string;
  readonly h: Harness;
  readonly http: { readonly close: () => void };
  /** Set by a crash: its ledger calls and POSTs fail from then on, as if the process were gone. */
  readonly gone: { value: boolean };
  readonly stall: Stall;
  /** Merchant webhooks on: its refunds are told of. */
  readonly webhooks: boolean;
}

/**
 * The rounds with POSTs each instance generation wrote (finishRounds: the deliveries recorded whatever the hold), by
 * generation and event, in the order written: when its POSTs were made, and whether it was kept (the event still held
 * by it) or came after its hold was taken.
 */
type Recorded = Map<string, Map<string, { readonly at: number; readonly kept: boolean }[]>>;

/**
 * A stall of an instance's next ledger call of one kind (a busy pool, a lock): the clock moves on by `ms` while it
 * waits, and it goes on once `release` resolves.
 */
interface Stall {
  next: {
    readonly call: Stallable;
    readonly ms: number;
    readonly reached: () => void;
    readonly release: Promise<void>;
  } | null;
}

/**
 * The ledger as one instance generation sees it: every call refused once it is gone (what it committed stays), a call
 * stalled when the test says so, and each round it wrote noted.
 */
const instanceLedger = (
  store: Store,
  tag: string,
  gone: { value: boolean },
  recorded: Recorded,
  stall: Stall,
  clock: { advance(ms: number): void },
): Store =>
  new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || property === 'close' || property === 'handOverNewEvents') return value;
      const call = (args: unknown[]) => {
        if (gone.value) return Promise.reject(new Error('model: this instance is gone'));
        const result = value.apply(target, args);
        if (property !== 'finishRounds') return result;
        const [, rounds] = args as Parameters<Store['finishRounds']>;
        return (result as ReturnType<Store['finishRounds']>).then((kept) => {
          const mine: NonNullable<ReturnType<Recorded['get']>> = recorded.get(tag) ?? new Map();
          recorded.set(tag, mine);
          // A round with nothing to send (every URL has it) POSTs nothing: only those that POSTed are noted.
          for (const [i, { eventId, deliveries }] of rounds.entries()) {
            if (deliveries.length === 0) continue;
            const at = Math.min(...deliveries.map((d) => d.attempted_at));
            mine.set(eventId, [...(mine.get(eventId) ?? []), { at, kept: kept[i]! }]);
          }
          return kept;
        });
      };
      return (...args: unknown[]) => {
        const stalled = stall.next;
        if (stalled?.call !== property) return call(args);
        stall.next = null;
        const wait = async () => {
          clock.advance(stalled.ms);
          stalled.reached();
          await stalled.release;
        };
        // A claim made whose answer comes late; a read or a write that waits before it is made.
        if (property !== 'claimDueEvents') return wait().then(() => call(args));
        return (async () => {
          const claimed: unknown = await call(args);
          await wait();
          return claimed;
        })();
      };
    },
  });

// `any`: the admin API's rows are read field by field.
type Row = Record<string, any>;

/** A refund request on MODEL-R as its answers left it, the moves of it told (event type → how many), who decided. */
interface RequestFacts {
  readonly id: string;
  status: string;
  readonly told: Map<string, number>;
  readonly decidedBy: string[];
}

/** The HTTP client the instances POST with: the Node entry's (node:http), or Workers', Deno's and Bun's (web fetch). */
type Client = 'node' | 'web';

const clientOf = (client: Client): { fetch: FetchLike; close: () => void } => {
  if (client === 'web') return { fetch: portablePieces.fetch, close: () => {} };
  const nodeFetch = createNodeFetch();
  return { fetch: nodeFetch, close: () => nodeFetch.close() };
};

const runModel = async (
  makeLedger: () => Promise<Ledger>,
  actions: readonly Action[],
  behaviours: readonly Behaviour[],
  client: Client = 'node',
  timeoutMs: number = TIMEOUTS_MS[1],
): Promise<void> => {
  const ledger = await makeLedger();
  const secrets = [newWebhookSecret(), newWebhookSecret()];
  const clock = createClock();
  const fake = createFakeIamport({ now: clock.now });
  const receiver = await startModelReceiver({ secrets, behaviours, timeoutMs, now: clock.now });
  let urlSet = 0;
  let schedule = 0;
  const orders = Array.from({ length: ORDERS }, (_, i) => `MODEL-${i}`);
  const allOrders = [...orders, REQUEST_ORDER, VBANK_ORDER];
  /** Each order's imp_uid at i'mport (its webhook names it). */
  const impUids = new Map<string, string>();
  for (const merchant_uid of [...orders, REQUEST_ORDER]) {
    impUids.set(merchant_uid, fake.addPayment({ merchant_uid, amount: AMOUNT }).imp_uid);
  }
  const vbank = { merchant_uid: VBANK_ORDER, amount: AMOUNT, pay_method: 'vbank', pg_provider: 'html5_inicis' };
  impUids.set(VBANK_ORDER, fake.addPayment({ ...vbank, status: 'ready' }).imp_uid);
  /** DATA_ENCRYPTION_KEY: request mode on, the same key at every start. */
  const dataKey = randomDataKey();
  /** 0: the first secret; 1: the second with the first as MERCHANT_WEBHOOK_SECRET_PREVIOUS; 2: the second alone. */
  let stage = 0;
  const secretsOf = (s: number): number[] => (s === 0 ? [0] : s === 1 ? [1, 0] : [1]);
  /** What each instance generation was started with, by its tag. */
  const senders = new Map<string, Sender>();
  const logs: Record<string, unknown>[][] = [];
  let generation = 0;
  const recorded: Recorded = new Map();
  const crashed = new Set<string>();
  /**
   * Until when (real time: the lease runs out on the ledger's clock) an order's lease may be held by a crashed instance:
   * a lease is given back after the answer (lease.ts), so an instance gone at once after answering keeps its order's
   * until the lease's TTL.
   */
  let strandedUntil = 0;
  /**
   * A call under an order's lease, asked again once a lease a crash left held has run out: a 409 REFUND_IN_PROGRESS
   * meanwhile is the lease doing its work (the order is blocked for seconds, not for good), not a promise broken.
   */
  const pastStrandedLease = async <R extends { res: Response; body: Row }>(call: () => Promise<R>): Promise<R> => {
    const first = await call();
    if (first.body.error?.code !== 'REFUND_IN_PROGRESS' || Date.now() > strandedUntil + LEASE_TTL_MS) return first;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, strandedUntil - Date.now()) + 100));
    return call();
  };
  /** Ledger calls stalled (the clock moved on while they waited). */
  let stalls = 0;

  const start = async (): Promise<Instance> => {
    generation += 1;
    const tag = `gen-${generation}`;
    const [current, previous] = secretsOf(stage).map((i) => secrets[i]!);
    const sender: Sender = { secrets: secretsOf(stage), urls: URL_SETS[urlSet]!, schedule: SCHEDULES[schedule]! };
    senders.set(tag, sender);
    const http = clientOf(client);
    const gone = { value: false };
    const stall: Stall = { next: null };
    const h = await createHarness({
      clock,
      fake,
      store: instanceLedger(ledger.open(), tag, gone, recorded, stall, clock),
      // The run's client, each POST tagged with the instance that sent it; nothing sent once it is gone.
      outside: (url, init) =>
        gone.value
          ? Promise.reject(new Error('model: this instance is gone'))
          : http.fetch(url, { ...init, headers: { ...init.headers, 'x-model-sender': tag } }),
      config: {
        ...(sender.urls.length === 0
          ? {}
          : {
              merchantWebhooks: {
                urls: sender.urls.map((path) => receiver.base + path),
                secret: current!,
                ...(previous === undefined ? {} : { previousSecret: previous }),
                retryDelaysMs: [...sender.schedule],
                timeoutMs,
              },
            }),
        admin: { keys: [KEY], perKeyPerMinute: 0, generated: false },
        dataKeys: { current: dataKey, previous: null },
      },
    });
    logs.push(h.logs);
    return { tag, h, http, gone, stall, webhooks: sender.urls.length > 0 };
  };
  /** Each generation's deliveries counter (/metrics), read once it has stopped. */
  const counted = new Map<string, { delivered: number; failed_attempt: number }>();
  const stop = async (instance: Instance) => {
    await instance.h.close();
    instance.http.close();
    const res = await instance.h.app.request('/metrics', { headers: { Authorization: `Bearer ${KEY}` } });
    const text = await res.text();
    const metric = (result: string) =>
      Number(
        new RegExp(`^refund_proxy_webhook_deliveries_total\\{result="${result}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0,
      );
    counted.set(instance.tag, { delivered: metric('delivered'), failed_attempt: metric('failed_attempt') });
  };

  const instances: Instance[] = [];
  for (let i = 0; i < ledger.instances; i += 1) instances.push(await start());
  const of = (i: number) => instances[i % instances.length]!;
  const settleAll = async () => {
    for (let round = 0; round < 3; round += 1) await Promise.all(instances.map((i) => i.h.settled()));
  };
  const admin = async (path: string, init: RequestInit = {}) =>
    of(0).h.app.request(path, { ...init, headers: { Authorization: `Bearer ${KEY}` } });
  const allEvents = async (status?: string): Promise<Row[]> => {
    const rows: Row[] = [];
    let cursor: string | null = null;
    do {
      const query = `limit=500${status ? `&status=${status}` : ''}${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await admin(`/admin/events?${query}`);
      assert.equal(res.status, 200);
      const page = (await res.json()) as Row;
      rows.push(...page.data);
      cursor = page.next_cursor;
    } while (cursor);
    return rows;
  };

  const succeeded = new Map<string, number>();
  const refused = new Map<string, number>();
  /** Refunds made while merchant webhooks were off: never told of. */
  const untold = new Map<string, number>();
  /** Refunds i'mport made whose answer was lost: told of once a look settles them (if webhooks are on then). */
  const unknown = new Map<string, number>();
  /** Orders with a refund whose outcome was unknown (made or not): one may be running at i'mport still. */
  const inDoubt = new Set<string>();
  const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  /** When each event was queued again by an admin redelivery (test clock, just before the call). */
  const requeued = new Map<string, number[]>();
  const failedEver = new Set<string>();
  /** Cancels made at i'mport behind the proxy, per order: each told once, however often it is learned. */
  const externals = new Map<string, number>();
  /** Refunds i'mport refused for a checksum a console cancel had made stale (told with merchant webhooks on). */
  const mismatched = new Map<string, number>();
  /** MODEL-V revoked, and whether by an instance with merchant webhooks on (then told once). */
  const revocation = { done: false, told: false };
  /** MODEL-R's requests, oldest first: each one's status as its answers said, and its moves told (type → count). */
  const requests: RequestFacts[] = [];
  let keys = 0;

  /** Whether the refund was made and told of (merchant webhooks on at the instance that made it). */
  const refund = async (i: number, o: number): Promise<boolean> => {
    const merchant_uid = orders[o]!;
    const by = of(i);
    const { res, body } = await pastStrandedLease(() =>
      by.h.cancel({ merchant_uid, cancel_request_amount: PART, reason: '단순 변심' }),
    );
    if (res.status === 200) count(by.webhooks ? succeeded : untold, merchant_uid);
    // A refund of the order whose outcome is unknown may still be running at i'mport: nothing sent.
    else if (res.status === 409 && body.error?.code === 'REFUND_IN_PROGRESS' && inDoubt.has(merchant_uid)) return false;
    // A console cancel not learned yet: i'mport refuses the checksum (the ledger's balance), which is told as any
    // refusal is (refund.failed, with that code), and the re-read learns the cancel.
    else if (body.error?.code === 'CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN' && externals.has(merchant_uid)) {
      if (by.webhooks) count(mismatched, merchant_uid);
      return false;
    } else assert.fail(`refund of ${merchant_uid}: ${res.status} ${JSON.stringify(body)}`);
    return by.webhooks;
  };
  const jsonPost = (body: unknown, authorization: string): RequestInit => ({
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${authorization}` },
    body: JSON.stringify(body),
  });
  /** A staff grant (POST /admin/grants), fresh each time: a console's lives 15 minutes, and the clock moves by hours. */
  const staffGrant = async (by: Instance): Promise<string> => {
    const res = await by.h.app.request('/admin/grants', jsonPost({ role: 'staff', sub: STAFF }, KEY));
    const body = (await res.json()) as Row;
    assert.ok(res.ok && typeof body.grant === 'string', `a staff grant: ${res.status} ${JSON.stringify(body)}`);
    return body.grant;
  };
  /** A staff decision, through the admin API or, with a staff grant, the staff routes. */
  const decision = async (by: Instance, id: string, how: 'approve' | 'reject', body: Row, staff: boolean) => {
    const res = staff
      ? await by.h.app.request(`/staff/refund-requests/${id}/${how}`, jsonPost(body, await staffGrant(by)))
      : await by.h.app.request(`/admin/refund-requests/${id}/${how}`, jsonPost(body, KEY));
    return { res, body: (await res.json()) as Row };
  };
  /** i'mport's webhook to the proxy for an order, as i'mport sends one after each cancel (and again, unanswered). */
  const gatewayWebhook = async (i: number, merchant_uid: string) => {
    const res = await notifyOf(of(i).h, impUids.get(merchant_uid)!, merchant_uid);
    assert.equal(res.status, 200, `i'mport's webhook for ${merchant_uid}: ${res.status} ${await res.text()}`);
  };
  const tell = (request: RequestFacts, by: Instance, type: string) => {
    if (by.webhooks) request.told.set(type, (request.told.get(type) ?? 0) + 1);
  };
  /** A customer's request on MODEL-R (POST /refund-requests); whether it was made. */
  const ask = async (i: number): Promise<boolean> => {
    const by = of(i);
    const asked = { merchant_uid: REQUEST_ORDER, cancel_request_amount: PART, reason: '사이즈가 맞지 않아요' };
    const key = `ask-${keys++}`;
    const { res, body } = await pastStrandedLease(() => requestCalls(by.h).ask(asked, { key }));
    // One open request per order: a request asked while the last is neither withdrawn, rejected nor refunded is
    // refused, nothing told.
    const open = ['requested', 'approved', 'failed'].includes(requests.at(-1)?.status ?? 'none');
    if (open) {
      assert.equal(res.status, 409, `ask with ${requests.at(-1)!.id} open: ${JSON.stringify(body)}`);
      return false;
    }
    assert.equal(res.status, 201, `ask: ${JSON.stringify(body)}`);
    const request: RequestFacts = { id: body.request.id, status: 'requested', told: new Map(), decidedBy: [] };
    tell(request, by, 'refund_request.created');
    requests.push(request);
    return true;
  };
  /** The customer withdraws MODEL-R's latest request: only one still `requested`. */
  const withdraw = async (i: number) => {
    const request = requests.at(-1);
    if (!request) return;
    const by = of(i);
    const { res, body } = await pastStrandedLease(() => requestCalls(by.h).withdraw(request.id, REQUEST_ORDER));
    if (request.status !== 'requested') {
      assert.equal(body.error?.code, 'REFUND_REQUEST_DECIDED', `withdraw ${request.status}: ${res.status}`);
      return;
    }
    assert.equal(res.status, 200, `withdraw: ${JSON.stringify(body)}`);
    request.status = 'withdrawn';
    tell(request, by, 'refund_request.withdrawn');
  };
  /** Staff approve or reject MODEL-R's latest request: only one `requested` (or `failed`). */
  const decide = async (i: number, how: 'approve' | 'reject', staff: boolean) => {
    const request = requests.at(-1);
    if (!request) return;
    const by = of(i);
    const asked = how === 'approve' ? {} : { reason: '사용 흔적', allow_new_request: true };
    const { res, body } = await pastStrandedLease(() => decision(by, request.id, how, asked, staff));
    if (!['requested', 'failed'].includes(request.status)) {
      assert.equal(body.error?.code, 'REFUND_REQUEST_DECIDED', `${how} ${request.status}: ${res.status}`);
      return;
    }
    assert.equal(res.status, 200, `${how} ${request.id}: ${JSON.stringify(body)}`);
    request.decidedBy.push(staff ? `staff:${STAFF}` : KEY_ID);
    if (how === 'reject') {
      assert.equal(body.request.status, 'rejected');
      request.status = 'rejected';
      tell(request, by, 'refund_request.rejected');
      return;
    }
    // Approved, and refunded through the customer's own path (no fault here): its refund.succeeded follows.
    assert.equal(body.request.status, 'refunded', `approve ${request.id}: ${JSON.stringify(body)}`);
    request.status = 'refunded';
    tell(request, by, 'refund_request.approved');
    count(by.webhooks ? succeeded : untold, REQUEST_ORDER);
  };

  try {
    for (const action of actions) {
      switch (action.t) {
        case 'refund':
          await refund(action.inst, action.order);
          break;
        case 'refuse': {
          await settleAll();
          const merchant_uid = orders[action.order]!;
          fake.inject({ kind: 'pg_refusal', message: '취소 불가 (model)' });
          const { body } = await pastStrandedLease(() =>
            of(action.inst).h.cancel({ merchant_uid, cancel_request_amount: PART, reason: '단순 변심' }),
          );
          if (body.error?.code === 'REFUND_IN_PROGRESS' && inDoubt.has(merchant_uid)) {
            fake.clearFaults(); // the cancel was not sent: its fault must not meet another
            break;
          }
          if (body.error?.code === 'CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN' && externals.has(merchant_uid)) {
            // i'mport refused its checksum first (a console cancel not learned yet): told as that refusal.
            fake.clearFaults();
            if (of(action.inst).webhooks) count(mismatched, merchant_uid);
            break;
          }
          assert.equal(body.error?.code, 'PG_PROVIDER', JSON.stringify(body));
          if (of(action.inst).webhooks) count(refused, merchant_uid);
          break;
        }
        case 'unknown': {
          await settleAll();
          const merchant_uid = orders[action.order]!;
          const by = of(action.inst);
          // The cancel made and its answer lost, and the payment not to be read just then: the outcome is unknown.
          const atImport = () => fake.getPayment(impUids.get(merchant_uid)!)!.cancel_amount;
          const before = atImport();
          fake.inject({ kind: 'lose_response' });
          fake.inject({ kind: 'http_5xx', route: 'payment', times: Number.POSITIVE_INFINITY });
          const { res, body } = await pastStrandedLease(() =>
            by.h.cancel({ merchant_uid, cancel_request_amount: PART, reason: '단순 변심' }),
          );
          await settleAll();
          fake.clearFaults();
          if (res.status === 200) count(by.webhooks ? succeeded : untold, merchant_uid);
          else if (body.error?.code === 'REFUND_IN_PROGRESS' && inDoubt.has(merchant_uid)) break;
          else {
            assert.equal(body.error?.code, 'REFUND_OUTCOME_UNKNOWN', JSON.stringify(body));
            inDoubt.add(merchant_uid);
            // Made, unless i'mport refused its checksum (a console cancel the ledger has not learned yet): then it is
            // settled as not made, and nothing is told of it.
            if (atImport() > before) count(unknown, merchant_uid);
          }
          break;
        }
        case 'burst':
          await Promise.all(
            action.refunds.map((r) => (r.order < 0 ? of(r.inst).h.outbox.runDue() : refund(r.inst, r.order))),
          );
          break;
        case 'advance':
          // Only while nothing is in flight: a POST's timeout runs on real time, holds on the clock.
          await settleAll();
          clock.advance(action.ms);
          break;
        case 'sleep':
          await new Promise((resolve) => setTimeout(resolve, 1_050));
          break;
        case 'pass':
          await of(action.inst).h.outbox.runDue();
          break;
        case 'crash': {
          // Gone at once, whatever it was doing: what it committed stays, POSTs already sent end unrecorded.
          const at = action.inst % instances.length;
          const dead = instances[at]!;
          dead.gone.value = true;
          crashed.add(dead.tag);
          strandedUntil = Date.now() + LEASE_TTL_MS;
          await stop(dead);
          instances[at] = await start();
          break;
        }
        case 'restart': {
          const at = action.inst % instances.length;
          await stop(instances[at]!);
          instances[at] = await start();
          break;
        }
        case 'redeliver': {
          await settleAll();
          const listed = await allEvents();
          if (listed.length === 0) break;
          const event = listed[action.pick % listed.length]!;
          // By an admin key, or by staff on the staff route (a staff grant).
          const redeliver = async () =>
            action.staff
              ? of(0).h.app.request(`/staff/events/${event.id}/redeliver`, {
                  method: 'POST',
                  headers: { Authorization: `Bearer ${await staffGrant(of(0))}` },
                })
              : admin(`/admin/events/${event.id}/redeliver`, { method: 'POST' });
          const by = action.staff ? ' (staff)' : '';
          if (event.status === 'pending') {
            // It goes out on its own: refused, nothing changed.
            const res = await redeliver();
            assert.equal(res.status, 400, `redeliver ${event.id} (pending)${by}`);
            break;
          }
          if (event.status === 'failed') failedEver.add(event.id);
          requeued.set(event.id, [...(requeued.get(event.id) ?? []), clock.now()]);
          const res = await redeliver();
          assert.equal(res.status, 202, `redeliver ${event.id} (${event.status})${by}`);
          break;
        }
        case 'external': {
          await settleAll();
          const merchant_uid = orders[action.order]!;
          const token = await issueToken(fake);
          const cancel = { imp_uid: impUids.get(merchant_uid), amount: EXTERNAL, reason: CONSOLE_REASON };
          const res = await fake.fetch(`${BASE}/payments/cancel`, iamportJson(cancel, token));
          assert.equal(((await res.json()) as Row).code, 0, "the console's cancel was made");
          count(externals, merchant_uid);
          for (let k = 0; k < action.told; k += 1) await gatewayWebhook(action.inst, merchant_uid);
          break;
        }
        case 'gwhook':
          await settleAll();
          await gatewayWebhook(action.inst, allOrders[action.order]!);
          break;
        case 'view': {
          const { res, body } = await of(action.inst).h.view(allOrders[action.order]!);
          assert.equal(res.status, 200, `view of ${allOrders[action.order]}: ${JSON.stringify(body)}`);
          break;
        }
        case 'revoke': {
          const by = of(action.inst);
          const { res, body } = await pastStrandedLease(() =>
            by.h.cancel({ merchant_uid: VBANK_ORDER, reason: '단순 변심' }),
          );
          if (revocation.done) {
            assert.ok(res.status === 409, `revoked again: ${res.status} ${JSON.stringify(body)}`);
            break;
          }
          assert.equal(res.status, 200, `revoke: ${JSON.stringify(body)}`);
          assert.equal(body.revoked, true, `revoke: ${JSON.stringify(body)}`);
          Object.assign(revocation, { done: true, told: by.webhooks });
          break;
        }
        case 'ask':
          // Asked, and then (`followedBy`) withdrawn, approved or rejected at once, or left to a later step.
          if ((await ask(action.inst)) && action.followedBy !== 'stay') {
            await (action.followedBy === 'withdraw'
              ? withdraw(action.inst)
              : decide(action.inst, action.followedBy, action.staff));
          }
          break;
        case 'withdraw':
          await withdraw(action.inst);
          break;
        case 'approve':
        case 'reject':
          await decide(action.inst, action.t, action.staff);
          break;
        case 'flood': {
          await settleAll();
          const by = of(action.inst);
          receiver.answerAll('server5xx');
          let told = 0;
          // A refund of each order at once, FLOOD in all.
          for (let k = 0; k < FLOOD; k += ORDERS) {
            const made = await Promise.all(orders.map((_, o) => refund(action.inst, o)));
            told += made.filter(Boolean).length;
          }
          await settleAll();
          // Up again, answering 204: every one due again (the first retry's wait, with its jitter), one pass for all.
          receiver.answerAll('ok204');
          clock.advance(Math.ceil(Math.max(...SCHEDULES.map((s) => s[0])) * 1.1) + 1);
          const sent = await by.h.outbox.runDue();
          receiver.answerAll(null);
          assert.ok(sent >= told, `one pass sent ${sent} events, of the ${told} refunds due again`);
          break;
        }
        case 'stall': {
          await settleAll();
          const by = of(action.inst);
          // Retries due (the first wait run out), so the pass claims them.
          clock.advance(Math.ceil(Math.max(...SCHEDULES.map((s) => s[0])) * 1.1) + 1);
          let reached = () => {};
          const stalled = new Promise<void>((resolve) => {
            reached = resolve;
          });
          let release = () => {};
          // A read before a POST goes on at once (its POST, were it sent, would meet the other pass's); the write of a
          // round once the other pass has done its own.
          const released = new Promise<void>((resolve) => {
            release = resolve;
          });
          by.stall.next = { call: action.call, ms: timeoutMs + 5_000 - 500, reached, release: released };
          stalls += 1;
          const first = by.h.outbox.runDue();
          await Promise.race([stalled, first]);
          // A POST of the same instance beside the stalled call (a pass kicked by an event the background run wrote)
          // ends first: the clock's jump stands for the stall, and a POST in flight takes real time, at most its
          // timeout, not 6 s (seed 694676303: that POST met the other instance's of the same event, its hold run out).
          // Not waited for by settled() alone: the stalled call may be that background pass's own, held till release.
          await Promise.race([by.h.settled(), new Promise((resolve) => setTimeout(resolve, timeoutMs + 50))]);
          if (action.call !== 'finishRounds') setTimeout(release, 20);
          clock.advance(1_000); // the hold has run out
          const second = of(action.inst + 1).h.outbox.runDue();
          await second;
          release();
          await first;
          by.stall.next = null;
          break;
        }
        case 'rotate':
        case 'reconfigure': {
          if (action.t === 'rotate') {
            if (stage === 2) break;
            stage += 1;
          } else {
            urlSet = action.urls;
            schedule = action.schedule;
          }
          for (const [at, instance] of instances.entries()) {
            await stop(instance);
            instances[at] = await start();
          }
          break;
        }
      }
    }

    // Settle: merchant webhooks on (what waited while they were off goes out then), the clock past each wait (and a
    // hold), every instance's pass, until nothing is pending.
    if (URL_SETS[urlSet]!.length === 0) {
      urlSet = 0;
      for (const [at, instance] of instances.entries()) {
        await stop(instance);
        instances[at] = await start();
      }
    }
    const drain = async () => {
      let pending = -1;
      for (let round = 0; round < 4 * (SCHEDULES[0].length + 2) && pending !== 0; round += 1) {
        await settleAll();
        clock.advance(Math.ceil(Math.max(...SCHEDULES.flat()) * 1.1) + HOLD_MS);
        for (const instance of instances) await instance.h.outbox.runDue();
        await settleAll();
        pending = (await allEvents('pending')).length;
      }
      assert.equal(pending, 0, 'every event delivered or failed once the schedule has run out');
    };
    await drain();
    // i'mport's webhook for every order, as i'mport sends one after each cancel (twice: it tells nothing new), so every
    // console cancel is learned (one learned while merchant webhooks were off is told now); then delivered.
    for (const merchant_uid of allOrders) for (let k = 0; k < 2; k += 1) await gatewayWebhook(k, merchant_uid);
    await drain();

    for (const [at, instance] of instances.entries()) {
      await stop(instance);
      instances[at] = await start();
    }
    await checkInvariants({
      timeoutMs,
      counted,
      events: await allEvents(),
      orders: await Promise.all(
        allOrders.map(async (uid) => {
          const res = await admin(`/admin/payments/${uid}`);
          return res.status === 404 ? null : ((await res.json()) as Row);
        }),
      ),
      orderIds: allOrders,
      receiver,
      senders,
      secrets,
      logs: logs.flat(),
      requeued,
      failedEver,
      recorded,
      crashed,
      stalls,
      succeeded,
      refused,
      untold,
      unknown,
      inDoubt,
      externals,
      mismatched,
      revocation,
      requests,
    });
  } finally {
    for (const instance of instances) await stop(instance);
    await receiver.close();
    await ledger.drop();
  }
};

interface Observed {
  readonly timeoutMs: number;
  readonly counted: ReadonlyMap<string, { delivered: number; failed_attempt: number }>;
  readonly events: Row[];
  readonly orders: (Row | null)[];
  readonly orderIds: readonly string[];
  readonly receiver: Awaited<ReturnType<typeof startModelReceiver>>;
  readonly senders: ReadonlyMap<string, Sender>;
  readonly secrets: readonly string[];
  readonly logs: readonly Record<string, unknown>[];
  readonly requeued: ReadonlyMap<string, number[]>;
  readonly failedEver: ReadonlySet<string>;
  readonly recorded: Recorded;
  readonly crashed: ReadonlySet<string>;
  readonly stalls: number;
  readonly succeeded: ReadonlyMap<string, number>;
  readonly refused: ReadonlyMap<string, number>;
  readonly untold: ReadonlyMap<string, number>;
  readonly unknown: ReadonlyMap<string, number>;
  readonly inDoubt: ReadonlySet<string>;
  readonly externals: ReadonlyMap<string, number>;
  readonly mismatched: ReadonlyMap<string, number>;
  readonly revocation: { readonly done: boolean; readonly told: boolean };
  readonly requests: readonly RequestFacts[];
}

/**
 * The key of a POST's round: its sender, its webhook-timestamp and how many redeliveries came before it (a round, its
 * redelivery and the next round may all be signed in one second).
 */
const roundOf = (s: Seen, queued: readonly number[]): string =>
  `${s.headers['x-model-sender']} ${s.headers['webhook-timestamp']} ${queued.filter((at) => at <= s.at).length}`;

/**
 * An event's POSTs whose round its sender wrote: all of them but those of a crashed instance's last rounds, which
 * ended after it was gone (or whose record it never wrote); and of those, the ones of rounds written after the hold
 * was taken from their sender (a stalled write: the deliveries recorded, the round not counted).
 */
const recordedPosts = (id: string, seen: readonly Seen[], o: Observed): { recorded: Seen[]; late: Set<Seen> } => {
  const queued = o.requeued.get(id) ?? [];
  const rounds = new Map<string, Seen[]>();
  for (const s of [...seen].sort((a, b) => a.at - b.at)) {
    rounds.set(roundOf(s, queued), [...(rounds.get(roundOf(s, queued)) ?? []), s]);
  }
  const counted = new Map<string, number>();
  const recorded: Seen[] = [];
  const late = new Set<Seen>();
  const matched = new Set<object>();
  for (const posts of rounds.values()) {
    const tag = posts[0]!.headers['x-model-sender'] ?? '';
    counted.set(tag, (counted.get(tag) ?? 0) + 1);
    // The round written for these POSTs: its sender's whose POSTs were made last before they arrived (a round and the
    // next are seconds apart, but for a redelivery); a late write may land after the next round's.
    const gap = (w: { readonly at: number }) => posts[0]!.at - w.at;
    const written = (o.recorded.get(tag)?.get(id) ?? [])
      .filter((w) => !matched.has(w) && gap(w) >= 0 && gap(w) < 2_000)
      .sort((x, y) => gap(x) - gap(y))[0];
    if (!written) continue;
    matched.add(written);
    recorded.push(...posts);
    if (!written.kept) for (const p of posts) late.add(p);
  }
  for (const [tag, n] of counted) {
    const wrote = o.recorded.get(tag)?.get(id)?.length ?? 0;
    if (!o.crashed.has(tag)) assert.equal(wrote, n, `${id}: ${tag} recorded each round it sent (${wrote} of ${n})`);
  }
  assert.equal(
    matched.size,
    [...o.recorded.values()].reduce((n, byEvent) => n + (byEvent.get(id)?.length ?? 0), 0),
    `${id}: each round written is one the receiver saw`,
  );
  return { recorded, late };
};

/** Each event type's `data` keys (README.md, "Merchant webhooks"), `sequence` included. */
const PAYMENT_KEYS = [
  'merchant_uid',
  'imp_uid',
  'amount',
  'cancel_amount',
  'cancelable_amount',
  'status',
  'pending',
  'reason',
  'attempt_id',
  'refund_account_masked',
  'idempotency_key',
  'sequence',
];
const REQUEST_KEYS = [
  'request_id',
  'merchant_uid',
  'status',
  'amount',
  'approved_amount',
  'reason',
  'refund_account_masked',
  'decided_by',
  'reject_reason',
  'allow_new_request',
  'created_at',
  'decided_at',
  'sequence',
];
const REQUEST_TYPES = [
  'refund_request.created',
  'refund_request.withdrawn',
  'refund_request.approved',
  'refund_request.rejected',
  'refund_request.failed',
] as const;
const DATA_KEYS: Record<string, readonly string[]> = {
  'refund.succeeded': PAYMENT_KEYS,
  'refund.failed': [...PAYMENT_KEYS, 'error'],
  'vbank.revoked': PAYMENT_KEYS,
  'payment.cancelled_externally': PAYMENT_KEYS,
  ...Object.fromEntries(REQUEST_TYPES.map((type) => [type, REQUEST_KEYS])),
  'refund_request.failed': [...REQUEST_KEYS, 'error_code'],
  'attention.needed': [
    'reason',
    'merchant_uid',
    'imp_uid',
    'attempt_id',
    'event_id',
    'event_type',
    'outcome',
    'since',
    'sequence',
  ],
};

const ok = (s: { readonly status: number | null }) => s.status !== null && s.status >= 200 && s.status < 300;

/**
 * An event's POSTs since it was last queued (written, or redelivered), in rounds (one sender, one webhook-timestamp):
 * each round goes to its sender's URLs that have not answered 2xx since, no earlier than the wait its previous round's
 * sender set, none after the round that completed it; the admin API's status and attempts say the same.
 */
const checkRounds = (event: Row, seen: readonly Seen[], late: ReadonlySet<Seen>, o: Observed): void => {
  const queued = o.requeued.get(event.id) ?? [];
  const segments: Seen[][] = [[]];
  for (const s of [...seen].sort((a, b) => a.at - b.at)) {
    while (queued.length >= segments.length && s.at >= queued[segments.length - 1]!) segments.push([]);
    segments.at(-1)!.push(s);
  }
  let last: { rounds: number; completed: boolean; done: Set<string>; sender: Sender | null } | null = null;
  for (const segment of segments) {
    const rounds = new Map<string, Seen[]>();
    for (const s of segment) rounds.set(roundOf(s, queued), [...(rounds.get(roundOf(s, queued)) ?? []), s]);
    const done = new Set<string>();
    const lateDone = new Set<string>();
    let completed = false;
    let previous: { at: number; sender: Sender } | null = null;
    let k = 0;
    for (const posts of rounds.values()) {
      const sender = o.senders.get(posts[0]!.headers['x-model-sender'] ?? '')!;
      const at = posts[0]!.at;
      assert.ok(!completed, `${event.id}: a round after the one that delivered it`);
      // A late round's 2xx is known to the rounds after its write: the one that took its hold may resend to it.
      const paths = posts.map((p) => p.path).sort();
      const notDone = sender.urls.filter((url) => !done.has(url));
      assert.ok(
        isDeepStrictEqual(paths, notDone) ||
          isDeepStrictEqual(
            paths,
            notDone.filter((url) => !lateDone.has(url)),
          ),
        `${event.id}: round ${k + 1} to each URL that has not answered 2xx (${paths}; ${notDone})`,
      );
      if (posts.some((p) => late.has(p))) {
        // Written after its hold was taken (another pass sent it since): its 2xx answers stand (recorded), the round
        // does not count, and the event stays due as the last counted round left it.
        for (const p of posts) if (ok(p)) lateDone.add(p.path);
        continue;
      }
      for (const url of lateDone) done.add(url);
      lateDone.clear();
      if (previous) {
        const wait = previous.sender.schedule[k - 1];
        assert.ok(wait !== undefined, `${event.id}: round ${k + 1} after the schedule ran out`);
        assert.ok(at - previous.at >= 0.9 * wait - 1, `${event.id}: round ${k + 1} ${at - previous.at} ms after`);
      }
      for (const p of posts) if (ok(p)) done.add(p.path);
      completed = posts.every(ok);
      previous = { at, sender };
      k += 1;
    }
    for (const url of lateDone) done.add(url);
    last = { rounds: k, completed, done, sender: previous?.sender ?? null };
  }
  const { rounds, completed, done, sender } = last!;
  if (event.status === 'delivered') {
    // Delivered by a round with a 2xx from each URL it went to, or by one with nothing left to send (every URL set
    // then had answered 2xx: a URL taken out of the list is no longer waited for).
    const emptyRound = event.attempts === rounds + 1;
    assert.ok(
      (completed && event.attempts === rounds) ||
        (emptyRound && [...o.senders.values()].some((s) => s.urls.length > 0 && s.urls.every((url) => done.has(url)))),
      `${event.id}: delivered after ${rounds} rounds (attempts ${event.attempts}), 2xx from ${[...done]}`,
    );
  } else {
    assert.equal(event.attempts, rounds, `${event.id}: attempts = rounds since queued`);
    assert.ok(!completed && sender, `${event.id}: failed with a round that did not deliver it`);
    assert.ok(rounds - 1 >= sender.schedule.length, `${event.id}: failed after ${rounds} rounds`);
  }
};

const checkInvariants = async (o: Observed): Promise<void> => {
  const { events, receiver } = o;
  const byId = new Map(events.map((e) => [e.id as string, e]));
  assert.equal(byId.size, events.length, 'each event listed once');

  if (process.env.MODEL_DEBUG) {
    const statuses = events.map((e) => `${e.type}:${e.status}:${e.attempts}`);
    const logged = (msg: string) => o.logs.filter((l) => String(l.msg).startsWith(msg)).length;
    const holds = { short: logged('webhook: hold ran short'), lost: logged('webhook: lost hold') };
    console.log(JSON.stringify({ posts: receiver.seen.length, statuses, counted: [...o.counted], holds }));
  }
  // Nothing reached another path of the receiver (a redirect is never followed).
  assert.deepEqual(receiver.strays, [], 'nothing sent to a Location');

  // Every POST: a known event, the same body every time, signed by exactly the secrets its sender had.
  const bodies = new Map<string, string>();
  for (const seen of receiver.seen) {
    const event = byId.get(seen.id);
    assert.ok(event, `a POST for an event the ledger does not have: ${seen.id}`);
    const first = bodies.get(seen.id);
    if (first === undefined) bodies.set(seen.id, seen.body);
    else assert.equal(seen.body, first, `${seen.id}: one body per webhook-id`);
    assert.equal(seen.headers['content-type'], 'application/json');
    const sender = o.senders.get(seen.headers['x-model-sender'] ?? '');
    assert.ok(sender, 'a POST from a known instance');
    assert.deepEqual(seen.signedWith, sender.secrets, `${seen.id}: signed with the sender's secrets, current first`);
    assert.ok(sender.urls.includes(seen.path), `${seen.id}: sent to a URL its sender had`);
    const timestamp = Number(seen.headers['webhook-timestamp']);
    assert.ok(Math.abs(timestamp - seen.at / 1000) <= 5, `${seen.id}: webhook-timestamp is when it was signed`);
  }

  // The body is the event the admin API shows, its data with the keys the README lists; one webhook-id per fact.
  const facts = new Set<string>();
  for (const event of events) {
    assert.match(event.id, /^msg_[0-9a-f]+$/);
    assert.deepEqual(
      Object.keys(event.data).sort(),
      [...(DATA_KEYS[event.type] ?? ['unknown type'])].sort(),
      `${event.id}: ${event.type}'s data`,
    );
    if (event.type === 'refund.failed') {
      assert.deepEqual(Object.keys(event.data.error).sort(), ['code', 'gateway_message', 'message']);
      assert.ok(['PG_PROVIDER', 'CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN'].includes(event.data.error.code));
    }
    if (event.type === 'attention.needed' && event.data.reason === 'event_failed') {
      const told = byId.get(event.data.event_id);
      assert.ok(told, `${event.id}: tells of an event the ledger has`);
      assert.deepEqual(
        [event.data.merchant_uid, event.data.imp_uid, event.data.attempt_id, event.data.event_type, event.data.outcome],
        [told.merchant_uid, told.data.imp_uid ?? null, told.data.attempt_id ?? null, told.type, null],
        `${event.id}: what it tells of`,
      );
      assert.equal(Math.floor(Date.parse(event.data.since) / 1000), told.created_at, `${event.id}: since`);
    }
    const body = bodies.get(event.id);
    if (body !== undefined) {
      const parsed = JSON.parse(body) as Row;
      assert.equal(parsed.type, event.type);
      assert.deepEqual(parsed.data, event.data, `${event.id}: body = admin's data`);
      assert.equal(parsed.data.sequence, event.sequence);
      assert.equal(Math.floor(Date.parse(parsed.timestamp) / 1000), event.created_at);
    }
    const fact =
      event.type === 'attention.needed'
        ? `attention:${event.data.event_id ?? event.data.attempt_id}`
        : event.data.attempt_id
          ? `attempt:${event.data.attempt_id}`
          : `${event.type}:${event.id}`;
    assert.ok(!facts.has(fact), `two events for one fact: ${fact}`);
    facts.add(fact);
  }

  // Settled: delivered, or failed and told of once (attention.needed, a warn line), an attention event excepted.
  const attentionFor = new Map<string, Row[]>();
  for (const event of events.filter((e) => e.type === 'attention.needed')) {
    if (event.data.reason === 'attempt_unsettled') {
      // Only a refund whose answer was lost can be left unsettled here (told if its look came too late).
      assert.ok(o.inDoubt.has(event.merchant_uid), `${event.id}: an unsettled attempt of a settled order`);
      continue;
    }
    assert.equal(event.data.reason, 'event_failed');
    const told = event.data.event_id as string;
    attentionFor.set(told, [...(attentionFor.get(told) ?? []), event]);
  }
  const warned = new Map<string, number>();
  for (const line of o.logs) {
    if (line.msg === 'attention needed' && line.reason === 'event_failed') {
      warned.set(String(line.event_id), (warned.get(String(line.event_id)) ?? 0) + 1);
      assert.equal(line.level, 'warn');
    }
  }
  for (const event of events) {
    assert.ok(['delivered', 'failed'].includes(event.status), `${event.id}: ${event.status}`);
    assert.equal(event.next_attempt_at, null, `${event.id}: no next attempt once settled`);
    assert.equal(event.delivered_at === null, event.status !== 'delivered', `${event.id}: delivered_at`);
    const everFailed = event.status === 'failed' || o.failedEver.has(event.id);
    const told = attentionFor.get(event.id) ?? [];
    if (event.type === 'attention.needed') {
      assert.equal(told.length, 0, 'an attention event that failed asks for nothing more');
    } else if (everFailed && event.status !== 'failed' && o.crashed.size > 0) {
      // Its telling lost with a crashed instance, then sent again by staff before a check told it: nobody is told.
      assert.ok(told.length <= 1 && (warned.get(event.id) ?? 0) === told.length, `${event.id}: told once at most`);
    } else if (everFailed) {
      assert.ok(
        o.logs.some((l) => l.msg === 'webhook: event failed after its last retry' && l.event === event.id),
        `${event.id} failed: logged at warn`,
      );
      assert.equal(told.length, 1, `${event.id} failed: one attention.needed`);
      assert.equal(told[0]!.merchant_uid, event.merchant_uid);
      assert.equal(told[0]!.data.event_type, event.type);
      assert.equal(warned.get(event.id), 1, `${event.id} failed: one warn line`);
    } else {
      assert.equal(told.length, 0, `${event.id} never failed, yet told of`);
    }
  }
  for (const told of attentionFor.keys()) {
    const event = byId.get(told);
    assert.ok(event && (event.status === 'failed' || o.failedEver.has(told)), `attention for ${told}, never failed`);
  }

  // Per order: sequences 1..n; refunds in sequence order show the payment after each in turn; one event per refund.
  for (const [i, uid] of o.orderIds.entries()) {
    const view = o.orders[i];
    const mine = events.filter((e) => e.merchant_uid === uid);
    if (!view) {
      assert.equal(mine.length, 0);
      continue;
    }
    const ordered = view.events as Row[];
    assert.deepEqual(
      ordered.map((e) => e.sequence),
      ordered.map((_, k) => k + 1),
      `${uid}: sequence counts from 1, no gap, no repeat`,
    );
    assert.deepEqual(new Set(ordered.map((e) => e.id)), new Set(mine.map((e) => e.id)));
    const refunds = ordered.filter((e) => e.type === 'refund.succeeded');
    // A refund whose answer was lost is told of once settled, unless merchant webhooks were off by then.
    const made = o.succeeded.get(uid) ?? 0;
    const lost = o.unknown.get(uid) ?? 0;
    const everOff = [...o.senders.values()].some((sender) => sender.urls.length === 0);
    assert.ok(
      everOff ? refunds.length >= made && refunds.length <= made + lost : refunds.length === made + lost,
      `${uid}: one refund.succeeded per refund (${refunds.length}: ${made} answered, ${lost} settled later)`,
    );
    const refusals = ordered.filter((e) => e.type === 'refund.failed').map((e) => e.data.error.code);
    assert.deepEqual(
      [refusals.filter((c) => c === 'PG_PROVIDER').length, refusals.length],
      [o.refused.get(uid) ?? 0, (o.refused.get(uid) ?? 0) + (o.mismatched.get(uid) ?? 0)],
      `${uid}: one refund.failed per refusal (the PG's, or i'mport's for a stale balance)`,
    );
    const amounts = refunds.map((e) => e.data.cancel_amount as number);
    assert.ok(
      amounts.every((amount, k) => k === 0 || amount > amounts[k - 1]!),
      `${uid}: in sequence order, each refund's payment after it (${amounts})`,
    );
    const all = made + lost + (o.untold.get(uid) ?? 0);
    const external = o.externals.get(uid) ?? 0;
    if (uid !== VBANK_ORDER) {
      assert.equal(
        view.payment.cancel_amount,
        all * PART + external * EXTERNAL,
        `${uid}: the ledger has every refund i'mport made, the console's too`,
      );
    }
    if (!everOff)
      assert.deepEqual(
        amounts,
        external === 0 ? amounts.map((_, k) => (k + 1) * PART) : amounts.map((a, k) => Math.max(a, (k + 1) * PART)),
        `${uid}: every refund told`,
      );

    // One payment.cancelled_externally per console cancel however often it was learned (a webhook again, a refund's
    // read, the last look): its amount and words, no attempt of ours, after the payment it changed.
    const consoles = ordered.filter((e) => e.type === 'payment.cancelled_externally');
    assert.equal(consoles.length, external, `${uid}: one payment.cancelled_externally per console cancel`);
    for (const e of consoles) {
      assert.deepEqual(
        [e.data.amount, e.data.reason, e.data.attempt_id, e.data.idempotency_key, e.data.pending],
        [EXTERNAL, CONSOLE_REASON, null, null, false],
        `${e.id}: the console's cancel`,
      );
      assert.ok(
        e.data.cancel_amount >= EXTERNAL && e.data.imp_uid === view.payment.imp_uid,
        `${e.id}: the payment after it`,
      );
    }

    // One vbank.revoked for the revocation (made with merchant webhooks on): nothing paid, nothing left.
    const revocations = ordered.filter((e) => e.type === 'vbank.revoked');
    assert.equal(revocations.length, uid === VBANK_ORDER && o.revocation.told ? 1 : 0, `${uid}: vbank.revoked`);
    for (const e of revocations) {
      assert.deepEqual([e.data.amount, e.data.cancelable_amount], [0, 0], `${e.id}: a revocation's figures`);
      assert.equal(typeof e.data.attempt_id, 'string', `${e.id}: the attempt that revoked it`);
    }
    if (uid === VBANK_ORDER) assert.equal(all + external, 0, `${uid}: no refund`);

    // Each request's moves told once each (made with merchant webhooks on), its data as README shows it; none failed.
    const requestEvents = ordered.filter((e) => e.type.startsWith('refund_request.'));
    const mineRequests = uid === REQUEST_ORDER ? o.requests : [];
    assert.equal(
      requestEvents.length,
      mineRequests.reduce((n, r) => n + [...r.told.values()].reduce((a, b) => a + b, 0), 0),
      `${uid}: one refund_request event per move`,
    );
    for (const request of mineRequests) {
      const told = requestEvents.filter((e) => e.data.request_id === request.id);
      for (const type of REQUEST_TYPES) {
        assert.equal(
          told.filter((e) => e.type === type).length,
          request.told.get(type) ?? 0,
          `${request.id}: ${type} once per move`,
        );
      }
      for (const e of told) {
        const move = e.type.slice('refund_request.'.length);
        assert.equal(e.data.status, move === 'created' ? 'requested' : move, `${e.id}: status`);
        assert.deepEqual(
          [e.data.merchant_uid, e.data.amount, e.data.reason, e.data.refund_account_masked],
          [REQUEST_ORDER, PART, '사이즈가 맞지 않아요', null],
          `${e.id}: what was asked`,
        );
        if (move === 'approved' || move === 'rejected') {
          assert.ok(request.decidedBy.includes(e.data.decided_by), `${e.id}: decided by ${e.data.decided_by}`);
          assert.equal(typeof e.data.decided_at, 'number', `${e.id}: decided_at`);
        }
        if (move === 'approved') {
          assert.equal(e.data.approved_amount, PART, `${e.id}: approved_amount`);
          // The refund's own event follows.
          const refunded = refunds.filter((r) => String(r.data.idempotency_key).includes(request.id));
          assert.ok(
            refunded.length === 1 && refunded[0]!.sequence > e.sequence,
            `${e.id}: its refund.succeeded follows`,
          );
        }
        if (move === 'rejected')
          assert.deepEqual([e.data.reject_reason, e.data.allow_new_request], ['사용 흔적', true], `${e.id}: why`);
      }
    }

    // The admin view of each event agrees with the receiver.
    for (const event of ordered) {
      const { recorded: seen, late } = recordedPosts(
        event.id,
        receiver.seen.filter((s) => s.id === event.id),
        o,
      );
      const deliveries = event.deliveries as Row[];
      // Each attempt recorded as it went: its URL, status and error (a status for any answer, a timeout for none).
      const recordedAs = (d: Row) =>
        d.error === null
          ? 'ok'
          : d.error === `HTTP ${d.status}`
            ? 'http'
            : d.error === `timeout: no answer within ${o.timeoutMs / 1000} s` && d.latency_ms >= o.timeoutMs - 1
              ? 'timeout'
              : d.status === null
                ? 'network'
                : `odd: ${d.error}`;
      const expectedAs = (s: Seen) =>
        s.behaviour === 'slow' || s.behaviour === 'silent'
          ? 'timeout'
          : s.behaviour === 'reset'
            ? 'network'
            : ok(s)
              ? 'ok'
              : 'http';
      assert.deepEqual(
        deliveries.map((d) => `${String(d.url).slice(receiver.base.length)} ${d.status} ${recordedAs(d)}`).sort(),
        seen.map((s) => `${s.path} ${s.status} ${expectedAs(s)}`).sort(),
        `${event.id}: the recorded deliveries are what the receiver answered`,
      );
      checkRounds(event, seen, late, o);
      // Sent right after it was written (the clock only moves once everything has settled), unless an instance
      // crashed (a new event it held waits for its hold to run out), a ledger call stalled while the clock moved, or
      // merchant webhooks were off for a while.
      const steady =
        o.crashed.size === 0 && o.stalls === 0 && [...o.senders.values()].every((sender) => sender.urls.length > 0);
      const first = Math.min(...seen.map((s) => s.at));
      if (steady && seen.length > 0) {
        assert.ok(
          first - event.created_at * 1000 < 5_000,
          `${event.id}: first sent ${first - event.created_at * 1000} ms on`,
        );
      }
    }
  }

  // /metrics counted each POST of every instance that did not crash, as the receiver answered it.
  for (const [tag, { delivered, failed_attempt }] of o.counted) {
    if (o.crashed.has(tag)) continue;
    const posts = receiver.seen.filter((s) => s.headers['x-model-sender'] === tag);
    assert.deepEqual(
      { delivered, failed_attempt },
      { delivered: posts.filter(ok).length, failed_attempt: posts.filter((s) => !ok(s)).length },
      `${tag}: refund_proxy_webhook_deliveries_total`,
    );
  }

  // Never two requests for one event at the same time.
  assert.equal(receiver.maxConcurrentPerId() <= 1, true, 'one POST of an event at a time');

  // No secret in an event, an admin answer or a log line.
  const everything = JSON.stringify([o.events, o.orders, o.logs]);
  for (const secret of o.secrets) {
    assert.ok(!everything.includes(secret.slice('whsec_'.length, 'whsec_'.length + 16)), 'a secret leaked');
  }
};

const replay = process.env.FC_SEED
  ? { seed: Number(process.env.FC_SEED), ...(process.env.FC_PATH ? { path: process.env.FC_PATH } : {}) }
  : {};

const property = (makeLedger: () => Promise<Ledger>) =>
  fc.asyncProperty(
    fc.array(actionArb, { minLength: 1, maxLength: 20 }),
    behavioursArb,
    fc.constantFrom<Client>('node', 'web'),
    fc.constantFrom(...TIMEOUTS_MS),
    (actions, behaviours, client, timeoutMs) => runModel(makeLedger, actions, behaviours, client, timeoutMs),
  );

/** FC_CASE: a counterexample as printed (`[actions, behaviours, client]`), run once as it is. */
const oneCase = process.env.FC_CASE
  ? (JSON.parse(process.env.FC_CASE) as [Action[], Behaviour[], Client?, number?])
  : null;

describe('merchant webhooks, model-based', () => {
  it('SQLite, one instance restarted: settled events keep every documented promise', { timeout: 600_000 }, async () => {
    if (oneCase) return runModel(sqliteLedger, ...oneCase);
    await fc.assert(property(sqliteLedger), { numRuns: NUM_RUNS, includeErrorInReport: true, ...replay });
  });

  const databaseUrl = process.env.DATABASE_URL;
  it('PostgreSQL, two instances: settled events keep every documented promise', {
    timeout: 600_000,
    skip: databaseUrl ? false : 'DATABASE_URL is not set',
  }, async () => {
    if (oneCase) return runModel(postgresLedger(databaseUrl!), ...oneCase);
    await fc.assert(property(postgresLedger(databaseUrl!)), {
      numRuns: PG_NUM_RUNS,
      includeErrorInReport: true,
      ...replay,
    });
  });
});
