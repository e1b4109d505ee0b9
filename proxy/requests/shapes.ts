/**
 * @module A request as each audience sees it: the customer's view and creation answer (shared/refund-requests.ts),
 * the admin API's row, and a merchant event's data. None carries the sealed account; times are UNIX seconds.
 */
import { isOpenStatus, type RequestCreated, type RequestView } from '../../shared/refund-requests.ts';
import type { RefundRequestRecord } from '../store/requests.ts';

const seconds = (ms: number): number => Math.floor(ms / 1000);
const secondsOrNull = (ms: number | null): number | null => (ms === null ? null : seconds(ms));

/** The customer's view; `allow_new_request` is whether they may ask again now (never while this one is open). */
export const requestView = (r: RefundRequestRecord): RequestView => ({
  id: r.id,
  status: r.status,
  amount: r.amount,
  approved_amount: r.approved_amount,
  reason: r.reason,
  created_at: seconds(r.created_at),
  decided_at: secondsOrNull(r.decided_at),
  reject_reason: r.reject_reason,
  allow_new_request: !isOpenStatus(r.status) && r.allow_new_request,
});

export const createdBody = (r: RefundRequestRecord): RequestCreated => ({
  ok: true,
  request: {
    id: r.id,
    merchant_uid: r.merchant_uid,
    status: 'requested',
    amount: r.amount,
    reason: r.reason,
    created_at: seconds(r.created_at),
  },
});

/** One row of GET /admin/refund-requests, and the request in the admin decisions' answers. */
export const adminRequestRow = (r: RefundRequestRecord) => ({
  id: r.id,
  merchant_uid: r.merchant_uid,
  status: r.status,
  amount: r.amount,
  approved_amount: r.approved_amount,
  reason: r.reason,
  refund_bank: r.refund_bank,
  refund_account_masked: r.refund_account_masked,
  created_at: seconds(r.created_at),
  decided_at: secondsOrNull(r.decided_at),
  decided_by: r.decided_by,
  reject_reason: r.reject_reason,
  allow_new_request: r.allow_new_request,
  note: r.note,
  attempt_id: r.attempt_id,
  error_code: r.error_code,
});

/** A `refund_request.*` event's data (the outbox adds `sequence`). */
export const eventData = (r: RefundRequestRecord): Record<string, unknown> => ({
  request_id: r.id,
  merchant_uid: r.merchant_uid,
  status: r.status,
  amount: r.amount,
  approved_amount: r.approved_amount,
  reason: r.reason,
  refund_account_masked: r.refund_account_masked,
  decided_by: r.decided_by,
  reject_reason: r.reject_reason,
  allow_new_request: r.allow_new_request,
  created_at: seconds(r.created_at),
  decided_at: secondsOrNull(r.decided_at),
});
