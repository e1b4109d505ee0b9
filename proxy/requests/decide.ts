/**
 * @module Staff decide a request: approveRequest() claims it, moving it to approved by one compare-and-set that also
 * checks the approval (the table allows it, the amount, a key that opens its account; of concurrent approvals, on any
 * number of instances, exactly one proceeds; the request is read only when the claim fails, to say why), then runs
 * its refund through cancelRefund() — the customer's own path: order lease, checksum, an Idempotency-Key of
 * `request:<id>` (`request:<id>:<n>` for the n-th approval of a request whose refund failed), the audit naming the
 * approver and the request. The attempt's end moves the request to refunded or failed (in the ledger's transaction);
 * an unknown outcome leaves it approved until the attempt is settled. Each approval is a round (the request's
 * `approvals`): its attempt is written bound to the request in that round, or not at all (an approval overtaken while
 * it waited sends nothing), and a move judged from a round lands only while none is bound. A failed request can be
 * approved again (nothing was refunded) while it is still its order's latest. rejectRequest() is one compare-and-set.
 */
import { inWholeUnits, unitsRule } from '../../shared/currency-units.ts';
import { nextStatus } from '../../shared/refund-requests.ts';
import type { CancelSuccess, ErrorAnswer } from '../../shared/schemas/answers.ts';
import type { CancelRequestOutput } from '../../shared/schemas/cancel-request.ts';
import { RESERVED_KEY_PREFIX } from '../../shared/schemas/fields.ts';
import type { Answer } from '../errors.ts';
import { money } from '../payments/money.ts';
import { cancelRefund, settleOrder, toAnswer } from '../refunds/index.ts';
import { lateRefunds, settledUnanswered } from '../refunds/late-cancels.ts';
import { type Failure, fail } from '../refunds/outcome.ts';
import { isUnsettled } from '../refunds/settle.ts';
import type { NewEvent } from '../store/outbox.ts';
import type { ApprovalClaim, RefundRequestRecord } from '../store/requests.ts';
import type { Attempt, RequestSettled, Store } from '../store/store.ts';
import type { Sealer } from './account-crypto.ts';
import type { RequestDeps } from './deps.ts';
import { approvalRound, moveRequest, requestEvent } from './events.ts';
import { DECIDED } from './withdraw.ts';

export type Decision =
  | {
      readonly kind: 'decided';
      readonly request: RefundRequestRecord;
      readonly refund?: Answer<CancelSuccess | ErrorAnswer>;
      /** The order's payment's currency, when the refund read it (else the answer looks it up). */
      readonly currency?: string;
    }
  | { readonly kind: 'not_found' }
  | Failure;

/** Who decides, and from where (for the refund's audit). */
export interface Decider {
  readonly id: string;
  readonly clientIp: string | null;
}

/** Why a request that is not `requested` cannot be decided now: an approval's refund may still be running. */
const notDecidable = (request: RefundRequestRecord, action: 'approve' | 'reject'): Failure => {
  if (request.status === 'approved' && action === 'approve') {
    return fail('REFUND_IN_PROGRESS', 'This request was approved and its refund is still running or being checked.');
  }
  if (request.status === 'failed' && action === 'approve') {
    // Only a lost compare-and-set lands here with a failed request: the order has a newer request.
    return fail('REFUND_REQUEST_DECIDED', `${DECIDED} (its refund failed, and the order has a newer request since)`);
  }
  return fail('REFUND_REQUEST_DECIDED', `${DECIDED} (it is ${request.status})`);
};

interface Account {
  readonly refund_holder?: string;
  readonly refund_account?: string;
  readonly refund_tel?: string;
}

/** The account sealed in `request`, opened ({} when it has none); null when no configured key opens it. */
const openAccount = async (sealer: Sealer | null, request: RefundRequestRecord): Promise<Account | null> => {
  if (!request.refund_secret) return {};
  const plain = sealer ? await sealer.open(request.refund_secret) : null;
  return plain === null ? null : (JSON.parse(plain) as Account); // sealed by create.ts from exactly these fields
};

const UNOPENABLE =
  "This request's refund account cannot be opened with DATA_ENCRYPTION_KEY or DATA_ENCRYPTION_KEY_PREVIOUS.";

/**
 * Why request `id` was not claimed for approval, read after the claim's compare-and-set found nothing to move: the
 * same checks in the same order as the claim makes them, each with its answer.
 */
