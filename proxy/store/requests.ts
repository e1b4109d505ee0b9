/**
 * @module The ledger's refund requests (request mode): what a customer asked for, what staff decided, and which
 * refund attempt carried it out. Times are epoch ms from the caller. Every status change is a compare-and-set on the
 * status the caller read, so of racing deciders (on any number of instances) exactly one moves a request.
 */
import type { RequestStatus } from '../../shared/refund-requests.ts';
import type { NewEvent } from './outbox.ts';

export interface RefundRequestRecord {
  readonly id: string;
  readonly merchant_uid: string;
  readonly status: RequestStatus;
  /** What the customer asked for (the whole refundable balance when they left it out). */
  readonly amount: number;
  readonly reason: string;
  readonly refund_bank: string | null;
  /** Never the full number: e.g. `****8400`. */
  readonly refund_account_masked: string | null;
  /** The refund account (holder, number, phone) sealed by proxy/requests/account-crypto.ts; null once erased. */
  readonly refund_secret: string | null;
  readonly idempotency_key: string | null;
  readonly grant_subject: string;
  /** The customer's grant's `tax_free_amount` and `vat_amount`, which the approval's refund forwards; null without. */
  readonly tax_free_amount: number | null;
  readonly vat_amount: number | null;
  /**
   * The customer's grant's `jti` and `max_amount`: the approval's refund is made under that grant, so it counts against
   * the cap as the customer's own refunds would. Null without (and for requests made before the ledger kept them).
   */
  readonly grant_jti: string | null;
  readonly grant_max_amount: number | null;
  /**
   * The payment (the gateway's id) the request was made about: its approval refunds that one only. Null for requests
   * made before the ledger kept it.
   */
  readonly imp_uid: string | null;
  /**
   * The cancels (their ids: cancel-history.ts entryId) that payment showed when the request was taken, which the
   * customer asked knowing of. Null for requests made before the ledger kept them.
   */
  readonly cancels_seen: readonly string[] | null;
  readonly created_at: number;
  readonly decided_at: number | null;
  /** Who approved or rejected it (an admin key's id); null until then, and for a withdrawal. */
  readonly decided_by: string | null;
  readonly reject_reason: string | null;
  readonly allow_new_request: boolean;
  /** The amount staff approved (at most `amount`). */
  readonly approved_amount: number | null;
  readonly note: string | null;
  /** The refund attempt that carried out the approval, once it ended. */
  readonly attempt_id: string | null;
  /** Why the approved refund failed (an error code of shared/errors.ts); cleared when it is approved again. */
  readonly error_code: string | null;
  /** How many times it was approved (more than once only after a failed refund): the round its refund belongs to. */
  readonly approvals: number;
  readonly updated_at: number;
}

export type NewRefundRequest = Omit<
  RefundRequestRecord,
  | 'status'
  | 'decided_at'
  | 'decided_by'
  | 'reject_reason'
  | 'allow_new_request'
  | 'approved_amount'
  | 'note'
  | 'attempt_id'
  | 'error_code'
  | 'approvals'
  | 'updated_at'
>;

/** A move from `from` to `to` (computed by the caller with nextStatus()) and the fields it sets. */
export interface RequestChange {
  readonly from: RequestStatus;
  readonly to: RequestStatus;
  readonly now: number;
  readonly decided_at?: number;
  readonly decided_by?: string | null;
  readonly reject_reason?: string;
  readonly allow_new_request?: boolean;
  readonly approved_amount?: number;
  readonly note?: string | null;
  readonly error_code?: string;
  /**
   * Only while the request is still in this approval round (its `approvals` as the caller read them) and that round's
   * refund has not begun (no attempt bound to it: Store.insertAttempt): a move judged from a read of one approval must
   * not land on the next one, claimed meanwhile by someone else, nor on a refund about to be sent.
   */
  readonly round?: number;
}

/**
 * An approval's claim (claimApproval): the request moves to `approved` only if it may be approved now and every
 * condition the approval checks holds, all in the one compare-and-set.
 */
export interface ApprovalClaim {
  readonly now: number;
  readonly decided_by: string;
  /** What staff approve; null approves what the customer asked. At most that, at least its tax-free part. */
  readonly amount: number | null;
  readonly note: string | null;
  /**
   * How a sealed refund account this process can open begins (Sealer.openablePrefixes): a request with another is
   * left as it is, so a request sealed under a retired key stays waiting until the key is configured again.
   */
  readonly openablePrefixes: readonly string[];
}

/** Which requests pageRequests returns: newest first by (created_at, id), every filter optional. */
export interface RequestPageQuery {
  readonly status?: RequestStatus;
  readonly merchant_uid?: string;
  /** newest first (the default), or oldest first (a queue of requests waiting); `after` is in that order. */
  readonly order?: 'newest' | 'oldest';
  readonly from?: number;
  readonly to?: number;
  readonly after?: { readonly created_at: number; readonly id: string };
  readonly limit: number;
}

export type RequestInsert =
  | { readonly created: true; readonly request: RefundRequestRecord }
  /** The order already has an open request (one per order, enforced by a unique index): that one. */
  | { readonly created: false; readonly open: RefundRequestRecord };

export interface RequestStore {
  /**
   * Inserts a `requested` request unless the order has an open one; `event` is written in the same transaction, and
   * the sealed accounts of the order's failed requests (which only the latest may be approved again) are erased.
   */
  insertRequest(request: NewRefundRequest, event?: NewEvent): Promise<RequestInsert>;
  getRequest(id: string): Promise<RefundRequestRecord | null>;
  /** The order's latest request, or null. */
  latestRequest(merchantUid: string): Promise<RefundRequestRecord | null>;
  /**
   * Moves a request from `change.from` to `change.to` only if it is still in `from`; null when it was not (someone
   * else moved it first). A move to `approved` counts an approval (and clears the last refund's attempt and error),
   * and happens only while the request is its order's latest and no other of the order is open (null otherwise). A
   * final status other than `failed` erases the sealed account. `event` is written in the same transaction, only
   * when the move happened.
   */
  transitionRequest(id: string, change: RequestChange, event?: NewEvent): Promise<RefundRequestRecord | null>;
  /**
   * An approval in one write: moves request `id` to `approved` as transitionRequest does (from any status the table
   * lets `approve` leave, while the request is its order's latest), only if `claim`'s conditions hold; null when it did
   * not move (the caller reads the request to tell why). `event` builds the approval's event from the moved request,
   * written in the same transaction. One round trip where reading the request first and then moving it took two.
   */
  claimApproval(
    id: string,
    claim: ApprovalClaim,
    event?: (moved: RefundRequestRecord) => NewEvent,
  ): Promise<RefundRequestRecord | null>;
  pageRequests(query: RequestPageQuery): Promise<RefundRequestRecord[]>;
  /**
   * Requests `approved` before `claimedBefore` (their claim's `decided_at`, epoch ms) whose refund has not begun (no
   * attempt bound to them), longest waiting first, at most `limit`: approvals that ended before their refund began (a
   * stopped process, the ledger failing twice), for the background check. Read off the open requests' index.
   */
  unstartedApprovals(claimedBefore: number, limit: number): Promise<RefundRequestRecord[]>;
}
