/**
 * @module cancelRefund(): the one path by which money moves.
 * lease per order, key claimed, order read (one trip to the ledger) -> anything unknown settled -> local checks ->
 * audit -> i'mport -> ledger -> answer; then, still under the lease, the answer stored for its key and the lease released.
 * Exactly-once comes from three locks in series: the order lease (one refund of an order at a time, across
 * processes), the Idempotency-Key (a retried request is answered, not repeated) and i'mport's checksum (a refund
 * computed from a stale balance is refused by i'mport itself).
 */
import { ERROR_MESSAGES, ERRORS } from '../../shared/errors.ts';
import type { CancelSuccess, ErrorAnswer } from '../../shared/schemas/answers.ts';
import type { CancelRequestOutput } from '../../shared/schemas/cancel-request.ts';
import type { Grant } from '../auth/grant.ts';
import { type Answer, failure } from '../errors.ts';
import type { AttemptFinish, AttemptStart, KeyClaim, OrderSnapshot, PaymentRecord } from '../store/store.ts';
import { successAnswer } from './answers.ts';
import { checkRequest, maskAccount } from './check-request.ts';
import { grantRemaining } from './grant-cap.ts';
import type { RefundDeps } from './deps.ts';
import { LEASE_BUSY, type LeaseWork, withLease } from './lease.ts';
import { type Loaded, loadPayment, refreshPayment, savePaymentAfterRefund } from './ledger-sync.ts';
import { requestHash } from './request-hash.ts';
import { cancelableOf, isRevocable } from './rules.ts';
import { claimedIds, entryId, findEntryFor, isRevokeAttempt, isUnsettled, settleAttempts } from './settle.ts';

export interface CancelInput {
  readonly request: CancelRequestOutput;
  readonly grant: Grant;
  readonly idempotencyKey: string | null;
  readonly clientIp: string | null;
  readonly origin: string | null;
}

export type CancelAnswer = Answer<CancelSuccess | ErrorAnswer> & { readonly replayed?: boolean };

export const cancelRefund = async (deps: RefundDeps, input: CancelInput): Promise<CancelAnswer> => {
  const { request, idempotencyKey: key } = input;
  const now = deps.now();
  const claim: KeyClaim | null = key ? { key, merchant_uid: request.merchant_uid, request_hash: await requestHash(request), created_at: now } : null;
  const name = `order:${request.merchant_uid}`;
  // The lease, the key and the order in one trip to the ledger (one round trip on PostgreSQL), read under the lease.
  const take = (holder: string) => deps.store.takeOrder({ name, holder, ttlMs: deps.leaseTtlMs, now: deps.now() }, request.merchant_uid, claim);
  const work = async (order: OrderSnapshot) =>
    claim && order.key ? withIdempotencyKey(deps, input, claim, order.key, order) : { value: await refund(deps, input, null, order) };
  const result = await withLease(deps, name, work, take);
  if (result === LEASE_BUSY) return failure('REFUND_IN_PROGRESS', 'Another refund of this order is still running; try again in a moment.');
  return result;
};

const withIdempotencyKey = async (
  deps: RefundDeps,
  input: CancelInput,
  claim: KeyClaim,
  { record, created }: NonNullable<OrderSnapshot['key']>,
  order: OrderSnapshot,
): Promise<LeaseWork<CancelAnswer>> => {
  const { key } = claim;
  if (!created && (record.request_hash !== claim.request_hash || record.merchant_uid !== claim.merchant_uid)) {
    return { value: failure('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used for a different refund request.') };
  }
  if (!created && record.state === 'done' && record.response_status !== null && record.response_body !== null) {
    const body = JSON.parse(record.response_body) as CancelAnswer['body']; // written by us below
    return { value: { status: record.response_status, body, replayed: true } };
  }
  // A pending record is an earlier run with this key that ended without an answer: refund() settles it first.
  const answer = await refund(deps, input, { key, earlierAttemptId: created ? null : record.attempt_id }, order);
  // A retryable answer is not stored: the key stays pending, bound to its latest attempt, so a retry with it learns
  // what that attempt really did (settled from i'mport) instead of refunding again.
  const keep = answer.body.ok || ERRORS[answer.body.error.code].retry !== 'same_key';
  // Stored after the answer is sent but before the lease is let go, so a retry (which must take the lease) finds it.
  // Should the write fail, the key stays pending on an attempt whose outcome is written, and a retry answers from that.
  return { value: answer, ...(keep ? { tail: () => deps.store.completeIdempotencyKey(key, answer.status, JSON.stringify(answer.body)) } : {}) };
};