const whyNotClaimed = async (
  deps: RequestDeps,
  id: string,
  amount: number | undefined,
  sealer: Sealer | null,
): Promise<Decision> => {
  const request = await deps.store.getRequest(id);
  if (!request) return { kind: 'not_found' };
  if (amount !== undefined && amount > request.amount) {
    return fail(
      'INVALID_REQUEST',
      `amount must be at most ${request.amount} (what the customer asked for): an approval may lower it, never raise it`,
    );
  }
  if (amount !== undefined && request.tax_free_amount !== null && amount < request.tax_free_amount) {
    return fail(
      'INVALID_REQUEST',
      `amount must be at least ${request.tax_free_amount}: the tax-free part of this refund (its grant's tax_free_amount)`,
    );
  }
  if (!nextStatus(request.status, 'approve')) return notDecidable(request, 'approve');
  // Left as it is, for a fixed key: sealed under a key no longer configured.
  if (request.refund_secret && !(sealer?.openablePrefixes ?? []).some((p) => request.refund_secret?.startsWith(p))) {
    return fail('REFUND_NOT_ALLOWED', UNOPENABLE);
  }
  // Approvable as it stands now, yet not moved: another move came first (or the order has a newer request).
  return notDecidable(request, 'approve');
};

/**
 * `deps` whose store tells `keep` of request `id` whenever an attempt's end moves it (Store.finishAttempt and
 * insertAttempt's `settled`); every other call goes to the store as it is.
 */
const tellingSettled = (deps: RequestDeps, id: string, keep: RequestSettled): RequestDeps => {
  const told: RequestSettled = (request) => {
    if (request.id === id) keep(request);
  };
  const store: Store = Object.create(deps.store);
  store.finishAttempt = (attemptId, finish, event) => deps.store.finishAttempt(attemptId, finish, event, told);
  store.insertAttempt = (start, finish, _settled, failedEvent, event) =>
    deps.store.insertAttempt(start, finish, told, failedEvent, event);
  return { ...deps, store };
};

/**
 * An approval's amount finer than its currency's smallest unit, checked before anything moves: won have no fraction,
 * dollars none below a cent (the customer's own refund is refused the same way, once its payment's currency is known).
 * Null: no such amount, or one in whole units.
 */
const fractionRefused = async (deps: RequestDeps, id: string, amount: number | undefined): Promise<Decision | null> => {
  if (amount === undefined || Number.isInteger(amount)) return null;
  const request = await deps.store.getRequest(id);
  if (!request) return { kind: 'not_found' };
  const currency = (await deps.store.getPayment(request.merchant_uid))?.currency ?? 'KRW';
  return inWholeUnits(amount, currency) ? null : fail('INVALID_REQUEST', unitsRule('amount', currency));
};

/**
 * How long after its claim an approval's refund must have begun (its attempt written): the claim is followed at once by
 * the order's lease (seconds at most) and the account holder's check. An approval older than this with no attempt of its
 * own ended before its refund began (a ledger error, a stopped process), and never will: ten minutes, as long as a
 * refund whose answer was lost is taken to be possibly still running.
 */
const UNSTARTED_AFTER_MS = 10 * 60 * 1000;

/**
 * `request` moved from `approved` to `failed` (nothing was refunded: UPSTREAM_UNAVAILABLE) when its approval's refund
 * never began: no attempt of it since its claim, which is at least `afterMs` old. Staff may then approve it again or
 * reject it, and the customer sees it failed, where it would otherwise stay `approved` for good, its account kept.
 */
const failUnstarted = async (
  deps: RequestDeps,
  request: RefundRequestRecord,
  afterMs: number,
): Promise<RefundRequestRecord> => {
  const claimedAt = request.decided_at;
  if (request.status !== 'approved' || claimedAt === null || deps.now() - claimedAt < afterMs) return request;
  const attempts = await deps.store.listAttempts(request.merchant_uid);
  if (attempts.some((a) => a.request_id === request.id && a.started_at >= claimedAt)) return request;
  return failRound(deps, request, request.approvals, 'UPSTREAM_UNAVAILABLE');
};

/**
 * The background check's part (refunds/attention.ts): each request left `approved` UNSTARTED_AFTER_MS after its claim
 * with no refund begun (its approval ended first: a stopped process, the ledger failing twice), at most `limit`, moved
 * to `failed` as staff deciding again would move it, so the customer is not shown an approval whose refund nothing will
 * send, and staff find it among the failed. Resolves with how many moved (each with its event). A paused approval that
 * resumes after it sends nothing: its refund is bound to its round in the write of its attempt, which then fails.
 */
