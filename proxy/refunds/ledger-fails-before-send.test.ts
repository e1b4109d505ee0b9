// The ledger failing in the writes a refund makes just before it is sent (its attempt, its key's binding, the payment's
// mark, written together): nothing is sent, and the customer is told so. The attempt may have been written all the
// same; left unsettled, a retry with the key read it as a refund that may have been sent ("it may still be running
// there": REFUND_OUTCOME_UNKNOWN for ten minutes), which contradicted the first answer. Seen with PostgreSQL, whose
// driver fails the first statement of a connection opened again after the server ended it.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createSqliteStore } from '../store/sqlite.ts';
import type { Store } from '../store/store.ts';
import { createHarness, type Harness } from '../test-support/harness.ts';
import { cancelAtIamport } from '../test-support/iamport-side.ts';

let h: Harness;
afterEach(async () => h?.close());

/** An in-memory ledger whose next `failures` payment marks fail (its other writes go through). */
const markFailing = (failures: { left: number }): Store => {
  const inner = createSqliteStore({ path: ':memory:' });
  const markNeedsSync: Store['markNeedsSync'] = async (...args) => {
    if (failures.left > 0) {
      failures.left -= 1;
      throw Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    }
    return inner.markNeedsSync(...args);
  };
  return { ...inner, markNeedsSync };
};

/**
 * An in-memory ledger whose next `failures` attempt writes commit and then fail: their answer lost (PostgreSQL's
 * connection dropped after COMMIT), so the refund does not know its attempt was written.
 */
const insertLost = (failures: { left: number }): Store => {
  const inner = createSqliteStore({ path: ':memory:' });
  const insertAttempt: Store['insertAttempt'] = async (...args) => {
    const written = await inner.insertAttempt(...args);
    if (failures.left > 0) {
      failures.left -= 1;
      throw Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
    }
    return written;
  };
  return { ...inner, insertAttempt };
};

const CASES = [
  {
    name: 'answers "nothing was refunded", and a retry with its key refunds at once, once',
    store: markFailing,
    uid: 'LB-1',
    key: 'lb-key',
  },
  {
    // Before: the attempt was left unsettled, so the retry read it as a refund that may have been sent and answered
    // REFUND_OUTCOME_UNKNOWN ("the refund was sent") for ten minutes, against "this request sent no refund".
    name: "the attempt written but the write's answer lost: the key's retry refunds at once, once",
    store: insertLost,
    uid: 'LB-2',
    key: 'lb-key-2',
  },
] as const;

describe('the ledger failing just before a refund is sent', () => {
  for (const { name, store, uid, key } of CASES) {
    it(name, async () => {
      const failures = { left: 0 };
      h = await createHarness({ store: store(failures) });
      const p = h.fake.addPayment({ merchant_uid: uid, amount: 10_000 });
      assert.equal((await h.view(uid)).res.status, 200);
      const body = { merchant_uid: uid, reason: 'x', cancel_request_amount: 3000 };
      failures.left = 1;
      const first = await h.cancel(body, { key });
      assert.deepEqual(
        [first.res.status, first.body.error?.code],
        [503, 'UPSTREAM_UNAVAILABLE'],
        JSON.stringify(first.body),
      );
      assert.equal(h.fake.count('cancel'), 0, 'nothing was sent');
      await h.settled();
      const again = await h.cancel(body, { key });
      assert.equal(again.res.status, 200, `the retry: ${JSON.stringify(again.body)}`);
      assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 3000, 'refunded once');
      const attempts = await h.store.listAttempts(uid);
      assert.deepEqual(
        attempts.map((a) => [a.outcome, a.error_code]),
        [
          ['failed', 'UPSTREAM_UNAVAILABLE'],
          ['succeeded', null],
        ],
        'the first attempt ended as not sent',
      );
    });
  }
});

/**
 * An in-memory ledger whose next payment mark fails (nothing is sent) and whose next attempt end fails too (the
 * attempt, not known as unsent, is left unsettled), while `failing.on`.
 */
const unsentLeftOpen = (failing: { on: boolean }): Store => {
  const inner = createSqliteStore({ path: ':memory:' });
  const broken = () => Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' });
  const markNeedsSync: Store['markNeedsSync'] = async (...args) => {
    if (failing.on) throw broken();
    return inner.markNeedsSync(...args);
  };
  const finishAttempt: Store['finishAttempt'] = async (...args) => {
    if (failing.on) {
      failing.on = false;
      throw broken();
    }
    return inner.finishAttempt(...args);
  };
  return { ...inner, markNeedsSync, finishAttempt };
};

describe('an attempt never sent, left unsettled and settled as not made, beside one sent whose cancel lands late', () => {
  it("is not given that cancel: it is the refund of the key that sent it, and the first key's retry refunds afresh", async () => {
    const failing = { on: false };
    h = await createHarness({ store: unsentLeftOpen(failing), timeoutMs: 300 });
    const uid = 'LB-3';
    const p = h.fake.addPayment({ merchant_uid: uid, amount: 10_000 });
    await h.view(uid);
    const body = { merchant_uid: uid, reason: 'x', cancel_request_amount: 3000 };
    failing.on = true;
    const unsent = await h.cancel(body, { key: 'lb-unsent' });
    assert.equal(unsent.body.error?.code, 'UPSTREAM_UNAVAILABLE', JSON.stringify(unsent.body));
    assert.equal(h.fake.count('cancel'), 0, 'nothing was sent');
    // Another key, the same amount and words, ten minutes on (the first settled as not made first): its cancel gets no
    // answer, is settled as not made ten minutes later still, and lands after that.
    h.clock.advance(10 * 60_000 + 1000);
    h.fake.inject({ kind: 'drop', route: 'cancel' });
    assert.equal((await h.cancel(body, { key: 'lb-sent' })).body.error?.code, 'REFUND_OUTCOME_UNKNOWN');
    h.clock.advance(10 * 60_000 + 1000);
    assert.equal((await h.view(uid)).body.refundable, true, 'both settled as not made');
    await cancelAtIamport(h, p.imp_uid, 3000, undefined, 'x');
    const first = await h.cancel(body, { key: 'lb-unsent' });
    assert.deepEqual([first.res.status, first.body.refunded], [200, 3000], JSON.stringify(first.body));
    const second = await h.cancel(body, { key: 'lb-sent' });
    assert.deepEqual([second.res.status, second.body.refunded], [200, 3000], JSON.stringify(second.body));
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 6000, "the landed cancel, and the first key's own");
    const attempts = await h.store.listAttempts(uid);
    const sent = attempts.find((a) => a.idempotency_key === 'lb-sent' && a.late_of === null);
    const taken = attempts.find((a) => a.late_of !== null);
    assert.deepEqual(
      [taken?.idempotency_key, taken?.late_of],
      ['lb-sent', sent?.id],
      'the late cancel is the refund of the attempt that sent it',
    );
  });
});
