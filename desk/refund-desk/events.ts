/** @module The events `<refund-desk>` fires: one class each, all bubbling and composed, typed on every element. */
import type { Approved, RequestRow } from './api.ts';

const init = { bubbles: true, composed: true } as const;

/** Staff approved a request; `detail` is the proxy's answer (`{ ok, request, refund }`). */
export class DeskApprovedEvent extends CustomEvent<Approved> {
  constructor(detail: Approved) {
    super('refund-desk:approved', { ...init, detail });
  }
}

/** Staff rejected a request; `detail.request` is the request as it now stands. */
export class DeskRejectedEvent extends CustomEvent<{ request: RequestRow }> {
  constructor(detail: { request: RequestRow }) {
    super('refund-desk:rejected', { ...init, detail });
  }
}

/** A merchant webhook event was queued to be sent again. */
export class DeskRedeliveredEvent extends CustomEvent<{ event_id: string; merchant_uid: string }> {
  constructor(detail: DeskRedeliveredEvent['detail']) {
    super('refund-desk:redelivered', { ...init, detail });
  }
}

/** A call failed. `code` is a shared/errors.ts code or `NETWORK`; `message` is the proxy's, never on screen. */
export class DeskErrorEvent extends CustomEvent<{ code: string; message: string }> {
  constructor(detail: DeskErrorEvent['detail']) {
    super('refund-desk:error', { ...init, detail });
  }
}

/** Every event `<refund-desk>` fires, by name. */
export interface RefundDeskEventMap {
  'refund-desk:approved': DeskApprovedEvent;
  'refund-desk:rejected': DeskRejectedEvent;
  'refund-desk:redelivered': DeskRedeliveredEvent;
  'refund-desk:error': DeskErrorEvent;
}

declare global {
  interface GlobalEventHandlersEventMap extends RefundDeskEventMap {}
}
