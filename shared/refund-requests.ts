/**
 * @module Refund requests (request mode): their states and the one table of transitions the proxy, the widget and
 * the console all read. A request is open while `requested` (waiting for staff) or `approved` (its refund running).
 * `failed` waits for staff too (they approve it again once the cause is fixed, or reject it) but no longer holds the
 * order: the customer may ask again, and a failed request that is no longer the order's latest cannot be approved
 * (the ledger checks that in the move itself, store/sql-requests.ts). Every other state is final but one: a request
 * rejected after its refund failed is refunded if that refund turns out to have been applied late (the money went
 * back). A transition not in the table cannot happen through any route.
 */
import * as v from 'valibot';

export const REQUEST_STATUSES = ['requested', 'approved', 'refunded', 'failed', 'rejected', 'withdrawn'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** What moves a request, and who may do it. */
export const REQUEST_ACTIONS = {
  /** The customer takes the request back (POST /refund-requests/:id/withdraw). */
  withdraw: 'customer',
  /** Staff approve it (again, after a failed refund); its refund starts (POST /admin|/staff/refund-requests/:id/approve). */
  approve: 'staff',
  /** Staff reject it, with a reason (…/reject). */
  reject: 'staff',
  /** The approved refund went through (or, for a virtual account, the PG accepted it). */
  refund_succeeded: 'proxy',
  /** The approved refund was refused (or could not start); nothing was refunded, and staff follow up. */
  refund_failed: 'proxy',
  /**
   * A failed request's refund, settled as not made (sent, unanswered, not shown in the gateway's time for it), was
   * shown applied after all: it was refunded then (refunds/late-approvals.ts). So was it when staff rejected the
   * failed request meanwhile: the customer's money went back whatever was decided, and the request says so (its
   * rejection's reason and whether it took a new request stay).
   */
  refund_landed_late: 'proxy',
} as const;
export type RequestAction = keyof typeof REQUEST_ACTIONS;

/** from → action → to. Nothing else is a legal move. */
export const REQUEST_TRANSITIONS: Readonly<Record<RequestStatus, Partial<Record<RequestAction, RequestStatus>>>> = {
  requested: { withdraw: 'withdrawn', approve: 'approved', reject: 'rejected' },
  approved: { refund_succeeded: 'refunded', refund_failed: 'failed' },
  refunded: {},
  failed: { approve: 'approved', reject: 'rejected', refund_landed_late: 'refunded' },
  rejected: { refund_landed_late: 'refunded' },
  withdrawn: {},
};

/** Where `action` takes a request in `from`, or null when the table does not allow it. */
export const nextStatus = (from: RequestStatus, action: RequestAction): RequestStatus | null =>
  REQUEST_TRANSITIONS[from][action] ?? null;

/** Open: no second request of the order may be made while one is. */
export const isOpenStatus = (status: RequestStatus): boolean => status === 'requested' || status === 'approved';

/**
 * The order's latest request as the customer's view shows it (`GET /payments/:merchant_uid`'s `request`). Times are
 * UNIX seconds. `allow_new_request`: whether the customer may ask again (false while one is open, and after a
 * rejection that disallowed it).
 */
export const RequestViewSchema = v.object({
  id: v.string(),
  status: v.picklist(REQUEST_STATUSES),
  amount: v.number(),
  /** What staff approved (at most `amount`), once they did; what a refunded request refunded. Older proxies: absent. */
  approved_amount: v.optional(v.nullable(v.number())),
  reason: v.string(),
  created_at: v.number(),
  decided_at: v.nullable(v.number()),
  reject_reason: v.nullable(v.string()),
  allow_new_request: v.boolean(),
});
export type RequestView = v.InferOutput<typeof RequestViewSchema>;

/** `POST /refund-requests`'s 201 answer. */
export const RequestCreatedSchema = v.object({
  ok: v.literal(true),
  request: v.object({
    id: v.string(),
    merchant_uid: v.string(),
    status: v.literal('requested'),
    amount: v.number(),
    reason: v.string(),
    created_at: v.number(),
  }),
});
export type RequestCreated = v.InferOutput<typeof RequestCreatedSchema>;