// Said before this request sent anything; an earlier request's outcome may still be unsettled, so no more is claimed.
// What went wrong upstream (hosts, ports, i'mport's words) goes to the log, never into an answer.
const unavailable = (deps: RefundDeps, loaded: Loaded & { kind: 'unavailable' }): CancelAnswer => {
  deps.log({ level: 'warn', msg: 'i\'mport lookup failed before a refund', detail: loaded.detail });
  return failure('UPSTREAM_UNAVAILABLE', "i'mport could not be reached; this request sent no refund. Try again.");
};

const INCONSISTENT = failure(
  'UPSTREAM_UNAVAILABLE',
  "i'mport's figures for this payment cannot be right, so nothing was refunded; it can be refunded once they are. Try again later.",
);

const refund = async (
  deps: RefundDeps,
  input: CancelInput,
  keyed: { key: string; earlierAttemptId: string | null } | null,
  order: OrderSnapshot,
): Promise<CancelAnswer> => {
  const { request: req, grant } = input;
  const startedAt = deps.now();
  const start: AttemptStart = {
    id: deps.randomId(),
    merchant_uid: req.merchant_uid,
    imp_uid: null,
    requested_amount: req.cancel_request_amount ?? null,
    amount: null,
    checksum: null,
    reason: req.reason,
    refund_bank: req.refund_bank ?? null,
    refund_account_masked: maskAccount(req.refund_account),
    grant_subject: grant.sub,
    grant_jti: grant.jti ?? null,
    client_ip: input.clientIp,
    origin: input.origin,
    idempotency_key: keyed?.key ?? null,
    started_at: startedAt,
  };
  const ended = (f: Partial<AttemptFinish> & Pick<AttemptFinish, 'outcome'>): AttemptFinish => ({
    error_code: null,
    iamport_code: null,
    iamport_message: null,
    cancellation_id: null,
    refunded: null,
    iamport_ms: null,
    finished_at: deps.now(),
    ...f,
  });
  /** Audits a refusal made before anything was sent, and answers it; `why` is kept in the audit for the shop. */
  const rejectLocally = async (answer: Answer<ErrorAnswer>, impUid: string | null, why: string | null = null): Promise<CancelAnswer> => {
    await deps.store.insertAttempt({ ...start, imp_uid: impUid }, ended({ outcome: 'rejected', error_code: answer.body.error.code, iamport_message: why }));
    return answer;
  };

  /** No usable payment from i'mport: more cancelled than paid (impossible there) is refused and audited until sane. */
  const cannotLoad = (loaded: Loaded & { kind: 'unavailable' }): Promise<CancelAnswer> | CancelAnswer =>
    loaded.reason === 'inconsistent' ? rejectLocally(INCONSISTENT, order.payment?.imp_uid ?? null, loaded.detail) : unavailable(deps, loaded);

  // 1. The ledger's copy of the payment, first settling any attempt whose outcome nobody learned.
  let { attempts } = order;
  let loaded = await loadPayment(deps, req.merchant_uid, { read: order.payment });
  if (loaded.kind === 'not_found') return rejectLocally(failure('PAYMENT_NOT_FOUND', 'No payment was found for this order.'), null);
  if (loaded.kind === 'unavailable') return cannotLoad(loaded);
  if (attempts.some(isUnsettled)) {
    loaded = await refreshPayment(deps, loaded.payment.imp_uid);
    if (loaded.kind !== 'ok') return cannotLoad(loaded.kind === 'unavailable' ? loaded : { kind: 'unavailable', detail: 'payment vanished' });
    await settleAttempts(deps, loaded.payment, attempts);
    // A capped grant is counted from settled outcomes.
    if (grant.max_amount !== undefined) attempts = await deps.store.listAttempts(req.merchant_uid);
  }
  let payment = loaded.payment;

  // 2. A retry of a request whose refund did happen gets that refund's answer, not a second refund.
  if (keyed?.earlierAttemptId) {
    const earlier = await deps.store.getAttempt(keyed.earlierAttemptId);
    if (earlier?.outcome === 'succeeded') {
      const entry = payment.cancel_history.find((e) => entryId(e) === earlier.cancellation_id);
      return successAnswer(payment, earlier.refunded ?? 0, { entry, revoked: isRevokeAttempt(earlier) });
    }
  }

  // 3. Local checks: what i'mport would refuse is refused here, without a call.
  if (isRevocable(payment)) return revoke(deps, payment, start, ended, keyed);
  const checked = checkRequest(payment, req, grantRemaining(grant, attempts), startedAt);
  if (!checked.ok) {
    const extra = checked.cancelable_amount === undefined ? {} : { cancelable_amount: checked.cancelable_amount };
    return rejectLocally(failure(checked.code, checked.message, extra), payment.imp_uid);
  }

  // 4. Write the attempt before the call, so a crash mid-call leaves a record to settle.
  const checksum = cancelableOf(payment);
  const attempt: AttemptStart = { ...start, imp_uid: payment.imp_uid, amount: checked.amount, checksum };
  await Promise.all([deps.store.insertAttempt(attempt), keyed && deps.store.setIdempotencyAttempt(keyed.key, attempt.id)]);

  const sentAt = deps.now();
  const result = await deps.iamport.cancelPayment({ imp_uid: payment.imp_uid, amount: checked.amount, checksum, reason: req.reason, ...checked.refund });
  const iamport_ms = deps.now() - sentAt;
  const known = new Set([...claimedIds(attempts), ...payment.cancel_history.map(entryId)]);

  switch (result.kind) {
    case 'ok': {
      // The entry is looked for in i'mport's own answer to this cancel, so both writes go out in one round.
      const entry = findEntryFor(attempt, result.payment.cancel_history ?? [], known);
      const [saved] = await Promise.all([
        savePaymentAfterRefund(deps, result.payment),
        finishQuietly(deps, attempt.id, ended({ outcome: 'succeeded', iamport_code: 0, cancellation_id: entry ? entryId(entry) : null, refunded: checked.amount, iamport_ms })),
      ]);
      return successAnswer(saved, checked.amount, { entry });
    }
    case 'not_sent': {
      await deps.store.finishAttempt(attempt.id, ended({ outcome: 'failed', error_code: 'UPSTREAM_UNAVAILABLE', iamport_message: result.detail, iamport_ms }));
      return failure('UPSTREAM_UNAVAILABLE', "i'mport could not be reached; nothing was refunded.");
    }
    case 'refused': {
      // Re-read the payment: a refusal is often i'mport's checksum telling us our balance is stale.
      const fresh = await refreshPayment(deps, payment.imp_uid);
      if (fresh.kind === 'ok') payment = fresh.payment;
      const iamportSaid = { iamport_code: result.code, iamport_message: result.message, iamport_ms };
      let answer: Answer<ErrorAnswer>;
      if (fresh.kind === 'ok' && cancelableOf(payment) !== checksum) {
        answer = failure('CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN', `The refundable amount is now ${cancelableOf(payment)} ${payment.currency}; check it and ask again.`, {
          cancelable_amount: cancelableOf(payment),
        });
      } else if (result.refusal === 'already_cancelled') {
        answer = failure('PAYMENT_ALREADY_CANCELLED', 'This payment has already been fully refunded.', { cancelable_amount: 0 });
      } else {
        answer = failure('PG_PROVIDER', result.message || ERROR_MESSAGES.PG_PROVIDER);
      }
      await deps.store.finishAttempt(attempt.id, ended({ outcome: 'rejected', error_code: answer.body.error.code, ...iamportSaid }));
      return answer;
    }
    case 'unknown':
      return settleUnknown(deps, payment, attempt, known, ended, result.detail, iamport_ms, (p, entry) =>
        successAnswer(p, checked.amount, { entry }),
      );
  }
};

