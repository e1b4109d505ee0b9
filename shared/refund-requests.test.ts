// The request state table: every pair of state and action, legal or not, and what is open.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isOpenStatus, nextStatus, REQUEST_ACTIONS, REQUEST_STATUSES, type RequestAction } from './refund-requests.ts';

const LEGAL: Record<string, string> = {
  'requested withdraw': 'withdrawn',
  'requested approve': 'approved',
  'requested reject': 'rejected',
  'approved refund_succeeded': 'refunded',
  'approved refund_failed': 'failed',
  // Staff follow a failed refund up: approve again once the cause is fixed, or reject.
  'failed approve': 'approved',
  'failed reject': 'rejected',
  // Its refund, settled as not made, applied after all (also once staff rejected it meanwhile: the money went back).
  'failed refund_landed_late': 'refunded',
  'rejected refund_landed_late': 'refunded',
};

describe('refund request states', () => {
  it("allows exactly the nine moves of the table, and from a final state only a rejected request's late refund", () => {
    for (const from of REQUEST_STATUSES) {
      for (const action of Object.keys(REQUEST_ACTIONS) as RequestAction[]) {
        assert.equal(nextStatus(from, action), LEGAL[`${from} ${action}`] ?? null, `${from} ${action}`);
      }
    }
  });

  it('is open while requested or approved only', () => {
    assert.deepEqual(REQUEST_STATUSES.filter(isOpenStatus), ['requested', 'approved']);
  });
});
