// A refund answered 200 whose stored answer for its Idempotency-Key was lost (the ledger failed as it was written): the
// key's retry learns the refund from the audit. When i'mport cannot be read at that moment, the retry still answers
// that refund from the ledger's copy, never "i'mport could not be reached; this request sent no refund".
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createSqliteStore } from '../store/sqlite.ts';
import type { Store } from '../store/store.ts';
import { createHarness, type Harness } from '../test-support/harness.ts';

let h: Harness;
afterEach(async () => h?.close());

/** An in-memory ledger in which storing a key's answer fails while `failing.on`. */
const answersLost = (failing: { on: boolean }): Store => {
  const inner = createSqliteStore({ path: ':memory:' });
  const completeIdempotencyKey: Store['completeIdempotencyKey'] = async (...args) => {
    if (failing.on) throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' });
    return inner.completeIdempotencyKey(...args);
  };
  return { ...inner, completeIdempotencyKey };
};

describe("a refund whose key's stored answer was lost", () => {
  it("is the key's answer again while i'mport cannot be read, from the ledger's copy", async () => {
    const failing = { on: true };
    h = await createHarness({ store: answersLost(failing), timeoutMs: 300 });
    const p = h.fake.addPayment({ merchant_uid: 'SAL-1', amount: 10_000 });
    await h.view('SAL-1');
    const body = { merchant_uid: 'SAL-1', reason: 'x', cancel_request_amount: 1000 };
    const first = await h.cancel(body, { key: 'sal-key' });
    assert.deepEqual([first.res.status, first.body.refunded], [200, 1000], JSON.stringify(first.body));
    await h.settled();
    // Another refund of the order whose cancel fails and whose re-read fails too: the ledger's row stays marked, so the
    // next request of the order must read the payment from i'mport, which is down now.
    h.fake.inject({ kind: 'http_5xx', route: 'cancel', status: 500 });
    h.fake.inject({ kind: 'http_5xx', route: 'payment', times: 10 });
    const other = await h.cancel({ ...body, cancel_request_amount: 2000 }, { key: 'sal-other' });
    assert.equal(other.res.status, 503, JSON.stringify(other.body));
    assert.equal((await h.store.getPayment('SAL-1'))?.needs_sync, true, 'marked: its figures are not trusted');
    const again = await h.cancel(body, { key: 'sal-key' });
    assert.deepEqual([again.res.status, again.body.refunded], [200, 1000], JSON.stringify(again.body));
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 1000, 'refunded once');
  });
});
