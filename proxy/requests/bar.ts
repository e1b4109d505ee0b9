/**
 * @module barringRejection(): whether an order takes another refund request. The shop's latest rejection decides (by
 * when it was decided, not when its request was made): staff may reject an older failed request while a newer one is
 * open, and a later rejection that takes a new request lifts an earlier one's bar.
 */
import type { RefundRequestRecord } from '../store/requests.ts';
import type { Store } from '../store/store.ts';

const PAGE = 100;

/** The order's latest-decided rejection when it took no new request (the request then barred), or null. */
export const barringRejection = async (
  store: Pick<Store, 'pageRequests'>,
  merchantUid: string,
): Promise<RefundRequestRecord | null> => {
  let latest: RefundRequestRecord | null = null;
  let after: { created_at: number; id: string } | undefined;
  for (;;) {
    // An order has few requests: its rejected ones are read whole, a page at a time.
    const page = await store.pageRequests({
      merchant_uid: merchantUid,
      status: 'rejected',
      limit: PAGE,
      ...(after ? { after } : {}),
    });
    for (const r of page) if (!latest || (r.decided_at ?? 0) > (latest.decided_at ?? 0)) latest = r;
    if (page.length < PAGE) return latest && !latest.allow_new_request ? latest : null;
    const last = page[page.length - 1] as RefundRequestRecord;
    after = { created_at: last.created_at, id: last.id };
  }
};
