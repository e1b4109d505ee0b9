/**
 * @module What the admin API shows of the ledger: a refund attempt as a row (JSON and CSV alike) and a payment.
 * Times are UNIX seconds, as everywhere else in the API; accounts are the audit's masked ones (the ledger has no other).
 */
import { cancelableOf } from '../refunds/rules.ts';
import type { Attempt, StoredPayment } from '../store/store.ts';

/** An attempt's `status`: its outcome, or `in_progress` while it has none (running, or its process died). */
export type RefundStatus = NonNullable<Attempt['outcome']> | 'in_progress';

export const REFUND_STATUSES: readonly RefundStatus[] = ['succeeded', 'rejected', 'failed', 'unknown', 'in_progress'];

/** The columns of a refund row, in the order the CSV writes them. */
export const REFUND_COLUMNS = [
  'id',
  'created_at',
  'finished_at',
  'merchant_uid',
  'imp_uid',
  'status',
  'requested_amount',
  'amount',
  'refunded',
  'checksum',
  'reason',
  'refund_bank',
  'refund_account_masked',
  'error_code',
  'iamport_code',
  'iamport_message',
  'cancellation_id',
  'idempotency_key',
  'grant_jti',
  'client_ip',
  'origin',
  'holder_check',
  'request_id',
  'approved_by',
  'currency',
] as const;

export type RefundRow = { readonly [K in (typeof REFUND_COLUMNS)[number]]: string | number | null };

const seconds = (ms: number | null): number | null => (ms === null ? null : Math.floor(ms / 1000));

/** `currency`: the order's payment's (ISO 4217, as i'mport gives it), or null when the ledger has none. */
export const refundRow = (attempt: Attempt, currency: string | null): RefundRow => ({
  id: attempt.id,
  created_at: seconds(attempt.started_at),
  finished_at: seconds(attempt.finished_at),
  merchant_uid: attempt.merchant_uid,
  imp_uid: attempt.imp_uid,
  status: attempt.outcome ?? 'in_progress',
  requested_amount: attempt.requested_amount,
  amount: attempt.amount,
  refunded: attempt.refunded,
  checksum: attempt.checksum,
  reason: attempt.reason,
  refund_bank: attempt.refund_bank,
  refund_account_masked: attempt.refund_account_masked,
  error_code: attempt.error_code,
  iamport_code: attempt.iamport_code,
  iamport_message: attempt.iamport_message,
  cancellation_id: attempt.cancellation_id,
  idempotency_key: attempt.idempotency_key,
  grant_jti: attempt.grant_jti,
  client_ip: attempt.client_ip,
  origin: attempt.origin,
  holder_check: attempt.holder_check ?? null,
  // An approval's refund: the request it carried out, and who approved it (`key:<key id>` or `staff:<sub>`).
  request_id: attempt.request_id ?? null,
  approved_by: attempt.approved_by ?? null,
  // The amounts' currency: a PayPal order's are dollars with cents, not won.
  currency,
});

export const paymentRow = (payment: StoredPayment) => ({
  imp_uid: payment.imp_uid,
  merchant_uid: payment.merchant_uid,
  name: payment.name,
  amount: payment.amount,
  cancel_amount: payment.cancel_amount,
  cancelable_amount: cancelableOf(payment),
  currency: payment.currency,
  status: payment.status,
  pay_method: payment.pay_method,
  pg_provider: payment.pg_provider,
  paid_at: payment.paid_at,
  receipt_url: payment.receipt_url,
  cancel_history: payment.cancel_history,
  /** An i'mport call's outcome is not known yet: the next use re-reads the payment from i'mport. */
  needs_sync: payment.needs_sync,
  updated_at: seconds(payment.updated_at),
});