export const failUnstartedApprovals = async (deps: RequestDeps, limit: number): Promise<number> => {
  let moved = 0;
  for (const request of await deps.store.unstartedApprovals(deps.now() - UNSTARTED_AFTER_MS, limit)) {
    const after = await failUnstarted(deps, request, UNSTARTED_AFTER_MS);
    // Not moved (a refund begun since the list was read), or moved otherwise by staff deciding meanwhile.
    if (after.status !== 'failed' || after.approvals !== request.approvals) continue;
    moved += 1;
    deps.log({
      level: 'warn',
      msg: 'approval ended before its refund began; request failed',
      request: request.id,
      merchant_uid: request.merchant_uid,
      approved_at: new Date(request.decided_at ?? 0).toISOString(),
    });
  }
  return moved;
};

/**
 * `request` (as last read) moved from `approved` to `failed` with `errorCode`, nothing having been refunded; the request
 * as it then stands. Only in approval round `round` and only while no attempt is bound to it (the ledger checks both in
 * the move itself, a read before being a look only): staff deciding at the same time may have failed it and approved
 * it again, and a paused approval may have bound its refund since; a later round's refund is never failed for this one.
 */
const failRound = async (
  deps: RequestDeps,
  request: RefundRequestRecord,
  round: number,
  errorCode: string,
): Promise<RefundRequestRecord> => {
  const failed = nextStatus('approved', 'refund_failed');
  if (!failed) return request;
  const change = { from: 'approved', to: failed, now: deps.now(), error_code: errorCode, round } as const;
  const move = await moveRequest(deps, request, change, 'refund_request.failed');
  return 'moved' in move ? move.moved : move.lost;
};

/**
 * A request still `approved` from an earlier approval whose refund got no answer is settled only by a look at its
 * order (the gateway asked, as the customer's view does). Staff approving it again look first: once the refund shows
 * as not made (the request `failed`), it is claimed again; made, or still possibly running, and it is not.
 */
const claimAfterLooking = async (
  deps: RequestDeps,
  id: string,
  claim: ApprovalClaim,
  event: ((moved: RefundRequestRecord) => NewEvent) | undefined,
): Promise<RefundRequestRecord | null> => {
  const stuck = await deps.store.getRequest(id);
  if (stuck?.status !== 'approved') return null;
  await settleOrder(deps, stuck.merchant_uid);
  const now = await deps.store.getRequest(id);
  if (now) await failUnstarted(deps, now, UNSTARTED_AFTER_MS);
  return deps.store.claimApproval(id, claim, event);
};

/**
 * Request `id` moved to `failed` (nothing was refunded) if it stands `approved` by `claim` itself (its time and decider)
 * with no refund begun since: a claim whose answer was lost.
 */
const failOwnClaim = async (deps: RequestDeps, id: string, claim: ApprovalClaim): Promise<void> => {
  const request = await deps.store.getRequest(id);
  if (request?.status !== 'approved' || request.decided_at !== claim.now || request.decided_by !== claim.decided_by)
    return;
  await failUnstarted(deps, request, 0);
};

