/**
 * @module recordExternalCancels(): cancels i'mport shows that no attempt of the proxy made (one in i'mport's console,
 * the shop's own code) become `payment.cancelled_externally` events, one per cancel_history entry however often
 * i'mport notifies about it. Only with merchant webhooks on, and only under the order's lease with every attempt
 * settled, so an entry one of our attempts made is never taken for someone else's.
 */
import type { Payment } from '../payments/payment.ts';
import type { Attempt } from '../store/store.ts';
import { externalCancelEvent } from '../webhooks/events.ts';
import type { RefundDeps } from './deps.ts';
import { claimedIds, entryId, isUnsettled } from './settle.ts';

export const recordExternalCancels = async (
  deps: Pick<RefundDeps, 'store' | 'now' | 'randomId' | 'webhooks'>,
  payment: Payment,
  attempts: readonly Attempt[],
): Promise<void> => {
  const sink = deps.webhooks;
  if (!sink || attempts.some((a) => isUnsettled(a) && a.imp_uid === payment.imp_uid)) return;
  const ours = claimedIds(attempts.filter((a) => a.imp_uid === payment.imp_uid));
  let written = false;
  for (const entry of [...payment.cancel_history].sort((a, b) => a.cancelled_at - b.cancelled_at)) {
    const id = entryId(entry);
    if (ours.has(id)) continue;
    // The dedupe key makes a second notification about the same entry write nothing.
    if (await deps.store.insertEvent(externalCancelEvent(deps, payment, entry, id))) written = true;
  }
  if (written) sink.kick();
};
