/** @module The i'mport client's surface: what it needs (an injected fetch) and the typed results it answers. */
import type { Payment } from '../payments/payment.ts';
import type { RefusalKind } from './refusals.ts';
import type { CancelParams } from './schemas.ts';

/** What the client asks of an HTTP request. */
export interface FetchInit {
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly signal: AbortSignal;
}

/** What the client reads of an HTTP answer; a Web `Response` is one. */
export interface FetchedResponse {
  readonly status: number;
  text(): Promise<string>;
}

/** The Web `fetch` fits; so does the Node entry's own client over node:http (entries/node-fetch.ts). */
export type FetchLike = (url: string, init: FetchInit) => Promise<FetchedResponse>;

export interface IamportClientOptions {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly fetch: FetchLike;
  /** Epoch ms. */
  readonly now?: () => number;
  readonly timeoutMs?: number;
  /** Where answers the client refuses are reported (level `error`, naming the field); default: nowhere. */
  readonly log?: (line: Record<string, unknown>) => void;
}

/**
 * Why a call did not produce an answer we can use. `bad_response`: i'mport answered something the proxy cannot use
 * or store (the log names the field). `inconsistent`: a payment whose `cancel_amount` exceeds its `amount`, which
 * i'mport never shows; nothing may be refunded from it.
 */
export type Unavailable = {
  readonly kind: 'unavailable';
  readonly reason: 'timeout' | 'network' | 'http_error' | 'bad_response' | 'auth' | 'inconsistent';
  readonly detail: string;
};

/**
 * The payment is the proxy's own (to-payment.ts). A payment made through a test channel is never `ok`: it is
 * `not_found`, as if it did not exist.
 */
export type LookupResult =
  | { readonly kind: 'ok'; readonly payment: Payment }
  | { readonly kind: 'not_found' }
  | Unavailable;

/**
 * - `ok`: i'mport answered code 0 with the updated payment.
 * - `refused`: i'mport (or the PG) answered and refused; nothing happened. `refusal` says what kind of refusal
 *   (refusals.ts); `message` is i'mport's own text (from its envelope, or from any JSON body of a 4xx), kept for the
 *   audit and, for a PG's refusal, for the shop.
 * - `not_sent`: the request never reached the cancel endpoint (e.g. no token); nothing happened.
 * - `unknown`: the request was sent but no usable answer came back (timeout, dropped connection, 5xx, an answer
 *   the proxy cannot use); it may have been applied, so the caller must re-fetch the payment before saying anything.
 */
export type ChangeResult =
  | { readonly kind: 'ok'; readonly payment: Payment }
  | Refused
  | { readonly kind: 'not_sent'; readonly detail: string }
  | { readonly kind: 'unknown'; readonly reason: Unavailable['reason']; readonly detail: string };

export interface Refused {
  readonly kind: 'refused';
  readonly refusal: RefusalKind;
  readonly code: number;
  readonly message: string;
  readonly httpStatus: number;
}

export interface IamportClient {
  readonly baseUrl: string;
  getPayment(impUid: string): Promise<LookupResult>;
  /** The order's paid (or cancelled) payment when it has several, e.g. a failed try before the paid one. */
  findPayment(merchantUid: string): Promise<LookupResult>;
  cancelPayment(params: CancelParams): Promise<ChangeResult>;
  revokeVbank(impUid: string): Promise<ChangeResult>;
}