export const approveRequest = async (
  deps: RequestDeps,
  id: string,
  body: { readonly amount?: number; readonly note?: string },
  decider: Decider,
): Promise<Decision> => {
  const fraction = await fractionRefused(deps, id, body.amount);
  if (fraction) return fraction;
  // Compared with the request's amount, and sent, as amounts are kept (money.ts): 0.1 + 0.2 is the 0.3 asked for.
  const amountAsked = body.amount === undefined ? undefined : money(body.amount);
  const sealer = await deps.sealer();
  const now = deps.now();
  // The request is not read first: the claim moves it only if it may be approved as asked (table, amount, key), and
  // only when it did not is it read, to tell why.
  const claim = {
    now,
    decided_by: decider.id,
    amount: amountAsked ?? null,
    note: body.note ?? null,
    openablePrefixes: sealer?.openablePrefixes ?? [],
  };
  const event = deps.webhooks
    ? (moved: RefundRequestRecord) => requestEvent(deps, 'refund_request.approved', moved)
    : undefined;
  const claimed = async () =>
    (await deps.store.claimApproval(id, claim, event)) ?? (await claimAfterLooking(deps, id, claim, event));
  const request = await claimed().catch(async (error: unknown) => {
    // The ledger failing on the claim may have written it all the same (its answer lost: a connection dropped after
    // COMMIT). Then this approval holds the request `approved` and will never begin its refund: failed now, as when
    // the ledger fails after a claim it answered, rather than left approved until staff decide again ten minutes on.
    await failOwnClaim(deps, id, claim).catch(() => undefined);
    throw error;
  });
  if (!request) return whyNotClaimed(deps, id, amountAsked, sealer);
  if (event) deps.webhooks?.kick();
  const amount = request.approved_amount ?? request.amount;
  const account = await openAccount(sealer, request);
  if (!account) {
    // Sealed under a configured key's id, yet it does not open: a damaged value. Nothing was sent; the request ends
    // failed with the code, for staff to follow up (the customer's view says so).
    await failRound(deps, request, request.approvals, 'REFUND_NOT_ALLOWED');
    return fail('REFUND_NOT_ALLOWED', UNOPENABLE);
  }

  const refundRequest: CancelRequestOutput = {
    merchant_uid: request.merchant_uid,
    // The payment the customer asked about: should the order have been paid again since, nothing is refunded.
    ...(request.imp_uid === null ? {} : { imp_uid: request.imp_uid }),
    cancel_request_amount: amount,
    reason: request.reason,
    ...(request.refund_bank ? { refund_bank: request.refund_bank } : {}),
    ...account,
  };
  // The request as its attempt's end moved it (refunded or failed, in that attempt's own transaction), handed back by
  // the store: the answer needs no read of the request after the refund. The last told is the latest.
  const settled: { request?: RefundRequestRecord } = {};
  const telling = tellingSettled(deps, id, (request) => {
    settled.request = request;
  });
  const refund = cancelRefund(telling, {
    request: refundRequest,
    // The customer's grant, as far as the refund needs it: who asked, which grant and its cap (so the refund counts
    // against it, as the customer's own would), and the tax parts the shop gave.
    grant: {
      sub: request.grant_subject,
      exp: Math.floor(now / 1000) + 60,
      ...(request.grant_jti === null ? {} : { jti: request.grant_jti }),
      ...(request.grant_max_amount === null ? {} : { max_amount: request.grant_max_amount }),
      ...(request.tax_free_amount === null ? {} : { tax_free_amount: request.tax_free_amount }),
      ...(request.vat_amount === null ? {} : { vat_amount: request.vat_amount }),
    },
    idempotencyKey: `${RESERVED_KEY_PREFIX}${approvalRound(id, request)}`,
    clientIp: decider.clientIp,
    origin: null,
    approval: {
      request_id: id,
      requested_at: request.created_at,
      approved_by: decider.id,
      round: request.approvals,
      cancels_seen: request.cancels_seen,
    },
  });
  const outcome = await refund.catch(async (error: unknown) => {
    // Thrown (the ledger failing): if no attempt was written, the refund never began and this approval is over, so the
    // request is failed now rather than left approved; an attempt written is settled as any refund's is.
    await failUnstarted(deps, request, 0).catch(() => undefined);
    throw error;
  });
  // Not told: no attempt of this approval ended with a move (refused before one was written, an unknown outcome, a
  // store that does not tell); the request as it stands then.
  // A ledger that fails here (gone while the cancel was out) must not turn the refund's outcome into "nothing was
  // refunded": the request is answered as claimed (approved), and the next look at its order settles it.
  const reread = async (): Promise<RefundRequestRecord | null> => {
    try {
      return await deps.store.getRequest(id);
    } catch (error) {
      deps.log({ level: 'error', msg: 'could not read a request after its refund', request: id, error: String(error) });
      return null;
    }
  };
  let after = settled.request ?? (await reread()) ?? request;
  if (after.status === 'approved' && outcome.kind === 'failed' && outcome.code !== 'REFUND_OUTCOME_UNKNOWN') {
    // Refused before an attempt was written (the order busy, i'mport unreachable): no attempt's end moves it.
    // In this approval's round (the claimed one), whichever round `after` shows.
    after = await failRound(deps, after, request.approvals, outcome.code);
  }
  const currency = outcome.kind === 'refunded' || outcome.kind === 'revoked' ? outcome.payment.currency : undefined;
  return { kind: 'decided', request: after, refund: toAnswer(outcome), ...(currency ? { currency } : {}) };
};

const isLatest = async (deps: RequestDeps, request: RefundRequestRecord): Promise<boolean> =>
  (await deps.store.latestRequest(request.merchant_uid))?.id === request.id;

