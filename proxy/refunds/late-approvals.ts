/**
 * @module recordLateApprovals(): a request's approved refund that got no answer was settled as not made once the
 * gateway could no longer be running it, and the request `failed`; then the gateway showed that refund applied after
 * all (late-cancels.ts). The customer's money went back, so the request is `refunded`: the refund is recorded as that
 * request's (an attempt `late_of` the one that sent it) and the request moves with it, in one write, by the first look
 * that reads the payment from the gateway (the hourly look, the gateway's webhook, a view's re-read, a refund's read).
 * Before, it said failed until staff approved it again, whose refund then recorded it. A request staff rejected once its
 * refund failed is refunded the same way (shared/refund-requests.ts): its money went back whatever was decided, and
 * it was otherwise told to the shop as a cancel made elsewhere, its request still saying rejected.
 */
import { nextStatus } from '../../shared/refund-requests.ts';
import type { Payment } from '../payments/payment.ts';
import type { Attempt, AttemptStart } from '../store/store.ts';
import { entryId } from './cancel-history.ts';
import type { RefundDeps } from './deps.ts';
import { assignLate, settledUnanswered } from './late-cancels.ts';
import { recordLateRefund } from './late-refund-record.ts';

type Deps = Pick<RefundDeps, 'store' | 'webhooks' | 'now' | 'randomId' | 'gateway'>;

/** The recording attempt's start: what the earlier attempt asked, by nobody new (no client, no key), now. */
const startFor = (deps: Deps, earlier: Attempt, requestId: string, round: number): AttemptStart => ({
  id: deps.randomId(),
  merchant_uid: earlier.merchant_uid,
  imp_uid: earlier.imp_uid,
  requested_amount: earlier.requested_amount,
  amount: null,
  checksum: null,
  reason: earlier.reason,
  refund_bank: earlier.refund_bank,
  refund_account_masked: earlier.refund_account_masked,
  grant_subject: earlier.grant_subject,
  grant_jti: earlier.grant_jti,
  client_ip: null,
  origin: null,
  idempotency_key: null,
  started_at: deps.now(),
  request_id: requestId,
  approved_by: earlier.approved_by ?? null,
  failed_round: round,
});

/**
 * Records, for each failed request of `payment` whose bound attempt's refund `payment` (a copy just read) shows
 * applied late, that refund as the request's; answers the history entries so taken. The caller holds the order's
 * lease with every attempt on the payment settled (`attempts`: the order's, as the ledger holds them), as for telling
 * cancels made elsewhere, so no attempt whose outcome is still unknown can be the one that made the entry. `taking`:
 * entries the caller takes itself (an approval made again, whose own retry records it). A request approved again
 * meanwhile is left to that approval (which takes the refund as its own): the store binds the record only while the
 * request is failed in the round read, and one of two instances recording it at once writes it.
 */
export const recordLateApprovals = async (
  deps: Deps,
  payment: Payment,
  attempts: readonly Attempt[],
  taking: ReadonlySet<string>,
): Promise<ReadonlySet<string>> => {
  const taken = new Set<string>();
  const candidates = attempts.filter(
    (a) => a.request_id && a.imp_uid === payment.imp_uid && settledUnanswered(deps.gateway, a),
  );
  if (candidates.length === 0) return taken;
  const late = assignLate(deps.gateway, new Map([[payment.imp_uid, payment]]), attempts);
  for (const earlier of candidates) {
    const found = late.get(earlier.id);
    if (!found || taking.has(entryId(found.entry)) || !earlier.request_id) continue;
    // Failed in this round or a later one (approved again, that refund refused or never begun), or rejected once it
    // failed: no round refunded. Refunded or approved again, it is not this look's to record.
    const request = await deps.store.getRequest(earlier.request_id);
    if (!request || nextStatus(request.status, 'refund_landed_late') === null) continue;
    const start = startFor(deps, earlier, request.id, request.approvals);
    if (await recordLateRefund(deps, start, { ...found, earlier }, attempts)) taken.add(entryId(found.entry));
  }
  return taken;
};
