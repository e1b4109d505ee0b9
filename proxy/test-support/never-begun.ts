/**
 * What an approval whose refund never began because the ledger failed once after its claim must come to, whichever call
 * failed (the refund's first write, or the claim itself with its answer lost: the store's, unstarted-approval.test.ts;
 * PostgreSQL's COMMIT's, postgres-lost-commit.test.ts): answered as the ledger failing, nothing sent, the request failed
 * at once; approved again, refunded once.
 */
import assert from 'node:assert/strict';
import type { Harness } from './harness.ts';
import { requestCalls } from './request-calls.ts';

/** Approves request `id` with the failure armed by `arm`, then again, asserting both answers and what was sent. */
export const approveNeverBegun = async (h: Harness, id: string, arm: () => void): Promise<void> => {
  const calls = requestCalls(h);
  arm();
  const first = await calls.approve(id);
  assert.deepEqual([first.res.status, first.body.error?.code], [503, 'UPSTREAM_UNAVAILABLE']);
  assert.equal(h.fake.count('cancel'), 0, 'nothing was sent');
  // Before: left `approved` with no refund begun (the customer shown it approved), and approving it again answered
  // REFUND_IN_PROGRESS for ten minutes.
  const failed = await h.store.getRequest(id);
  assert.deepEqual([failed?.status, failed?.error_code], ['failed', 'UPSTREAM_UNAVAILABLE']);

  const again = await calls.approve(id);
  assert.equal(again.res.status, 200, JSON.stringify(again.body));
  assert.equal(again.body.request.status, 'refunded');
  assert.equal(h.fake.count('cancel'), 1);
};
