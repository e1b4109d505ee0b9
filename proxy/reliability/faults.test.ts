// Faults at i'mport and at the ledger: after each, the ledger converges to i'mport, no refund happens twice, and none
// is reported as done that did not happen. The client behaves like the widget: a 503 or no answer is retried with
// the same Idempotency-Key.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { LEDGER_DOWN, LEDGER_DOWN_NO_REFUND } from '../errors.ts';
import { createPostgresStore } from '../store/postgres.ts';
import { createSqliteStore } from '../store/sqlite.ts';
import type { Store } from '../store/store.ts';
import { KEY } from '../test-support/admin-calls.ts';
import type { Harness } from '../test-support/harness.ts';
import { GATEWAYS, type GatewayName, type Running, type SharedFault } from './gateways.ts';
import { assertMoneyInvariants, type Seen } from './invariants.ts';

let h: Harness;
afterEach(async () => h?.close());

/** An in-memory SQLite ledger whose `method` fails as a full or broken disk would, while `failing()` says so. */
const failingStore = (method: 'upsertPayment' | 'completeIdempotencyKey', failing: () => boolean): Store => {
  const inner = createSqliteStore({ path: ':memory:' });
  const real = inner[method] as (...args: unknown[]) => Promise<unknown>;
  const flaky = async (...args: unknown[]) => {
    if (failing()) throw new Error('disk I/O error');
    return real(...args);
  };
  return { ...inner, [method]: flaky };
};

/**
 * Sends one refund intent, retrying with the same key while the answer says to (a 503, or REFUND_IN_PROGRESS), as the
 * widget does, at most 6 tries. A customer told the outcome is not known yet comes back later: each retry is 4
 * minutes on, so a cancel that got no answer and that the gateway never shows is settled once it could no longer be
 * running there (Gateway.changeMayRunForMs).
 */
const refundLikeTheWidget = async (body: Record<string, unknown>, key: string): Promise<Seen> => {
  let last: Seen | undefined;
  for (let attempt = 0; attempt < 6; attempt++) {
    if (attempt > 0) h.clock.advance(4 * 60_000);
    const { res, body: answer } = await h.cancel(body, { key });
    last = { status: res.status, body: answer };
    if (res.status !== 503 && answer.error?.code !== 'REFUND_IN_PROGRESS') return last;
  }
  return last!;
};

interface Scenario {
  readonly name: string;
  /** Faults queued before the second of five refunds. */
  readonly faults: readonly SharedFault[];
  /** Something else to do before the second refund (e.g. expire the token). */
  readonly before?: (g: Running) => void;
  readonly timeoutMs?: number;
  /** Refund intents that end refused rather than refunded. */
  readonly refused?: number;
  /** Requests the faults strike, when not one per `times` of `faults` (a fault queued by `before`). */
  readonly strikes?: number;
  /** The one gateway the case has a meaning on; both unless said (and why, beside it). */
  readonly only?: GatewayName;
}

const scenarios: Scenario[] = [
  // V2 authenticates every call with its API secret: there is no token to expire, so these two are V1's alone.
  { name: 'the token expiring mid-run', faults: [], before: (g) => g.h.fake.expireTokens(), only: 'iamport' },
  {
    name: 'the token expiring while getToken answers 5xx',
    faults: [],
    before: (g) => {
      g.h.fake.inject({ kind: 'http_5xx', route: 'token', status: 503 });
      g.h.fake.expireTokens();
    },
    strikes: 1,
    only: 'iamport',
  },
  // V1's 502 is an HTML page and its 500 an envelope; V2's fake answers both as its load balancer's HTML page.
  { name: 'HTTP 502 on the cancel', faults: [{ kind: 'http_5xx', route: 'cancel', status: 502 }] },
  { name: 'HTTP 500 on the cancel', faults: [{ kind: 'http_5xx', route: 'cancel', status: 500 }] },
  { name: 'a timeout on the cancel', faults: [{ kind: 'delay', route: 'cancel', ms: 3000 }], timeoutMs: 300 },
  { name: 'a dropped connection on the cancel', faults: [{ kind: 'drop', route: 'cancel' }] },
  { name: 'dropped connections on every route, twice', faults: [{ kind: 'drop', route: 'any', times: 2 }] },
  { name: 'connections refused, twice', faults: [{ kind: 'refuse_connection', times: 2 }] },
  { name: 'a PG refusal', faults: [{ kind: 'pg_refusal', message: '해당거래 취소실패' }], refused: 1 },
  { name: 'a cancel applied whose response is lost', faults: [{ kind: 'lose_response' }] },
  {
    name: 'a cancel applied whose response is lost, and the re-fetch failing',
    faults: [{ kind: 'lose_response' }, { kind: 'http_5xx', route: 'payment', times: 2 }],
  },
  {
    name: 'a cancel applied whose answer comes after the proxy gave up',
    faults: [{ kind: 'hold_response', ms: 600 }],
    timeoutMs: 300,
  },
];

