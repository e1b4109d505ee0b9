/**
 * @module What the refund use cases answer: a domain result, or a failure carrying an error code of the shared table.
 * Routes alone turn these into HTTP (answers.ts renders a refund's; the others become AppError).
 */
import { ERROR_MESSAGES, type ErrorCode } from '../../shared/errors.ts';
import type { CancelSuccess, ErrorAnswer } from '../../shared/schemas/answers.ts';
import type { RefundView } from '../../shared/schemas/refund-view.ts';
import type { Answer } from '../errors.ts';
import type { Cancellation, Payment } from '../payments/payment.ts';
import type { RefundRequestRecord } from '../store/requests.ts';

/** An expected failure: its code, the message the answer says, and the fresh balance where the client reloads. */
export interface Failure {
  readonly kind: 'failed';
  readonly code: ErrorCode;
  readonly message: string;
  readonly cancelable_amount?: number;
  /** The refund request the failure is about (the order's open one, say): its answer shows the customer's view of it. */
  readonly request?: RefundRequestRecord;
}

export const fail = (code: ErrorCode, message: string = ERROR_MESSAGES[code], cancelable_amount?: number): Failure =>
  cancelable_amount === undefined
    ? { kind: 'failed', code, message }
    : { kind: 'failed', code, message, cancelable_amount };

/** Money was refunded (now, or by an earlier request whose retry this is); `entry` is its cancel_history entry. */
export interface Refunded {
  readonly kind: 'refunded';
  readonly payment: Payment;
  readonly refunded: number;
  readonly entry: Cancellation | undefined;
  /** The gateway accepted it to finish later (PortOne V2's REQUESTED): answered `pending`, settled afterwards. */
  readonly accepted?: true;
}

/** An unpaid virtual account's number was revoked; no money moved. */
export interface Revoked {
  readonly kind: 'revoked';
  readonly payment: Payment;
}

/** The answer stored for an Idempotency-Key, replayed as it was stored (existing ledgers hold status and body). */
export interface Replayed {
  readonly kind: 'replayed';
  readonly answer: Answer<CancelSuccess | ErrorAnswer>;
}

export type CancelOutcome = Refunded | Revoked | Replayed | Failure;

export type ViewOutcome = { readonly kind: 'view'; readonly view: RefundView } | Failure;

/** The ledger is up to date with i'mport for a payment a webhook named. */
export type SyncOutcome = { readonly kind: 'synced' } | Failure;
