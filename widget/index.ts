/** @module The entry of `refund-button.js`: registers `<refund-button>` once and exports its types. */
import { RefundButton } from './refund-button/refund-button.ts';

// A page that loads the script twice (two snippets, a cached and a fresh copy) must keep working: warn, don't throw.
if (customElements.get('refund-button')) {
  console.warn('<refund-button> is already defined; this copy of refund-button.js was not registered.');
} else {
  customElements.define('refund-button', RefundButton);
}

export type { RequestCreated, RequestStatus, RequestView } from '../shared/refund-requests.ts';
export type { CancelSuccess } from '../shared/schemas/answers.ts';
export type { RefundView } from '../shared/schemas/refund-view.ts';
export * from './refund-button/events.ts';
export type { FailureCode, Lang, RefundButtonStrings } from './refund-button/strings.ts';
export { RefundButton };
