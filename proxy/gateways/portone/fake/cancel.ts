/**
 * @module The rules of `POST /payments/{paymentId}/cancel` (operation cancelPayment): PortOne's checks in the order
 * of CancelPaymentError's documented causes, the amounts of a cancellation, applying it, and settling a REQUESTED one.
 */
import type { CancelPaymentBody } from './cancel-body.ts';
import { type Refusal, refusal } from './errors.ts';
import { RECEIPT_BASE, type StoredPayment, vatOf } from './payments.ts';
import type { FakeState } from './state.ts';
import type { WebhookType } from './webhooks.ts';
import type { PaymentCancellation } from './wire.ts';

/** What a cancel will take: the documented amounts of the resulting PaymentCancellation. */
export interface CancelParts {
  readonly totalAmount: number;
  readonly taxFreeAmount: number;
  readonly vatAmount: number;
}

const sum = (entries: PaymentCancellation[], pick: (entry: PaymentCancellation) => number) =>
  entries.reduce((total, entry) => total + pick(entry), 0);

/**
 * What is left to cancel: `total − cancelled` (the V2 docs have no field for it). REQUESTED cancellations are held
 * back too, so a second cancel cannot take what a pending one already asked for (the fake's reading).
 */
export const cancellable = (stored: StoredPayment) => {
  const { amount, cancellations } = stored.payment;
  const pending = cancellations.filter((entry) => entry.status === 'REQUESTED');
  const done = cancellations.filter((entry) => entry.status !== 'FAILED');
  return {
    total: amount.total - amount.cancelled - sum(pending, (entry) => entry.totalAmount),
    taxFree: amount.taxFree - amount.cancelledTaxFree - sum(pending, (entry) => entry.taxFreeAmount),
    vat: amount.vat - sum(done, (entry) => entry.vatAmount),
  };
};

/** PortOne's verdict before the PG is asked: the parts to cancel, or the documented error. */
export const checkCancel = (stored: StoredPayment, body: CancelPaymentBody): CancelParts | Refusal => {
  const { payment } = stored;
  if (payment.status === 'CANCELLED') return refusal('PAYMENT_ALREADY_CANCELLED', '이미 취소된 결제 건입니다.');
  if (payment.status !== 'PAID' && payment.status !== 'PARTIAL_CANCELLED') {
    return refusal('PAYMENT_NOT_PAID', '결제가 완료되지 않은 결제 건입니다.');
  }
  const left = cancellable(stored);
  if (body.currentCancellableAmount !== undefined && body.currentCancellableAmount !== left.total) {
    return refusal(
      'CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN',
      `취소 가능 잔액 검증에 실패했습니다. (currentCancellableAmount: ${body.currentCancellableAmount}, 취소 가능 잔액: ${left.total})`,
    );
  }
  const totalAmount = body.amount ?? left.total;
  if (totalAmount > left.total) {
    return refusal(
      'CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT',
      `취소 금액이 취소 가능 금액(${left.total})을 초과합니다.`,
    );
  }
  // An omitted taxFreeAmount means a wholly taxable cancel (portone-v2.md, "Cancel").
  const taxFreeAmount = body.taxFreeAmount ?? 0;
  if (taxFreeAmount + (body.vatAmount ?? 0) > totalAmount) {
    return refusal('SUM_OF_PARTS_EXCEEDS_CANCEL_AMOUNT', '면세 금액 등 하위 항목들의 합이 취소 금액을 초과합니다.');
  }
  if (taxFreeAmount > left.taxFree) {
    return refusal(
      'CANCEL_TAX_FREE_AMOUNT_EXCEEDS_CANCELLABLE_TAX_FREE_AMOUNT',
      `취소 면세 금액이 취소 가능한 면세 금액(${left.taxFree})을 초과합니다.`,
    );
  }
  const taxable = totalAmount - taxFreeAmount;
  const leftTaxable = left.total - left.taxFree;
  if (taxable > leftTaxable) {
    return refusal(
      'CANCEL_TAX_AMOUNT_EXCEEDS_CANCELLABLE_TAX_AMOUNT',
      `취소 과세 금액이 취소 가능한 과세 금액(${leftTaxable})을 초과합니다.`,
    );
  }
  if (payment.method?.type === 'PaymentMethodVirtualAccount' && body.refundAccount === undefined) {
    // The OpenAPI names no error for it; PortOne checks input first, so INVALID_REQUEST is the fake's choice.
    return refusal('INVALID_REQUEST', '가상계좌 결제 취소에는 환불 계좌(refundAccount)가 필요합니다.');
  }
  // The last of the taxable part takes the VAT that is left, so the parts add up to the payment's.
  const vatAmount = body.vatAmount ?? (taxable === leftTaxable ? left.vat : Math.min(vatOf(taxable), left.vat));
  return { totalAmount, taxFreeAmount, vatAmount };
};

