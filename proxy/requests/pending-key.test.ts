// POST /refund-requests under an Idempotency-Key whose answer was never stored (the write after the answer failed
// once): the client's retry with the same key and body is answered with the request it made, however staff decided
// it since, and never makes a second request (which staff could approve: two refunds for one ask).
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createSqliteStore } from '../store/sqlite.ts';
import type { Store } from '../store/store.ts';
import type { Harness } from '../test-support/harness.ts';
import { requestCalls, withRequests } from '../test-support/request-calls.ts';

let h: Harness;
afterEach(async () => h?.close());

/** A SQLite store whose first storing of an Idempotency-Key's answer fails (a connection reset, once). */
const storeLosingFirstAnswer = (): Store => {
  const inner = createSqliteStore({ path: ':memory:' });
  let failed = false;
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (prop === 'completeIdempotencyKey' && !failed) {
        return async () => {
          failed = true;
          throw new Error('connection reset');
        };
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
};

describe("a request's Idempotency-Key whose answer was not stored", () => {
  for (const decision of ['approve', 'reject'] as const) {
    it(`answers the retry with the request it made, once staff ${decision === 'approve' ? 'approved' : 'rejected'} it`, async () => {
      h = await withRequests({ store: storeLosingFirstAnswer() });
      const calls = requestCalls(h);
      h.fake.addPayment({ merchant_uid: 'PK-1', amount: 20_000 });
      const body = { merchant_uid: 'PK-1', reason: '한 벌만 반품', cancel_request_amount: 8000 };
      const first = await calls.ask(body, { key: 'pk-1' });
      assert.equal(first.res.status, 201);
      await h.settled();
      const decided =
        decision === 'approve'
          ? await calls.approve(first.body.request.id)
          : await calls.reject(first.body.request.id, { reason: '이미 배송되었어요', allow_new_request: true });
      assert.equal(decided.res.status, 200);

      const retry = await calls.ask(body, { key: 'pk-1' });
      await h.settled();
      assert.equal(retry.res.status, 201, JSON.stringify(retry.body));
      assert.equal(retry.body.request.id, first.body.request.id, 'the request the first run made');
      assert.deepEqual(retry.body, first.body, "the first run's answer, as a stored one would be replayed");
      const view = await h.view('PK-1');
      assert.equal(view.body.request.id, first.body.request.id, 'no second request');
      assert.equal(view.body.request.status, decision === 'approve' ? 'refunded' : 'rejected');
      assert.equal(h.fake.count('cancel'), decision === 'approve' ? 1 : 0);
    });
  }

  it('a key used again after its lifetime (its record purged) is a new ask, never answered with the old request', async () => {
    const store = createSqliteStore({ path: ':memory:' });
    let failLatest = false;
    h = await withRequests({
      store: new Proxy(store, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver);
          if (prop === 'latestRequest' && failLatest) {
            return async () => {
              failLatest = false;
              throw new Error('connection reset'); // the new run ends before it makes anything
            };
          }
          return typeof value === 'function' ? value.bind(target) : value;
        },
      }),
    });
    const calls = requestCalls(h);
    h.fake.addPayment({ merchant_uid: 'PK-2', amount: 20_000 });
    const first = await calls.ask(
      { merchant_uid: 'PK-2', reason: '한 벌', cancel_request_amount: 3000 },
      { key: 'pk-2' },
    );
    assert.equal((await calls.reject(first.body.request.id, { reason: '사진을 보내 주세요' })).res.status, 200);
    h.clock.advance(26 * 3600 * 1000);
    await h.store.purgeIdempotencyKeys(h.clock.now() - 25 * 3600 * 1000);
    const body = { merchant_uid: 'PK-2', reason: '두 벌 모두', cancel_request_amount: 9000 };
    failLatest = true;
    assert.equal((await calls.ask(body, { key: 'pk-2' })).res.status, 503);
    await h.settled();
    const retry = await calls.ask(body, { key: 'pk-2' });
    assert.equal(retry.res.status, 201, JSON.stringify(retry.body));
    assert.notEqual(retry.body.request.id, first.body.request.id);
    assert.equal(retry.body.request.amount, 9000);
  });
});
