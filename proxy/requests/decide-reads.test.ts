// What an approval asks of the ledger: no read of the request, only its claim (the move to approved, with the
// approval's checks in it); the answer is the request as its attempt's end moved it (handed back by the store), not a
// read, and it is the row as stored.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createSqliteStore } from '../store/sqlite.ts';
import type { Store } from '../store/store.ts';
import type { Harness } from '../test-support/harness.ts';
import { ACCOUNT, requestCalls, withRequests } from '../test-support/request-calls.ts';
import { adminRequestRow } from './shapes.ts';

let h: Harness;
afterEach(async () => h?.close());

/** A store whose method calls are counted by name, then passed on unchanged. */
const counting = (store: Store) => {
  const calls = new Map<string, number>();
  const counted = new Proxy(store, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof value !== 'function' || typeof name !== 'string') return value;
      return (...args: unknown[]) => {
        calls.set(name, (calls.get(name) ?? 0) + 1);
        return value.apply(target, args);
      };
    },
  });
  return { store: counted, calls };
};

/** A request of a new vbank order (a sealed account to open at approval); its id. */
const requested = async (uid: string): Promise<string> => {
  h.fake.addPayment({ merchant_uid: uid, amount: 20000, pay_method: 'vbank', pg_provider: 'html5_inicis' });
  const made = await requestCalls(h).ask({
    merchant_uid: uid,
    reason: '사이즈가 맞지 않아요',
    cancel_request_amount: 8000,
    refund_holder: '홍길동',
    refund_bank: '88',
    refund_account: ACCOUNT,
  });
  assert.equal(made.res.status, 201);
  return made.body.request.id;
};

describe("an approval's reads of its request", () => {
  it('never reads the request: the answer is the refunded request as its attempt moved it, as stored', async () => {
    const { store, calls } = counting(createSqliteStore({ path: ':memory:' }));
    h = await withRequests({ store });
    const id = await requested('R-1');
    calls.clear();
    const done = await requestCalls(h).approve(id, { amount: 6000 });
    assert.equal(done.res.status, 200);
    assert.equal(done.body.refund.ok, true);
    assert.equal(calls.get('getRequest'), undefined, 'not before the move, nor for the answer');
    assert.equal(calls.get('claimApproval'), 1, 'the compare-and-set to approved');
    assert.equal(calls.get('transitionRequest'), undefined, 'the end moved it in its own write');
    const stored = await h.store.getRequest(id);
    const [attempt] = await h.store.listAttempts('R-1');
    assert.equal(stored?.status, 'refunded');
    assert.equal(stored?.attempt_id, attempt?.id);
    assert.equal(stored?.refund_secret, null, 'erased once refunded');
    assert.deepEqual(
      done.body.request,
      { ...adminRequestRow(stored!), currency: 'KRW' },
      'the answer is the row as stored',
    );
  });

  it("never reads the request for an approval i'mport refuses: the answer is the failed request, with its code", async () => {
    const { store, calls } = counting(createSqliteStore({ path: ':memory:' }));
    h = await withRequests({ store });
    const id = await requested('R-2');
    h.fake.inject({ kind: 'pg_refusal' });
    calls.clear();
    const refused = await requestCalls(h).approve(id);
    assert.equal(refused.body.refund.ok, false);
    assert.equal(calls.get('getRequest'), undefined);
    const stored = await h.store.getRequest(id);
    assert.equal(stored?.status, 'failed');
    assert.equal(stored?.error_code, refused.body.refund.error.code);
    assert.ok(stored?.refund_secret, 'kept: staff may approve a failed request again');
    assert.deepEqual(refused.body.request, { ...adminRequestRow(stored!), currency: 'KRW' });
  });

  it('reads the request as it stands when no attempt moved it (an unknown outcome)', async () => {
    const { store, calls } = counting(createSqliteStore({ path: ':memory:' }));
    h = await withRequests({ store });
    const id = await requested('R-3');
    h.fake.inject({ kind: 'lose_response' });
    h.fake.inject({ kind: 'http_5xx', route: 'payment', times: Number.POSITIVE_INFINITY });
    calls.clear();
    const unknown = await requestCalls(h).approve(id);
    assert.equal(unknown.body.refund.error.code, 'REFUND_OUTCOME_UNKNOWN');
    assert.equal(unknown.body.request.status, 'approved');
    assert.equal(calls.get('getRequest'), 1, 'nothing handed back: read once, for the answer');
    assert.deepEqual(unknown.body.request, { ...adminRequestRow((await h.store.getRequest(id))!), currency: 'KRW' });
  });
});