/**
 * A failed request whose approval's refund was settled as not made once the gateway could no longer be running it,
 * and that the gateway shows applied after all (late-cancels.ts): rejecting it would end it `rejected` with its money
 * refunded. The gateway is asked (the ledger's copy may not show it yet) and its answer only read, not stored: this
 * runs outside the order's lease, where a stored copy would clear the mark of a change still being checked. The
 * ledger's copy stands in when the gateway cannot be asked, and is read alone when `looked` (lookForLateRefund has just
 * asked the gateway and stored its answer: asking again would only double the wait while it is down).
 */
const refundedLate = async (deps: RequestDeps, request: RefundRequestRecord, looked: boolean): Promise<boolean> => {
  const attempts = await deps.store.listAttempts(request.merchant_uid);
  // An attempt whose outcome is not known yet may be the one that made the cancel; only a look under the order's lease
  // settles it (the approval's own path does). Until then nothing is known, and the reject goes ahead as it would.
  if (attempts.some(isUnsettled)) return false;
  const ours = attempts.filter((a) => a.request_id === request.id && settledUnanswered(deps.gateway, a));
  if (ours.length === 0) return false;
  const read = async (impUid: string) => {
    // The other gateway's payment (other-gateway.ts) is not asked of this one, which does not know it.
    if (looked || !deps.gateway.owns({ imp_uid: impUid, merchant_uid: request.merchant_uid }))
      return deps.store.getPaymentByImpUid(impUid);
    const fresh = await deps.gateway.getPayment(impUid);
    return fresh.kind === 'ok' ? fresh.payment : deps.store.getPaymentByImpUid(impUid);
  };
  const late = await lateRefunds(deps, attempts, read);
  return ours.some((a) => late.has(a.id));
};

/**
 * A failed request one of whose refunds got no answer and was settled as not made: a look at that payment under the
 * order's lease (as the hourly look's) records the refund as the request's should the gateway show it applied after
 * all (late-approvals.ts), and the request is read again: refunded, there is nothing to reject. The look may not
 * happen (the order held by a refund): the request is then as it was. `looked`: the look ran.
 */
const lookForLateRefund = async (
  deps: RequestDeps,
  request: RefundRequestRecord,
): Promise<{ readonly request: RefundRequestRecord; readonly looked: boolean }> => {
  const attempts = await deps.store.listAttempts(request.merchant_uid);
  const taken = (a: Attempt) => attempts.some((b) => b.late_of === a.id);
  const sent = attempts.find((a) => a.request_id === request.id && settledUnanswered(deps.gateway, a) && !taken(a));
  if (!sent?.imp_uid) return { request, looked: false };
  const looked = (await settleOrder(deps, request.merchant_uid, sent.imp_uid)) === 'looked';
  return { request: (await deps.store.getRequest(request.id)) ?? request, looked };
};

export const rejectRequest = async (
  deps: RequestDeps,
  id: string,
  body: { readonly reason: string; readonly allow_new_request?: boolean },
  decider: Decider,
): Promise<Decision> => {
  let request = await deps.store.getRequest(id);
  if (!request) return { kind: 'not_found' };
  if (request.status === 'approved') {
    // Its refund got no answer: a look at the order may settle it (failed: rejectable; refunded: decided), as for an
    // approval made again.
    await settleOrder(deps, request.merchant_uid);
    request = await failUnstarted(deps, (await deps.store.getRequest(id)) ?? request, UNSTARTED_AFTER_MS);
  }
  let looked = false;
  if (request.status === 'failed') ({ request, looked } = await lookForLateRefund(deps, request));
  const to = nextStatus(request.status, 'reject');
  if (!to) return notDecidable(request, 'reject');
  // Only while it can still be approved (its order's latest): then approving it again records that refund. An older
  // one can be neither approved nor left waiting for it, so it is rejected as before; its order's newer request is
  // what staff decide, the refund shown in the order's payment.
  if (request.status === 'failed' && (await isLatest(deps, request)) && (await refundedLate(deps, request, looked))) {
    return fail(
      'REFUND_REQUEST_DECIDED',
      `This request's refund was settled as not made, and ${deps.gateway.label} shows it applied after all, so it ` +
        'cannot be rejected: approve it again to record it as refunded (nothing more is sent).',
    );
  }
  const now = deps.now();
  const change = {
    from: request.status,
    to,
    now,
    decided_at: now,
    decided_by: decider.id,
    reject_reason: body.reason,
    allow_new_request: body.allow_new_request ?? true,
  };
  const move = await moveRequest(deps, request, change, 'refund_request.rejected');
  if ('lost' in move) return notDecidable(move.lost, 'reject');
  return { kind: 'decided', request: move.moved };
};
