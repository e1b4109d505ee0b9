/**
 * @module barringRejection(): whether an order takes another refund request. A rejection that took no new request bars
 * one, whichever of the order's requests it ended (staff may reject an older failed request while a newer one is open,
 * which the customer then withdraws). A later rejection that takes a new request lifts it, when it ends a request as
 * new as the barring one or newer: rejecting an older, stale request (the reject's default takes a new request) does not
 * reopen an order whose latest request staff barred.
 */
import type { RefundRequestRecord } from '../store/requests.ts';
import type { Store } from '../store/store.ts';
import { orderRequests } from './order-requests.ts';

/** The rejection that bars a new request for the order (the latest-decided one that took none, unlifted), or null. */
export const barringRejection = async (
  store: Pick<Store, 'pageRequests'>,
  merchantUid: string,
): Promise<RefundRequestRecord | null> => {
  // Every request staff rejected has its reason, also one whose refund, failed before, was applied late since
  // (rejected → refunded, keeping its reject_reason): the money came back, and staff still said no more requests.
  const rejected = (await orderRequests(store, merchantUid)).filter((r) => r.reject_reason !== null);
  let bar: RefundRequestRecord | null = null;
  for (const r of rejected) {
    if (!r.allow_new_request && (bar === null || (r.decided_at ?? 0) > (bar.decided_at ?? 0))) bar = r;
  }
  if (bar === null) return null;
  const barAt = bar.decided_at ?? 0;
  const barOf = bar.created_at;
  // Lifted only by a rejection decided after it (one in the same millisecond cannot be told to be later) of a request
  // at least as new.
  const lifted = rejected.some((r) => r.allow_new_request && (r.decided_at ?? 0) > barAt && r.created_at >= barOf);
  return lifted ? null : bar;
};
