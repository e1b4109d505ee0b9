/** @module The calls the widget makes to the proxy, each answer checked before it is used. */
import { ERRORS, type Retry } from '../../shared/errors.ts';
import type { RequestCreated, RequestView } from '../../shared/refund-requests.ts';
import type { CancelSuccess } from '../../shared/schemas/answers.ts';
import type { CancelRequestInput } from '../../shared/schemas/cancel-request.ts';
import type { RefundView } from '../../shared/schemas/refund-view.ts';
import { readCreated, readError, readMoved, readSuccess, readView } from './answers.ts';
import type { FailureCode } from './strings.ts';

/** Why a call failed: the proxy's `{ code, message }`, or `NETWORK` when no answer came back. */
export interface Failure {
  readonly code: FailureCode;
  readonly message: string;
  /** The fresh refundable amount, when it changed under the caller. */
  readonly cancelable_amount?: number;
  /** Seconds to wait before trying again (from `Retry-After`). */
  readonly retryAfter?: number;
  /**
   * No answer of the proxy's own came back: none at all, or a 2xx, 3xx or 5xx whose body names no code of ours (a
   * front server's error page, an answer cut short). What the call did is not known; a 4xx of that kind came from
   * something in front that kept the request from the proxy.
   */
  readonly unanswered?: true;
}

/** What the customer can do after a failure (shared/errors.ts); no answer at all may be retried with the same key. */
export const retryOf = (code: FailureCode): Retry => (code === 'NETWORK' ? 'same_key' : ERRORS[code].retry);

export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: Failure };

/** Where and as whom to call; `fetch` is passed in so tests and hosts can replace it. */
export interface Connection {
  readonly endpoint: string;
  readonly token: string;
  readonly signal: AbortSignal;
  readonly fetch: typeof fetch;
}

/** Reads `Retry-After` (seconds or an HTTP date) as seconds; 0 when absent or unreadable. */
const retryAfterOf = (header: string | null): number => {
  if (!header) return 0;
  const seconds = Number(header);
  const wait = Number.isFinite(seconds) ? seconds : (Date.parse(header) - Date.now()) / 1000;
  return wait > 0 ? Math.ceil(wait) : 0;
};

/** One call; a successful answer must pass `read`, and anything else becomes a failure. */
async function call<T>(
  c: Connection,
  path: string,
  init: RequestInit,
  read: (body: unknown) => T | undefined,
): Promise<Outcome<T>> {
  let response: Response;
  try {
    response = await c.fetch(`${c.endpoint.replace(/\/+$/, '')}${path}`, {
      ...init,
      headers: { ...init.headers, Authorization: `Bearer ${c.token}` },
      signal: c.signal,
      credentials: 'omit',
    });
  } catch (cause) {
    return { ok: false, error: { code: 'NETWORK', message: String(cause), unanswered: true } };
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined; // not JSON: judged by its status below
  }
  const value = response.ok ? read(body) : undefined;
  if (value !== undefined) return { ok: true, value };
  const retryAfter = retryAfterOf(response.headers.get('Retry-After'));
  const { bare, ...reading } = readError(body, response.status);
  const { status } = response;
  const unanswered = bare && (status < 400 || status >= 500) && { unanswered: true as const };
  return { ok: false, error: { ...reading, retryAfter, ...unanswered } };
}

/** `GET /payments/:merchant_uid`: what the refund form needs to know about the order. */
export const loadPayment = (c: Connection, merchantUid: string): Promise<Outcome<RefundView>> =>
  call(c, `/payments/${encodeURIComponent(merchantUid)}`, { method: 'GET' }, readView);

/** A POST of `body` as JSON, under an `Idempotency-Key` when given. */
const post = <T>(c: Connection, path: string, read: (body: unknown) => T | undefined, body = {}, key?: string) =>
  call(
    c,
    path,
    {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(key && { 'Idempotency-Key': key }) },
      body: JSON.stringify(body),
    },
    read,
  );

/** `POST /payments/cancel` under an `Idempotency-Key`, so a retried request refunds at most once. */
export const cancelPayment = (c: Connection, body: CancelRequestInput, key: string): Promise<Outcome<CancelSuccess>> =>
  post(c, '/payments/cancel', readSuccess, body, key);

/** `POST /refund-requests` (request mode): the same body and key as a refund; the shop decides later. */
export const requestRefund = (c: Connection, body: CancelRequestInput, key: string): Promise<Outcome<RequestCreated>> =>
  post(c, '/refund-requests', readCreated, body, key);

/** `POST /refund-requests/:id/withdraw`: the customer takes back a request the shop has not decided yet. */
export const withdrawRequest = (c: Connection, id: string): Promise<Outcome<{ ok: true; request: RequestView }>> =>
  post(c, `/refund-requests/${encodeURIComponent(id)}/withdraw`, readMoved);

/** `POST /payments/:merchant_uid/verify-account`: the account's holder checked with the bank (`holder_check`). */
export const verifyAccount = (c: Connection, merchantUid: string, body: object): Promise<Outcome<string>> =>
  post(
    c,
    `/payments/${encodeURIComponent(merchantUid)}/verify-account`,
    (b) => (b as { holder_check?: unknown } | null)?.holder_check as string | undefined, // compared, never shown
    body,
  );

/** A random v4 UUID; `crypto.randomUUID` exists only on secure (https) pages, so others build one from random bytes. */
export const createIdempotencyKey = (): string => {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40; // version 4 (index 6 of 16 exists)
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 4122 variant
  return [...bytes].map((b, i) => ([4, 6, 8, 10].includes(i) ? '-' : '') + b.toString(16).padStart(2, '0')).join('');
};