for (const gateway of GATEWAYS) {
  describe(`faults at ${gateway.label}`, () => {
    for (const scenario of scenarios.filter((s) => (s.only ?? gateway.name) === gateway.name)) {
      it(`${scenario.name}: converges, refunds once, reports only what happened`, async () => {
        const g = await gateway.start({ timeoutMs: scenario.timeoutMs ?? 2000 });
        h = g.h;
        g.addPayment('F-1', 10_000);
        const answers: Seen[] = [];
        for (let i = 0; i < 5; i++) {
          if (i === 1) {
            scenario.before?.(g);
            for (const fault of scenario.faults) g.inject(fault);
          }
          answers.push(
            await refundLikeTheWidget({ merchant_uid: 'F-1', cancel_request_amount: 1500, reason: `r${i}` }, `f-${i}`),
          );
        }
        const queued = scenario.faults.reduce((sum, fault) => sum + (fault.times ?? 1), 0);
        assert.equal(g.struck(), scenario.strikes ?? queued, 'every fault struck');
        const refused = answers.filter((a) => a.status !== 200);
        assert.equal(refused.length, scenario.refused ?? 0, JSON.stringify(refused.map((a) => a.body)));
        for (const a of refused) assert.equal(a.body.error.code, 'PG_PROVIDER');
        await assertMoneyInvariants({ held: g.held('F-1'), store: h.store, merchantUid: 'F-1', answers });
        // A last full refund after the storm takes exactly what is left.
        const rest = await refundLikeTheWidget({ merchant_uid: 'F-1', reason: 'rest' }, 'f-rest');
        assert.equal(rest.status, 200);
        assert.equal(g.held('F-1').refunded, 10_000);
        await assertMoneyInvariants({
          held: g.held('F-1'),
          store: h.store,
          merchantUid: 'F-1',
          answers: [...answers, rest],
        });
      });
    }
  });
}

