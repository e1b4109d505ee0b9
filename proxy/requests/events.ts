/** @module The `refund_request.*` merchant events, one per move of a request, written in the move's transaction; moveRequest() makes a move with its event. */

import type { WebhookSink } from '../refunds/deps.ts';
import type { EventType, NewEvent } from '../store/outbox.ts';
import type { RefundRequestRecord, RequestChange } from '../store/requests.ts';
import type { RequestSettled, Store } from '../store/store.ts';
import { eventId } from '../webhooks/events.ts';
import type { RequestDeps } from './deps.ts';
import { eventData } from './shapes.ts';

type RequestEventType = Extract<EventType, `refund_request.${string}`>;

/** The event for `request` as it will stand once `change` (if any) is written; one per request and type. */
export const requestEvent = (
  deps: Pick<RequestDeps, 'now' | 'randomId'>,
  type: RequestEventType,
  request: RefundRequestRecord,
  change?: RequestChange,
): NewEvent => {
  const after: RefundRequestRecord = change
    ? {
        ...request,
        status: change.to,
        decided_at: change.decided_at ?? request.decided_at,
        decided_by: change.decided_by ?? request.decided_by,
        reject_reason: change.reject_reason ?? request.reject_reason,
        allow_new_request: change.allow_new_request ?? request.allow_new_request,
        approved_amount: change.approved_amount ?? request.approved_amount,
        error_code: change.error_code ?? request.error_code,
        approvals: change.to === 'approved' ? request.approvals + 1 : request.approvals,
      }
    : request;
  return {
    id: eventId(deps.randomId),
    type,
    merchant_uid: request.merchant_uid,
    // A failure says why: our error table's code (its refund's own refund.failed, when there is one, says more).
    data: type === 'refund_request.failed' ? { ...eventData(after), error_code: after.error_code } : eventData(after),
    created_at: deps.now(),
    dedupe_key: `${type}:${approvalRound(request.id, after)}`,
  };
};

/**
 * What names an approval's round: the request's id for the first (as before approvals could repeat), with the round
 * after it for later ones (a failed refund approved again). Its refund's Idempotency-Key and its event's dedupe key
 * are built from it, so each approval refunds at most once and is told once.
 */
export const approvalRound = (id: string, request: Pick<RefundRequestRecord, 'approvals'>): string =>
  request.approvals > 1 ? `${id}:${request.approvals}` : id;

/** Events are on only with merchant webhooks configured; a written one is then delivered in the background. */
export const eventIfOn = (deps: RequestDeps, build: () => NewEvent): NewEvent | undefined =>
  deps.webhooks ? build() : undefined;

/**
 * Moves `request` by `change` (a compare-and-set on its status) with its `type` event in the same write, then has
 * the event delivered. `lost`: another move came first; the request as it now stands.
 */
export const moveRequest = async (
  deps: RequestDeps,
  request: RefundRequestRecord,
  change: RequestChange,
  type: RequestEventType,
): Promise<{ readonly moved: RefundRequestRecord } | { readonly lost: RefundRequestRecord }> => {
  const event = eventIfOn(deps, () => requestEvent(deps, type, request, change));
  const moved = await deps.store.transitionRequest(request.id, change, event);
  if (!moved) return { lost: (await deps.store.getRequest(request.id)) ?? request };
  if (event) deps.webhooks?.kick();
  return { moved };
};

/**
 * `store` as the use cases get it when merchant webhooks are on: an attempt's end that moves its request (an
 * approval's) to `failed` with no refund event to tell of it (nothing reached the gateway: the account, a check of
 * ours, the gateway unreachable; or, settled later, the refund did not happen) writes `refund_request.failed` in the
 * same transaction, however the end was learned (the approval itself, the view, a retry, the gateway's webhook).
 */
export const tellingFailedRequests = (
  store: Store,
  deps: Pick<RequestDeps, 'now' | 'randomId'> & { readonly webhooks: WebhookSink },
): Store => {
  const failedEvent = (moved: RefundRequestRecord) => requestEvent(deps, 'refund_request.failed', moved);
  /** `settled`, and whether it was told of a move to failed (whose event then waits to be delivered). */
  const noting = (settled: RequestSettled | undefined) => {
    const seen = { failed: false };
    const told: RequestSettled = (moved) => {
      if (moved.status === 'failed') seen.failed = true;
      settled?.(moved);
    };
    return { seen, told };
  };
  const telling: Store = Object.create(store);
  telling.insertAttempt = async (start, finish, settled, failedEventGiven, event) => {
    const { seen, told } = noting(settled);
    const written = await store.insertAttempt(start, finish, told, failedEventGiven ?? failedEvent, event);
    if (seen.failed && !event) deps.webhooks.kick();
    return written;
  };
  telling.finishAttempt = async (id, finish, event, settled, failedEventGiven) => {
    const { seen, told } = noting(settled);
    const ended = await store.finishAttempt(id, finish, event, told, failedEventGiven ?? failedEvent);
    if (seen.failed && !event) deps.webhooks.kick();
    return ended;
  };
  return telling;
};
