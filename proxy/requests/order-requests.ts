/** @module orderRequests(): every request of one order (of one status, when given), read a page at a time. */
import type { RequestStatus } from '../../shared/refund-requests.ts';
import type { RefundRequestRecord } from '../store/requests.ts';
import type { Store } from '../store/store.ts';

const PAGE = 100;

/** An order has few requests, so they are read whole; newest first, as pageRequests gives them. */
export const orderRequests = async (
  store: Pick<Store, 'pageRequests'>,
  merchantUid: string,
  status?: RequestStatus,
): Promise<RefundRequestRecord[]> => {
  const all: RefundRequestRecord[] = [];
  let after: { created_at: number; id: string } | undefined;
  for (;;) {
    const page = await store.pageRequests({
      merchant_uid: merchantUid,
      limit: PAGE,
      ...(status ? { status } : {}),
      ...(after ? { after } : {}),
    });
    all.push(...page);
    if (page.length < PAGE) return all;
    const last = page[page.length - 1] as RefundRequestRecord;
    after = { created_at: last.created_at, id: last.id };
  }
};
