/** @module The entry of `refund-desk.js`: registers `<refund-desk>` once and exports its types. */
import { RefundDesk } from './refund-desk/refund-desk.ts';

// Loaded twice (two snippets, a cached and a fresh copy): warn, don't throw.
if (customElements.get('refund-desk')) {
  console.warn('<refund-desk> is already defined; this copy of refund-desk.js was not registered.');
} else {
  customElements.define('refund-desk', RefundDesk);
}

export type { Approved, Delivery, DeskEvent, Order, Payment, RefundRow, RequestRow } from './refund-desk/api.ts';
export * from './refund-desk/events.ts';
export type { DeskStrings, Lang } from './refund-desk/strings.ts';
export { RefundDesk };
