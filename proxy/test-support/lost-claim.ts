/**
 * What an approval whose claim was written but whose answer was lost must come to, whichever layer lost it (the store's
 * answer, unstarted-approval.test.ts; PostgreSQL's COMMIT answer, postgres-lost-commit.test.ts): answered as the ledger
 * failing, nothing sent, the request failed at once; approved again, refunded once.
 */
import assert from 'node:assert/strict';
import type { Harness } from './harness.ts';
import { requestCalls } from './request-calls.ts';

/** Approves request `id` with the loss armed by `arm`, then again, asserting both answers and what was sent. */
export const approveAfterLostClaim = async (h: Harness, id: string, arm: () => void): Promise<void> => {
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