const notify = (state: FakeState, stored: StoredPayment, type: WebhookType, cancellationId: string) => {
  if (stored.silent.has(cancellationId)) return;
  const { payment } = stored;
  state.webhooks.send(type, {
    paymentId: payment.id,
    storeId: payment.storeId,
    transactionId: payment.transactionId,
    cancellationId,
  });
};

/** MAX_CANCEL_COUNT_REACHED once this many cancels of the payment have reached the PG. */
export const checkCancelCount = (stored: StoredPayment, maxCancelCount: number): Refusal | undefined =>
  stored.attempts >= (stored.maxCancelCount ?? maxCancelCount)
    ? refusal('MAX_CANCEL_COUNT_REACHED', '취소 시도 횟수가 초과되었습니다.')
    : undefined;

/** Makes a cancellation count: amounts, status, times, receipt; then Transaction.(Partial)Cancelled. */
const succeed = (state: FakeState, stored: StoredPayment, entry: PaymentCancellation) => {
  const { payment } = stored;
  const at = state.iso();
  entry.status = 'SUCCEEDED';
  entry.cancelledAt = at;
  entry.receiptUrl = `${RECEIPT_BASE}/${payment.id}/${entry.id}`;
  payment.amount.cancelled += entry.totalAmount;
  payment.amount.cancelledTaxFree += entry.taxFreeAmount;
  payment.status = payment.amount.cancelled >= payment.amount.total ? 'CANCELLED' : 'PARTIAL_CANCELLED';
  payment.cancelledAt = at;
  payment.updatedAt = at;
  payment.statusChangedAt = at;
  notify(
    state,
    stored,
    payment.status === 'CANCELLED' ? 'Transaction.Cancelled' : 'Transaction.PartialCancelled',
    entry.id,
  );
};

/** Records an accepted cancel: SUCCEEDED at once, or REQUESTED (Transaction.CancelPending) when the mode says so. */
export const applyCancel = (
  state: FakeState,
  stored: StoredPayment,
  parts: CancelParts,
  body: CancelPaymentBody,
): PaymentCancellation => {
  const entry: PaymentCancellation = {
    status: 'REQUESTED',
    id: crypto.randomUUID(),
    pgCancellationId: `fake_${crypto.randomUUID()}`,
    ...parts,
    reason: body.reason,
    requestedAt: state.iso(),
    trigger: 'API',
  };
  stored.payment.cancellations.push(entry);
  stored.payment.updatedAt = entry.requestedAt;
  if (body.skipWebhook) stored.silent.add(entry.id);
  if ((stored.cancelMode ?? state.settings.cancelMode) === 'SUCCEEDED') succeed(state, stored, entry);
  else notify(state, stored, 'Transaction.CancelPending', entry.id);
  return entry;
};

/** Finishes a REQUESTED cancellation as the PG decided; undefined when there is none with that id. */
export const settleCancellation = (
  state: FakeState,
  stored: StoredPayment,
  cancellationId: string,
  outcome: 'SUCCEEDED' | 'FAILED',
): PaymentCancellation | undefined => {
  const entry = stored.payment.cancellations.find((item) => item.id === cancellationId && item.status === 'REQUESTED');
  if (!entry) return undefined;
  if (outcome === 'SUCCEEDED') {
    succeed(state, stored, entry);
  } else {
    // The webhook guide has no type for a failed cancellation: the merchant learns it by looking the payment up.
    entry.status = 'FAILED';
    stored.payment.updatedAt = state.iso();
  }
  return entry;
};