for (const gateway of GATEWAYS) {
  describe(`a ledger write failing after ${gateway.label} refunded`, () => {
    it('still answers the refund as done; the row marked before the cancel makes the next look re-read the gateway, and nothing is refunded twice', async () => {
      let failWrites = false;
      const g = await gateway.start({ store: failingStore('upsertPayment', () => failWrites) });
      h = g.h;
      g.addPayment('W-FAIL', 10_000);
      await h.view('W-FAIL');
      failWrites = true;
      const first = await h.cancel(
        { merchant_uid: 'W-FAIL', cancel_request_amount: 4000, reason: 'x' },
        { key: 'w-1' },
      );
      failWrites = false;
      assert.equal(first.res.status, 200, 'the money moved, so the customer is told');
      const behind = (await h.store.getPayment('W-FAIL'))!;
      assert.equal(behind.cancel_amount, 0, 'the ledger fell behind');
      assert.equal(behind.needs_sync, true, 'but its row was marked before the cancel went out');
      assert.ok(
        h.logs.some((l) => l.msg === 'ledger write failed after a refund'),
        'and it was logged',
      );
      const rest = await h.cancel({ merchant_uid: 'W-FAIL', reason: 'rest' }, { key: 'w-2' });
      assert.equal(rest.body.refunded, 6000, 'the next refund read the gateway first and took exactly what is left');
      assert.equal(g.cancels(), 2);
      await assertMoneyInvariants({
        held: g.held('W-FAIL'),
        store: h.store,
        merchantUid: 'W-FAIL',
        answers: [first, rest].map(({ res, body }) => ({ status: res.status, body })),
      });
    });
  });

  describe(`the writes that follow an answer failing, on ${gateway.label}`, () => {
    it('leave the refund answered once: the retry with the same key reports it, and the gateway is not called again', async () => {
      let failTail = false;
      const g = await gateway.start({ store: failingStore('completeIdempotencyKey', () => failTail) });
      h = g.h;
      g.addPayment('T-FAIL', 10_000);
      failTail = true;
      const body = { merchant_uid: 'T-FAIL', cancel_request_amount: 3000, reason: 'x' };
      const first = await h.cancel(body, { key: 't-1' });
      await h.settled();
      failTail = false;
      assert.equal(first.res.status, 200);
      assert.ok(
        h.logs.some((l) => l.msg === 'could not finish under a lease' && /disk I\/O error/.test(String(l.error))),
        'the failure was logged',
      );
      const retry = await h.cancel(body, { key: 't-1' });
      assert.equal(retry.res.status, 200, 'the lease was released despite the failed write');
      assert.equal(retry.body.refunded, 3000);
      assert.equal(retry.body.cancelable_amount, 7000);
      assert.equal(g.cancels(), 1, 'one cancel at the gateway');
      await assertMoneyInvariants({
        held: g.held('T-FAIL'),
        store: h.store,
        merchantUid: 'T-FAIL',
        answers: [{ status: first.res.status, body: first.body }],
      });
    });
  });

  describe(`the ledger database unreachable, on ${gateway.label}`, () => {
    it('answers a clear 503 and never calls the gateway', async () => {
      // Port 1 on loopback refuses at once: a PostgreSQL server that is down.
      const g = await gateway.start({
        store: {
          ...createPostgresStore({ url: 'postgres://postgres@127.0.0.1:1/postgres', max: 1 }),
          migrate: async () => {},
        },
        config: { admin: { keys: [KEY], perKeyPerMinute: 0, generated: false } },
      });
      h = g.h;
      g.addPayment('DB-DOWN', 1000);
      const cancel = await h.cancel({ merchant_uid: 'DB-DOWN', reason: 'x' }, { key: 'db-down' });
      assert.equal(cancel.res.status, 503);
      assert.equal(cancel.body.error.code, 'UPSTREAM_UNAVAILABLE');
      assert.match(cancel.body.error.message, /this request sent no refund/);
      // An approval could send a refund too, and is told so; a route that never sends one is not told of refunds.
      const admin = async (path: string, method = 'GET') => {
        const res = await h!.app.request(path, { method, headers: { Authorization: `Bearer ${KEY}` } });
        const { error } = (await res.json()) as { error: { code: string; message: string } };
        return { status: res.status, error };
      };
      const approve = await admin('/admin/refund-requests/rr_0123/approve', 'POST');
      assert.deepEqual([approve.status, approve.error.message], [503, LEDGER_DOWN]);
      const view = await h.view('DB-DOWN');
      assert.equal(view.res.status, 503);
      assert.equal(view.body.error.message, LEDGER_DOWN_NO_REFUND);
      const list = await admin('/admin/refunds');
      assert.deepEqual(
        [list.status, list.error.code, list.error.message],
        [503, 'UPSTREAM_UNAVAILABLE', LEDGER_DOWN_NO_REFUND],
      );
      const health = await h.app.request('/health');
      assert.equal(health.status, 503);
      assert.equal(g.calls(), 0, 'the gateway was never called');
    });
  });
}
