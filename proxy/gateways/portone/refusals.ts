/**
 * @module What a V2 error `type` means to a change: which kind of refusal (nothing happened), or that the outcome is
 * not known. Chosen by `type` alone (the OpenAPI's discriminator); PortOne's `message` is kept for the audit only.
 */
import type { RefusalKind } from '../gateway.ts';

/** CancelPaymentError's and CloseVirtualAccountError's documented types, as the use case tells them apart. */
const KIND_OF_TYPE: Readonly<Record<string, RefusalKind>> = {
  PAYMENT_ALREADY_CANCELLED: 'already_cancelled',
  CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN: 'checksum',
  CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT: 'amount',
  PAYMENT_NOT_PAID: 'not_paid',
  MAX_CANCEL_COUNT_REACHED: 'max_cancel_count',
  CANCEL_TAX_FREE_AMOUNT_EXCEEDS_CANCELLABLE_TAX_FREE_AMOUNT: 'tax_free_amount',
  CANCEL_TAX_AMOUNT_EXCEEDS_CANCELLABLE_TAX_AMOUNT: 'tax_amount',
  SUM_OF_PARTS_EXCEEDS_CANCEL_AMOUNT: 'sum_of_parts',
  // PG_PROVIDER, INVALID_REQUEST, FORBIDDEN, PAYMENT_NOT_FOUND, PAYMENT_NOT_WAITING_FOR_DEPOSIT and the promotion
  // errors: a refusal the shop must read, in PortOne's (or the PG's) words.
};

export const refusalOf = (type: string): RefusalKind => KIND_OF_TYPE[type] ?? 'pg';

/**
 * V2's answer to a retry while the first request with its Idempotency-Key still runs: the first may yet apply, so the
 * outcome is unknown (settled by a lookup), never a refusal.
 */
export const OUTSTANDING = 'IDEMPOTENCY_OUTSTANDING_REQUEST';
