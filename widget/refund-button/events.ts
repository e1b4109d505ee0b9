/** @module The events `<refund-button>` fires: one class each, all bubbling and composed, typed on every element. */
import type { RequestCreated, RequestView } from '../../shared/refund-requests.ts';
import type { CancelSuccess } from '../../shared/schemas/answers.ts';
import type { FailureCode } from './strings.ts';

const init = { bubbles: true, composed: true } as const;

/** The dialog opened. */
export class RefundOpenEvent extends CustomEvent<{ merchant_uid: string }> {
  constructor(detail: RefundOpenEvent['detail']) {
    super('refund-open', { ...init, detail });
  }
}

/** What is about to be sent (never the account details). `cancel_request_amount` absent: everything refundable. */
export interface RefundStartDetail {
  readonly merchant_uid: string;
  readonly cancel_request_amount?: number;
  readonly reason: string;
  /** An unpaid virtual account is being revoked: nothing is paid back. */
  readonly revoke: boolean;
}

/** A refund request is about to be sent. Cancelable: `preventDefault()` vetoes it and nothing is sent. */
export class RefundStartEvent extends CustomEvent<RefundStartDetail> {
  constructor(detail: RefundStartDetail) {
    super('refund-start', { ...init, cancelable: true, detail });
  }
}

/** The proxy refunded (or, for a virtual account, accepted the refund; or revoked the unpaid account). */
export class RefundSuccessEvent extends CustomEvent<CancelSuccess> {
  constructor(detail: CancelSuccess) {
    super('refund-success', { ...init, detail });
  }
}

/** Loading or refunding failed. `code` is the proxy's error code, or `NETWORK` when no answer came back. */
export class RefundErrorEvent extends CustomEvent<{ code: FailureCode; message: string }> {
  constructor(detail: RefundErrorEvent['detail']) {
    super('refund-error', { ...init, detail });
  }
}

/** The dialog closed. */
export class RefundCloseEvent extends CustomEvent<null> {
  constructor() {
    super('refund-close', { ...init, detail: null });
  }
}

/** Request mode: the proxy took the refund request; `detail` is the request from its answer. */
export class RefundRequestedEvent extends CustomEvent<RequestCreated['request']> {
  constructor(detail: RequestCreated['request']) {
    super('refund-requested', { ...init, detail });
  }
}

/** Request mode: the customer withdrew the order's request; `detail` is the request as the proxy now has it. */
export class RequestWithdrawnEvent extends CustomEvent<RequestView> {
  constructor(detail: RequestView) {
    super('refund-request-withdrawn', { ...init, detail });
  }
}

/** Every event `<refund-button>` fires, by name. */
export interface RefundButtonEventMap {
  'refund-open': RefundOpenEvent;
  'refund-start': RefundStartEvent;
  'refund-success': RefundSuccessEvent;
  'refund-error': RefundErrorEvent;
  'refund-close': RefundCloseEvent;
  'refund-requested': RefundRequestedEvent;
  'refund-request-withdrawn': RequestWithdrawnEvent;
}

declare global {
  interface GlobalEventHandlersEventMap extends RefundButtonEventMap {}
}
