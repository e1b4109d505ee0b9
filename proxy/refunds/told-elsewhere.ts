/**
 * @module Whether the shop heard of a cancellation as made elsewhere (`payment.cancelled_externally`), so that a refund
 * of ours found to be that cancellation later (a late refund taken by its retry, an id PortOne V2 replayed for a key)
 * is not told again as `refund.succeeded`: each cancellation is told once.
 */
import { sameAmount } from '../payments/money.ts';
import type { Cancellation, Payment } from '../payments/payment.ts';
import type { Attempt } from '../store/store.ts';
import { externalCancelKey } from '../webhooks/events.ts';
import { claimedIds, entryId } from './cancel-history.ts';
import type { RefundDeps } from './deps.ts';

/**
 * The entry an event written by a release before 6b24f99 already told, when it is not ours, or null. Those releases
 * keyed an entry by its cancellation_id even when i'mport sent it empty (`external:<imp_uid>:`, one key for all such
 * entries of a payment, so only the first was told), where such entries now go by a stand-in (entryId): on a ledger
 * they wrote, that event stands for the first such entry with its amount (and its words, where one has them), told
 * again otherwise (its cancel_amount is no guide: the first releases gave the payment's own). That entry may be one
 * the current code knows as ours (those releases told a refund of ours whose entry later copies showed with an empty
 * id as made elsewhere): then it stands for no other, and every such entry not ours is told. Read only for a payment
 * with such an entry not ours.
 */
export const toldUnderEmptyId = async (
  store: RefundDeps['store'],
  payment: Payment,
  inTime: readonly Cancellation[],
  ours: ReadonlySet<string>,
): Promise<string | null> => {
  const unnamed = inTime.filter((e) => e.cancellation_id === '');
  if (unnamed.every((e) => ours.has(entryId(e)))) return null;
  const told = await store.eventByDedupeKey(externalCancelKey(payment.imp_uid, ''));
  if (!told) return null;
  const amount = told.data.amount;
  const same = unnamed.filter((e) => typeof amount === 'number' && sameAmount(e.amount, amount));
  const entry = same.find((e) => (e.reason ?? null) === (told.data.reason ?? null)) ?? same[0];
  return entry && !ours.has(entryId(entry)) ? entryId(entry) : null;
};

/**
 * Whether `entry` of `payment` was told to the shop as a cancel made elsewhere (`payment.cancelled_externally`), by this
 * release or one before 6b24f99 (toldUnderEmptyId). `attempts`: the order's, as the ledger holds them now.
 */
export const toldAsMadeElsewhere = async (
  store: RefundDeps['store'],
  payment: Payment,
  entry: Cancellation,
  attempts: readonly Attempt[],
): Promise<boolean> => {
  const id = entryId(entry);
  if (await store.eventByDedupeKey(externalCancelKey(payment.imp_uid, id))) return true;
  if (entry.cancellation_id !== '') return false;
  const ours = claimedIds(attempts.filter((a) => a.imp_uid === payment.imp_uid));
  const inTime = [...payment.cancel_history].sort((a, b) => a.cancelled_at - b.cancelled_at);
  return (await toldUnderEmptyId(store, payment, inTime, ours)) === id;
};
