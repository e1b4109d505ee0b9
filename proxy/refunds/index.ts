/**
 * @module The refund use cases as the routes see them: the view of an order, the refund, and the webhook's sync.
 * Each answers a typed outcome (outcome.ts); the routes alone turn outcomes into HTTP.
 */
export { toAnswer } from './answers.ts';
export { cancelRefund } from './cancel.ts';
export type { CancelInput } from './cancel-input.ts';
export type { RefundDeps } from './deps.ts';
export type { CancelOutcome, Failure, Refunded, Replayed, Revoked, SyncOutcome, ViewOutcome } from './outcome.ts';
export { settleOrder } from './settle-order.ts';
export { createWebhookSync, syncFromWebhook } from './sync-from-webhook.ts';
export { viewPayment } from './view.ts';
