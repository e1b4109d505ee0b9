/** @module The rules of `POST /payments/cancel` (iamport-v1.md §3, §5, §7): i'mport's checks, the PG's, applying. */
import { type Fields, numberField, stringField } from './body.ts';
import { MESSAGES } from './envelope.ts';
import type { FakeCancelEntry, FakePayment } from './payment-schema.ts';
import { decimal, type PaymentBook, RECEIPT_BASE } from './payments.ts';
import { randomHex } from './random.ts';
import { acceptsRefundBank, needsRefundAccount, needsRefundTel } from './refund-banks.ts';

export interface CancelRequest {
  readonly imp_uid: string | undefined;
  readonly merchant_uid: string | undefined;
  /** Omitted or 0 means the whole balance. NaN when sent but not a number. */
  readonly amount: number | undefined;
  readonly checksum: number | undefined;
  readonly reason: string | undefined;
  readonly refund_holder: string | undefined;
  readonly refund_bank: string | undefined;
  readonly refund_account: string | undefined;
  readonly refund_tel: string | undefined;
  readonly tax_free: number | undefined;
  readonly vat_amount: number | undefined;
}

/** i'mport's verdict: the amount to cancel, or a refusal answered as HTTP 200 with a non-zero code. */
export type CancelVerdict =
  | { readonly ok: true; readonly amount: number }
  | { readonly ok: false; readonly code: number; readonly message: string };

export const readCancelRequest = (fields: Fields): CancelRequest => ({
  imp_uid: stringField(fields, 'imp_uid'),
  merchant_uid: stringField(fields, 'merchant_uid'),
  amount: numberField(fields, 'amount'),
  checksum: numberField(fields, 'checksum'),
  reason: stringField(fields, 'reason'),
  refund_holder: stringField(fields, 'refund_holder'),
  refund_bank: stringField(fields, 'refund_bank'),
  refund_account: stringField(fields, 'refund_account'),
  refund_tel: stringField(fields, 'refund_tel'),
  tax_free: numberField(fields, 'tax_free'),
  vat_amount: numberField(fields, 'vat_amount'),
});

/**
 * The payment a cancel is for. imp_uid wins and has no fallback: an unknown imp_uid fails even when merchant_uid
 * is valid (§3.1). Which of several payments of one order is cancelled is undocumented; we take the newest paid one.
 */
export const findCancelTarget = (book: PaymentBook, request: CancelRequest): FakePayment | undefined => {
  if (request.imp_uid !== undefined) return book.get(request.imp_uid);
  if (request.merchant_uid === undefined) return undefined;
  const hasBeenPaid = (p: FakePayment) => p.status === 'paid' || p.status === 'cancelled';
  return book.newest(request.merchant_uid, hasBeenPaid) ?? book.newest(request.merchant_uid);
};

const refuse = (message: string, code = 1): CancelVerdict => ({ ok: false, code, message });
const isMoney = (n: number) => Number.isFinite(n) && n >= 0;

/** What i'mport itself checks before it asks the PG. The messages of the code-1 refusals are ours (§10). */
export const checkAtIamport = (payment: FakePayment, request: CancelRequest): CancelVerdict => {
  if (payment.status === 'ready') return refuse('결제완료되지 않은 결제건은 취소할 수 없습니다.(ready)');
  if (payment.status === 'failed') return refuse('결제실패한 결제건은 취소할 수 없습니다.(failed)');
  const balance = decimal(payment.amount - payment.cancel_amount);
  if (balance <= 0) return refuse(MESSAGES.alreadyCancelled);
  if (request.amount !== undefined && !isMoney(request.amount)) return refuse('취소요청금액이 올바르지 않습니다.');
  if (request.checksum !== undefined && request.checksum !== balance) {
    return refuse(
      `취소가능잔액(checksum)이 일치하지 않습니다.(checksum: ${request.checksum}, 취소가능잔액: ${balance})`,
    );
  }
  const amount = decimal(request.amount || balance);
  if (amount > balance) return refuse(`취소요청금액(${amount})이 취소가능잔액(${balance})을 초과합니다.`);
  if (needsRefundAccount(payment)) {
    if (!request.refund_holder || !request.refund_bank || !request.refund_account) {
      return refuse('환불계좌 정보(refund_holder, refund_bank, refund_account)가 누락되었습니다.');
    }
    if (needsRefundTel(payment) && !request.refund_tel)
      return refuse('환불계좌 예금주 연락처(refund_tel)가 누락되었습니다.');
  }
  return { ok: true, amount };
};

const KST_OFFSET = 9 * 3600;
const kstMonth = (unixSec: number) => {
  const date = new Date((unixSec + KST_OFFSET) * 1000);
  return date.getUTCFullYear() * 12 + date.getUTCMonth();
};

/** PGs that refuse a tax-free payment's cancel that does not say its tax-free part (iamport-v1.md §3.1, `tax_free`). */
const TAX_FREE_REQUIRED = ['kcp', 'kcp_quick', 'kicc', 'nice', 'payco'];

/** What the PG refuses, as the PG's own text; undefined when it accepts. `taxFree`: the payment's tax-free part. */
export const pgRefusal = (
  payment: FakePayment,
  request: CancelRequest,
  nowSec: number,
  taxFree = 0,
): string | undefined => {
  // The wording is the fake's own; i'mport documents the rule, not the PG's message.
  if (taxFree > 0 && TAX_FREE_REQUIRED.includes(payment.pg_provider) && request.tax_free === undefined) {
    return '면세금액(tax_free)이 누락되었습니다';
  }
  if (taxFree > 0 && request.tax_free !== undefined && (!isMoney(request.tax_free) || request.tax_free > taxFree)) {
    return `면세 취소금액(${request.tax_free})이 면세금액(${taxFree})을 초과합니다`;
  }
  // Bank codes are per PG (§5.2): Shinhan is BK88 at KCP but 88 at Inicis, and an unknown PG has no table at all.
  if (needsRefundAccount(payment) && !acceptsRefundBank(payment.pg_provider, request.refund_bank ?? '')) {
    return `환불계좌 은행코드 오류: ${request.refund_bank ?? ''}`;
  }
  // Phone payments are refundable only in the calendar month (KST) of payment (§7).
  if (payment.pay_method === 'phone' && payment.paid_at > 0 && kstMonth(payment.paid_at) !== kstMonth(nowSec)) {
    return '휴대폰 결제는 결제한 달에만 취소할 수 있습니다';
  }
  return undefined;
};

/** Applies an accepted cancellation to the stored payment; V1 marks partial cancels 'cancelled' too (§3.2). */
export const applyCancel = (
  payment: FakePayment,
  amount: number,
  request: CancelRequest,
  nowSec: number,
): FakeCancelEntry => {
  const cancellationId = `cncl_${randomHex(12)}`;
  const entry: FakeCancelEntry = {
    pg_tid: `fake_${randomHex(10)}`,
    amount,
    cancelled_at: nowSec,
    reason: request.reason ?? '',
    cancellation_id: cancellationId,
    receipt_url: `${RECEIPT_BASE}/${payment.imp_uid}/${cancellationId}`,
  };
  payment.cancel_history.push(entry);
  if (entry.receipt_url) payment.cancel_receipt_urls.push(entry.receipt_url);
  payment.cancel_amount = decimal(payment.cancel_amount + amount);
  payment.cancelled_at = nowSec;
  payment.cancel_reason = entry.reason;
  payment.status = 'cancelled';
  return entry;
};