/** The cancel may or may not have happened: ask i'mport, and answer only what it shows. */
const settleUnknown = async (
  deps: RefundDeps,
  payment: PaymentRecord,
  attempt: AttemptStart,
  known: ReadonlySet<string>,
  ended: (f: Partial<AttemptFinish> & Pick<AttemptFinish, 'outcome'>) => AttemptFinish,
  detail: string,
  iamport_ms: number,
  success: (p: PaymentRecord, entry: ReturnType<typeof findEntryFor>) => CancelAnswer,
): Promise<CancelAnswer> => {
  const fresh = await refreshPayment(deps, payment.imp_uid);
  if (fresh.kind !== 'ok') {
    await deps.store.markNeedsSync(payment.imp_uid, deps.now());
    await deps.store.finishAttempt(attempt.id, ended({ outcome: 'unknown', error_code: 'UPSTREAM_UNAVAILABLE', iamport_message: detail, iamport_ms }));
    return failure(
      'UPSTREAM_UNAVAILABLE',
      "i'mport did not answer and the outcome could not be checked yet. It is checked before anything else happens to this order; retry with the same Idempotency-Key.",
    );
  }
  const revoked = isRevokeAttempt(attempt);
  const entry = revoked ? undefined : findEntryFor(attempt, fresh.payment.cancel_history, known);
  const applied = revoked ? fresh.payment.status !== 'ready' : entry !== undefined;
  if (applied) {
    await finishQuietly(deps, attempt.id, ended({ outcome: 'succeeded', cancellation_id: entry ? entryId(entry) : null, refunded: attempt.amount, iamport_ms, iamport_message: detail }));
    return success(fresh.payment, entry);
  }
  await deps.store.finishAttempt(attempt.id, ended({ outcome: 'failed', error_code: 'UPSTREAM_UNAVAILABLE', iamport_message: detail, iamport_ms }));
  return failure('UPSTREAM_UNAVAILABLE', "i'mport did not answer; it shows no refund, so nothing was refunded. Try again.");
};

