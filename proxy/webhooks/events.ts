/**
 * @module The merchant events the refund use case writes (types and `data` as the README documents them). Built
 * here, written by the store in the transaction that records the outcome they tell of.
 */
import type { Cancellation, Payment } from '../payments/payment.ts';
import { cancelableOf } from '../refunds/rules.ts';
import type { EventType, NewEvent } from '../store/outbox.ts';
import type { AttemptStart } from '../store/store.ts';

/** Makes event ids: `msg_` + random, the form the Standard Webhooks libraries' examples use. */
export const eventId = (randomId: () => string): string => `msg_${randomId().replaceAll('-', '')}`;

type AttemptFacts = Pick<
  AttemptStart,
  'id' | 'merchant_uid' | 'imp_uid' | 'amount' | 'reason' | 'refund_account_masked' | 'idempotency_key' | 'checksum'
>;

export interface EventClock {
  readonly now: () => number;
  readonly randomId: () => string;
}

const paymentFigures = (payment: Payment, revoked: boolean) => ({
  cancel_amount: payment.cancel_amount,
  cancelable_amount: revoked ? 0 : cancelableOf(payment),
  status: payment.status,
});

const make = (
  clock: EventClock,
  type: EventType,
  merchantUid: string,
  data: Record<string, unknown>,
  dedupeKey: string,
): NewEvent => ({
  id: eventId(clock.randomId),
  type,
  merchant_uid: merchantUid,
  data,
  created_at: clock.now(),
  dedupe_key: dedupeKey,
});

/** `refund.succeeded`, or `vbank.revoked` for a revocation (an attempt without a checksum), once per attempt. */
export const appliedEvent = (clock: EventClock, attempt: AttemptFacts, payment: Payment): NewEvent => {
  const revoked = attempt.checksum === null;
  return make(
    clock,
    revoked ? 'vbank.revoked' : 'refund.succeeded',
    attempt.merchant_uid,
    {
      merchant_uid: attempt.merchant_uid,
      imp_uid: payment.imp_uid,
      amount: revoked ? 0 : (attempt.amount ?? 0),
      ...paymentFigures(payment, revoked),
      // A virtual-account refund is a transfer the PG makes later (as the refund's own answer says).
      pending: payment.pay_method === 'vbank' && !revoked,
      reason: attempt.reason,
      attempt_id: attempt.id,
      refund_account_masked: attempt.refund_account_masked,
      idempotency_key: attempt.idempotency_key,
    },
    `attempt:${attempt.id}`,
  );
};

export interface RefusalFacts {
  readonly code: string;
  readonly message: string;
  /** What the PG or i'mport said, for the shop (never shown to the customer). */
  readonly gateway_message: string | null;
}

/** `refund.failed`: i'mport or the PG refused the change (nothing moved). `payment`: i'mport's copy if it was read. */
export const refusedEvent = (
  clock: EventClock,
  attempt: AttemptFacts,
  payment: Payment,
  error: RefusalFacts,
): NewEvent =>
  make(
    clock,
    'refund.failed',
    attempt.merchant_uid,
    {
      merchant_uid: attempt.merchant_uid,
      imp_uid: payment.imp_uid,
      amount: attempt.amount ?? 0,
      ...paymentFigures(payment, false),
      pending: false,
      reason: attempt.reason,
      attempt_id: attempt.id,
      refund_account_masked: attempt.refund_account_masked,
      idempotency_key: attempt.idempotency_key,
      error,
    },
    `attempt:${attempt.id}`,
  );

/**
 * The dedupe key of `payment.cancelled_externally` for a cancel_history entry (entryKey: its id, cancel-history.ts
 * entryId). Releases before 6b24f99 gave an entry with an empty cancellation_id the key `externalCancelKey(imp, '')`.
 */
export const externalCancelKey = (impUid: string, entryKey: string): string => `external:${impUid}:${entryKey}`;

/** `payment.cancelled_externally`: a cancel_history entry no attempt of ours made, once per entry. */
export const externalCancelEvent = (
  clock: EventClock,
  payment: Payment,
  entry: Cancellation,
  entryKey: string,
): NewEvent =>
  make(
    clock,
    'payment.cancelled_externally',
    payment.merchant_uid,
    {
      merchant_uid: payment.merchant_uid,
      imp_uid: payment.imp_uid,
      amount: entry.amount,
      ...paymentFigures(payment, false),
      // Made elsewhere or not, a virtual account's refund is a transfer the PG makes later.
      pending: payment.pay_method === 'vbank',
      reason: entry.reason ?? null,
      attempt_id: null,
      refund_account_masked: null,
      idempotency_key: null,
    },
    externalCancelKey(payment.imp_uid, entryKey),
  );

/** The body's JSON: the event's type, when it happened (ISO 8601) and its data with the order's sequence. */
export const eventBody = (event: {
  readonly type: EventType;
  readonly created_at: number;
  readonly sequence: number;
  readonly data: Readonly<Record<string, unknown>>;
}): string =>
  JSON.stringify({
    type: event.type,
    timestamp: new Date(event.created_at).toISOString(),
    data: { ...event.data, sequence: event.sequence },
  });
