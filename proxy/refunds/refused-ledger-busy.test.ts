// A PG's refusal that the payment shows applied all the same ("해당거래 취소실패(기취소성공)"), while the ledger cannot be
// written: another process on the same SQLite file holding its write lock past busy_timeout ("database is locked"),
// or PostgreSQL failing for a moment. The refund happened, so the answer must not say that nothing was refunded.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createSqliteStore } from '../store/sqlite.ts';
import type { Store } from '../store/store.ts';
import { createHarness, type Harness } from '../test-support/harness.ts';

let h: Harness;
afterEach(async () => h?.close());

/** An in-memory ledger whose payment writes fail as a locked SQLite file's do, while `locked()` says so. */
const lockedWhile = (locked: () => boolean): Store => {
  const inner = createSqliteStore({ path: ':memory:' });
  const upsertPayment: Store['upsertPayment'] = async (...args) => {
    if (locked()) throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    return inner.upsertPayment(...args);
  };
  return { ...inner, upsertPayment };
};

describe("a PG's refusal applied all the same, while the ledger is locked", () => {
  it('is not answered "nothing was refunded"; a retry with its key answers the refund, and nothing is sent twice', async () => {
    // Locked from the moment i'mport has the cancel until the first answer: the re-read after the refusal is not stored.
    let lockAfter = Number.POSITIVE_INFINITY;
    h = await createHarness({ store: lockedWhile(() => h.fake.count('cancel') > lockAfter) });
    const p = h.fake.addPayment({ merchant_uid: 'RL-1', amount: 10_000 });
    const body = { merchant_uid: 'RL-1', reason: 'x', cancel_request_amount: 3000 };
    // The ledger knows the order before the refund, as it does once a customer has opened the widget.
    assert.equal((await h.view('RL-1')).res.status, 200);
    h.fake.inject({ kind: 'pg_refusal', applied: true, message: '해당거래 취소실패(기취소성공)' });
    const cancelsBefore = h.fake.count('cancel');
    lockAfter = cancelsBefore;
    const first = await h.cancel(body, { key: 'rl-key' });
    lockAfter = Number.POSITIVE_INFINITY;
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 3000, 'the PG made the refund');
    const said = JSON.stringify(first.body);
    assert.ok(
      first.res.status === 200 || first.body.error?.code === 'REFUND_OUTCOME_UNKNOWN',
      `answered ${first.res.status} ${said}`,
    );
    assert.doesNotMatch(said, /nothing was refunded/);

    const retry = await h.cancel(body, { key: 'rl-key' });
    assert.deepEqual([retry.res.status, retry.body.refunded], [200, 3000], JSON.stringify(retry.body));
    assert.equal(h.fake.count('cancel') - cancelsBefore, 1, 'one cancel sent');
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 3000);
  });
});
