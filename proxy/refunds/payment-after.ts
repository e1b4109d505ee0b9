/**
 * @module paymentAfter(): a payment as it stood just after one of its cancels, for an event that tells of that cancel
 * when several are learned of at once (cancels made elsewhere, or attempts settled from one lookup): each event's
 * `cancel_amount` and `cancelable_amount` are then those after its own cancel, not after the last one.
 */
import type { Cancellation, Payment } from '../payments/payment.ts';
import { entryId } from './settle.ts';

/**
 * What had been cancelled once `entry` was (the history up to it, in time order), with the payment's status as it is
 * now: any cancel, partial or whole, leaves an i'mport payment `cancelled` (the amounts tell which). The latest entry's
 * figures are the payment's own.
 */
export const paymentAfter = (payment: Payment, entry: Cancellation): Payment => {
  const history = [...payment.cancel_history].sort((a, b) => a.cancelled_at - b.cancelled_at);
  const id = entryId(entry);
  const at = history.findIndex((e) => entryId(e) === id);
  if (at < 0 || at === history.length - 1) return payment;
  const cancelled = history.slice(0, at + 1).reduce((sum, e) => sum + e.amount, 0);
  return { ...payment, cancel_amount: cancelled };
};
