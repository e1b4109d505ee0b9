/**
 * @module recordExternalCancels(): cancels i'mport shows that no attempt of the proxy made (one in i'mport's console,
 * the shop's own code) become `payment.cancelled_externally` events, one per cancel_history entry however often the
 * proxy learns of it (i'mport's webhook, the view's first lookup or re-read, a refund's read or a refusal's re-read).
 * Only with merchant webhooks on, and only under the order's lease with every attempt settled, so an entry one of our
 * attempts made is never taken for someone else's. An entry that was not told then and became ours (a refund the
 * gateway applied late, which its request's retry took) is told as that request's refund (told-elsewhere.ts). First,
 * a failed request's refund the gateway applied late is recorded as that request's (late-approvals.ts).
 */
import { sameAmount } from '../payments/money.ts';
import type { Payment } from '../payments/payment.ts';
import type { Attempt } from '../store/store.ts';
import { externalCancelEvent } from '../webhooks/events.ts';
import { claimedIds, entryId, findEntryFor, isRevokeAttempt, paymentAfter, sentBy } from './cancel-history.ts';
import type { RefundDeps } from './deps.ts';
import { recordLateApprovals } from './late-approvals.ts';
import { isAcceptedUnshown, isUnsettled, mayBeApprovedLater } from './settle.ts';
import { toldUnderEmptyId } from './told-elsewhere.ts';

type Attempts = readonly Attempt[] | (() => Promise<readonly Attempt[]>);

/**
 * `payment`: a copy just read from i'mport (or the ledger's, whose entries were read from i'mport before: the dedupe
 * key makes a second sighting write nothing). `attempts`: the order's, as the ledger holds them now, or how to read
 * them (only read when there is something to compare: webhooks on and a history to look at). `taking`: entries the
 * caller is about to take as its own request's refund (a late one its retry finds), told as that refund instead.
 */
export const recordExternalCancels = async (
  deps: Pick<RefundDeps, 'store' | 'now' | 'randomId' | 'webhooks' | 'gateway'>,
  payment: Payment,
  attempts: Attempts,
  taking: ReadonlySet<string> = new Set(),
): Promise<void> => {
  if (payment.cancel_history.length === 0) return;
  const all = typeof attempts === 'function' ? await attempts() : attempts;
  // Told only once every attempt on the payment is settled, so none of ours is told as someone else's; a PayPal cancel
  // waiting on its approval (which may never end) does not wait the others: its own entry, which carries its words, is
  // passed over below instead.
  const waiting = all.filter((a) => isUnsettled(a) && a.imp_uid === payment.imp_uid);
  // A failed request's refund that applied late is that request's: recorded with webhooks on or off (and then told as
  // its refund), judged only with no attempt on the payment unsettled at all, not even one that waits on its PG.
  const landed = waiting.length === 0 ? await recordLateApprovals(deps, payment, all, taking) : new Set<string>();
  const sink = deps.webhooks;
  if (!sink) return;
  // Nor does one whose answer was lost on such a payment (settle.ts mayBeApprovedLater), held as long; nor one the
  // gateway accepted under an id of its own (PortOne V2's REQUESTED, for a business day or two on a virtual account):
  // its entry is known by that id (claimedIds), so any other is someone else's, told now rather than days later.
  const blocks = (a: Attempt) =>
    a.cancellation_id === null && !isAcceptedUnshown(a, payment) && !mayBeApprovedLater(a, payment);
  if (waiting.some(blocks)) return;
  const mine = all.filter((a) => a.imp_uid === payment.imp_uid);
  const ours = new Set([...claimedIds(mine), ...landed]);
  // A refund of ours whose entry was not recognised in i'mport's answer (none matched then) still made one: the entry
  // it would match is ours too, never told to the shop as someone else's. So is one whose id, given in the answer, this
  // copy's entries no longer carry (they go by a stand-in): its entry is the one with its amount, time and words.
  const shownIds = new Set(payment.cancel_history.map(entryId));
  for (const a of mine) {
    if (a.outcome !== 'succeeded' || isRevokeAttempt(a)) continue;
    if (a.cancellation_id && shownIds.has(a.cancellation_id)) continue;
    // An entry with its words first, and one stamped since it began before one within the clock's slack: a console
    // cancel of the same amount (in the same words, even), stamped before it, is not it.
    const withWords = payment.cancel_history.filter((e) => sentBy(a, e));
    const since = withWords.filter((e) => e.cancelled_at * 1000 >= a.started_at);
    const worded = findEntryFor(a, since, ours) ?? findEntryFor(a, withWords, ours);
    const entry = worded ?? (a.cancellation_id ? undefined : findEntryFor(a, payment.cancel_history, ours));
    if (entry) ours.add(entryId(entry));
  }
  const inTime = [...payment.cancel_history].sort((a, b) => a.cancelled_at - b.cancelled_at);
  const toldBefore = await toldUnderEmptyId(deps.store, payment, inTime, ours);
  let written = false;
  for (const entry of inTime) {
    const id = entryId(entry);
    if (ours.has(id) || id === toldBefore || taking.has(id)) continue;
    if (waiting.some((a) => sameAmount(a.amount, entry.amount) && sentBy(a, entry))) continue;
    // Several can be learned of at once: each event's figures are the payment's just after its own cancel.
    const after = paymentAfter(payment, entry);
    if (await deps.store.insertEvent(externalCancelEvent(deps, after, entry, id))) written = true;
  }
  if (written) sink.kick();
};
