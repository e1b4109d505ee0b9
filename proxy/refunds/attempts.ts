/** @module The audit's side of a refund: an attempt's first row, how it ended, and a write that must not fail it. */
import type { NewEvent } from '../store/outbox.ts';
import type { AttemptFinish, AttemptStart } from '../store/store.ts';
import type { CancelInput } from './cancel-input.ts';
import { maskAccount } from './check-request.ts';
import type { RefundDeps } from './deps.ts';

/** An attempt's start as the request gives it; what is sent (imp_uid, amount, checksum) is filled in once decided. */
export const attemptStart = (
  deps: Pick<RefundDeps, 'now' | 'randomId'>,
  input: CancelInput,
  key: string | null,
): AttemptStart => {
  const { request: req, grant } = input;
  return {
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
    idempotency_key: key,
    started_at: deps.now(),
    ...(input.approval
      ? {
          request_id: input.approval.request_id,
          approved_by: input.approval.approved_by,
          request_round: input.approval.round,
        }
      : {}),
  };
};

export type Ending = Partial<AttemptFinish> & Pick<AttemptFinish, 'outcome'>;

/** How an attempt ended, the fields not given being null, at this moment. */
export const ending = (deps: Pick<RefundDeps, 'now'>, end: Ending): AttemptFinish => ({
  error_code: null,
  iamport_code: null,
  iamport_message: null,
  cancellation_id: null,
  refunded: null,
  iamport_ms: null,
  finished_at: deps.now(),
  ...end,
});

/**
 * Writes an attempt's end and, when merchant webhooks are on, the event `event()` builds, in one transaction; a
 * written event is then delivered in the background. Answers whether this call ended the attempt.
 */
export const finishWithEvent = async (
  deps: Pick<RefundDeps, 'store' | 'webhooks'>,
  id: string,
  finish: AttemptFinish,
  event?: () => NewEvent,
): Promise<boolean> => {
  const sink = deps.webhooks;
  if (!sink || !event) return deps.store.finishAttempt(id, finish);
  const ended = await deps.store.finishAttempt(id, finish, event());
  if (ended) sink.kick();
  return ended;
};

/** Writes an attempt's end after money moved; a failed write is logged, never turned into a failure answer. */
export const finishQuietly = async (
  deps: Pick<RefundDeps, 'store' | 'log' | 'webhooks'>,
  id: string,
  finish: AttemptFinish,
  event?: () => NewEvent,
): Promise<void> => {
  try {
    await finishWithEvent(deps, id, finish, event);
  } catch (error) {
    deps.log({ level: 'error', msg: 'audit write failed after a refund', attempt: id, error: String(error) });
  }
};
