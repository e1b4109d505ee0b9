/**
 * @module The audit's row for a refund the gateway applied late (late-cancels.ts), taken by a later attempt of the same
 * request as its answer: written ended, under the earlier attempt's grant and on its payment, with the shop told of it
 * once.
 */
import type { Attempt, AttemptStart } from '../store/store.ts';
import { appliedEvent } from '../webhooks/events.ts';
import { ending } from './attempts.ts';
import { entryId, paymentAfter } from './cancel-history.ts';
import type { RefundDeps } from './deps.ts';
import type { LateRefund } from './late-cancels.ts';
import { toldAsMadeElsewhere } from './told-elsewhere.ts';

/**
 * Writes `start` as the attempt holding `late`, the refund `earlier` made; false when the ledger did not write it (an
 * approval overtaken meanwhile: the late refund stays for the approval that overtook it). The shop heard of the cancel
 * as made elsewhere if an earlier look saw it with every attempt on the payment settled (recordExternalCancels, which
 * leaves it to this call when this call's own look is the first); else it is told now, as this attempt's
 * `refund.succeeded`, in the same write: once ours, nothing else would tell it.
 */
export const recordLateRefund = async (
  deps: Pick<RefundDeps, 'store' | 'webhooks' | 'now' | 'randomId' | 'gateway'>,
  start: AttemptStart,
  late: LateRefund & { readonly earlier: Attempt },
  attempts: readonly Attempt[],
): Promise<boolean> => {
  const { earlier, entry, payment } = late;
  const attempt = {
    ...start,
    imp_uid: payment.imp_uid,
    grant_subject: earlier.grant_subject,
    grant_jti: earlier.grant_jti,
    amount: entry.amount,
    checksum: earlier.checksum,
    late_of: earlier.id,
  };
  const found = `${deps.gateway.label} applied it after attempt ${earlier.id} was settled as not made`;
  const end = ending(deps, {
    outcome: 'succeeded',
    cancellation_id: entryId(entry),
    refunded: entry.amount,
    iamport_message: found,
  });
  const untold = deps.webhooks && !(await toldAsMadeElsewhere(deps.store, payment, entry, attempts));
  const event = untold ? appliedEvent(deps, attempt, paymentAfter(payment, entry)) : undefined;
  const written = await deps.store.insertAttempt(attempt, end, undefined, undefined, event);
  if (written && event) deps.webhooks?.kick();
  return written;
};