/** An unpaid virtual account is "refunded" by revoking its account number; no money moves. */
const revoke = async (
  deps: RefundDeps,
  payment: PaymentRecord,
  start: AttemptStart,
  ended: (f: Partial<AttemptFinish> & Pick<AttemptFinish, 'outcome'>) => AttemptFinish,
  keyed: { key: string } | null,
): Promise<CancelAnswer> => {
  // No checksum marks a revocation in the audit (see settle.ts).
  const attempt: AttemptStart = { ...start, imp_uid: payment.imp_uid, amount: 0, checksum: null, refund_bank: null, refund_account_masked: null };
  await Promise.all([deps.store.insertAttempt(attempt), keyed && deps.store.setIdempotencyAttempt(keyed.key, attempt.id)]);
  const sentAt = deps.now();
  const result = await deps.iamport.revokeVbank(payment.imp_uid);
  const iamport_ms = deps.now() - sentAt;
  const revokedAnswer = (p: PaymentRecord) => successAnswer(p, 0, { revoked: true });
  switch (result.kind) {
    case 'ok': {
      const [saved] = await Promise.all([
        savePaymentAfterRefund(deps, result.payment),
        finishQuietly(deps, attempt.id, ended({ outcome: 'succeeded', iamport_code: 0, refunded: 0, iamport_ms })),
      ]);
      return revokedAnswer(saved);
    }
    case 'not_sent':
      await deps.store.finishAttempt(attempt.id, ended({ outcome: 'failed', error_code: 'UPSTREAM_UNAVAILABLE', iamport_message: result.detail, iamport_ms }));
      return failure('UPSTREAM_UNAVAILABLE', "i'mport could not be reached; nothing was changed.");
    case 'refused': {
      // Most often the customer paid in the meantime: the numbers changed, so the widget reloads and asks again.
      const fresh = await refreshPayment(deps, payment.imp_uid);
      const paidMeanwhile = fresh.kind === 'ok' && fresh.payment.status !== 'ready';
      const answer = paidMeanwhile
        ? failure('CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN', 'This virtual account has changed (it may have been paid); check it and ask again.', {
            cancelable_amount: cancelableOf(fresh.payment),
          })
        : failure('PG_PROVIDER', result.message || ERROR_MESSAGES.PG_PROVIDER);
      await deps.store.finishAttempt(attempt.id, ended({ outcome: 'rejected', error_code: answer.body.error.code, iamport_code: result.code, iamport_message: result.message, iamport_ms }));
      return answer;
    }
    case 'unknown':
      return settleUnknown(deps, payment, attempt, new Set(), ended, result.detail, iamport_ms, (p) => revokedAnswer(p));
  }
};

/** Writes an attempt's end after money moved; a failed write is logged, never turned into a failure answer. */
const finishQuietly = async (deps: RefundDeps, id: string, finish: AttemptFinish): Promise<void> => {
  try {
    await deps.store.finishAttempt(id, finish);
  } catch (error) {
    deps.log({ level: 'error', msg: 'audit write failed after a refund', attempt: id, error: String(error) });
  }
};

