/**
 * @module createIamportClient(): the i'mport V1 REST client. Web-standard `fetch` is injected (Node, edge runtimes,
 * the in-process fake). Every answer is validated, and every failure is a typed value that says whether a refund
 * could have happened: `refused` and `not_sent` never moved money, `unknown` might have.
 */
import * as v from 'valibot';
import {
  AnyEnvelopeSchema,
  type CancelParams,
  type Payment,
  PaymentEnvelopeSchema,
  type Token,
  TokenEnvelopeSchema,
} from './schemas.ts';
import { createTokenCache } from './token.ts';

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
}

/** Why a call did not produce an answer we can use. */
export type Unavailable = {
  readonly kind: 'unavailable';
  readonly reason: 'timeout' | 'network' | 'http_error' | 'bad_response' | 'auth';
  readonly detail: string;
};

export type LookupResult = { readonly kind: 'ok'; readonly payment: Payment } | { readonly kind: 'not_found' } | Unavailable;

/**
 * - `ok`: i'mport answered code 0 with the updated payment.
 * - `refused`: i'mport (or the PG) answered and refused; nothing happened.
 * - `not_sent`: the request never reached the cancel endpoint (e.g. no token); nothing happened.
 * - `unknown`: the request was sent but no usable answer came back (timeout, dropped connection, 5xx); it may
 *   have been applied, so the caller must re-fetch the payment before saying anything.
 */
export type ChangeResult =
  | { readonly kind: 'ok'; readonly payment: Payment }
  | { readonly kind: 'refused'; readonly code: number; readonly message: string; readonly httpStatus: number }
  | { readonly kind: 'not_sent'; readonly detail: string }
  | { readonly kind: 'unknown'; readonly reason: Unavailable['reason']; readonly detail: string };

export interface IamportClient {
  readonly baseUrl: string;
  getPayment(impUid: string): Promise<LookupResult>;
  findPayment(merchantUid: string): Promise<LookupResult>;
  cancelPayment(params: CancelParams): Promise<ChangeResult>;
  revokeVbank(impUid: string): Promise<ChangeResult>;
}

type Raw = { readonly kind: 'response'; readonly status: number; readonly json: unknown } | Unavailable;

export const createIamportClient = (options: IamportClientOptions): IamportClient => {
  const { baseUrl, apiKey, apiSecret, fetch, now = Date.now, timeoutMs = 15_000 } = options;

  /** One HTTP exchange with a timeout; never throws. */
  const send = async (method: string, path: string, body?: unknown, token?: string): Promise<Raw> => {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (token) headers.Authorization = `Bearer ${token}`;
    let response: FetchedResponse;
    try {
      const signal = AbortSignal.timeout(timeoutMs);
      response = await fetch(`${baseUrl}${path}`, body === undefined ? { method, headers, signal } : { method, headers, body: JSON.stringify(body), signal });
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      const timedOut = name === 'TimeoutError' || name === 'AbortError';
      return { kind: 'unavailable', reason: timedOut ? 'timeout' : 'network', detail: describe(error) };
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      return { kind: 'unavailable', reason: 'network', detail: `body lost: ${describe(error)}` };
    }
    if (response.status >= 500) return { kind: 'unavailable', reason: 'http_error', detail: `HTTP ${response.status}` };
    try {
      return { kind: 'response', status: response.status, json: JSON.parse(text) };
    } catch {
      return { kind: 'unavailable', reason: 'bad_response', detail: `HTTP ${response.status} with a body that is not JSON` };
    }
  };

  const fetchToken = async (): Promise<Token> => {
    const raw = await send('POST', '/users/getToken', { imp_key: apiKey, imp_secret: apiSecret });
    if (raw.kind === 'unavailable') throw new UnavailableError(raw);
    const parsed = v.safeParse(TokenEnvelopeSchema, raw.json);
    if (raw.status === 401) throw new UnavailableError({ kind: 'unavailable', reason: 'auth', detail: 'i\'mport refused IMP_KEY/IMP_SECRET' });
    if (!parsed.success || parsed.output.code !== 0 || !parsed.output.response) {
      const message = parsed.success ? parsed.output.message : 'unexpected token answer';
      throw new UnavailableError({ kind: 'unavailable', reason: 'auth', detail: `getToken failed (HTTP ${raw.status}): ${message}` });
    }
    return parsed.output.response;
  };
  const tokens = createTokenCache({ fetchToken, now });

  /** An authenticated call: on HTTP 401 the token is refreshed once and the call repeated (a 401 applied nothing). */
  const authed = async (method: string, path: string, body?: unknown): Promise<Raw | { kind: 'no_token'; detail: string }> => {
    for (let attempt = 0; ; attempt++) {
      let token: string;
      try {
        token = await tokens.get();
      } catch (error) {
        return { kind: 'no_token', detail: describe(error) };
      }
      const raw = await send(method, path, body, token);
      if (raw.kind === 'response' && raw.status === 401 && attempt === 0) {
        tokens.invalidate(token);
        continue;
      }
      return raw;
    }
  };

  const lookup = async (path: string): Promise<LookupResult> => {
    const raw = await authed('GET', path);
    if (raw.kind === 'no_token') return { kind: 'unavailable', reason: 'auth', detail: raw.detail };
    if (raw.kind === 'unavailable') return raw;
    if (raw.status === 404) return { kind: 'not_found' };
    const parsed = v.safeParse(PaymentEnvelopeSchema, raw.json);
    if (!parsed.success) return { kind: 'unavailable', reason: 'bad_response', detail: `unexpected payment answer (HTTP ${raw.status})` };
    const { code, message, response } = parsed.output;
    if (code !== 0 || !response) {
      return { kind: 'unavailable', reason: raw.status === 401 ? 'auth' : 'http_error', detail: `HTTP ${raw.status} code ${code}: ${message ?? ''}` };
    }
    return { kind: 'ok', payment: response };
  };

  const change = async (method: string, path: string, body?: unknown): Promise<ChangeResult> => {
    const raw = await authed(method, path, body);
    if (raw.kind === 'no_token') return { kind: 'not_sent', detail: raw.detail };
    if (raw.kind === 'unavailable') return { kind: 'unknown', reason: raw.reason, detail: raw.detail };
    const parsed = v.safeParse(PaymentEnvelopeSchema, raw.json);
    if (parsed.success && parsed.output.code === 0 && parsed.output.response) return { kind: 'ok', payment: parsed.output.response };
    // HTTP 200 with code != 0 is a refusal (i'mport's quirk); so is a 4xx with its envelope.
    const envelope = v.safeParse(AnyEnvelopeSchema, raw.json);
    if (envelope.success && envelope.output.code !== 0) {
      return { kind: 'refused', code: envelope.output.code, message: envelope.output.message ?? '', httpStatus: raw.status };
    }
    if (raw.status >= 400) return { kind: 'refused', code: -1, message: `HTTP ${raw.status}`, httpStatus: raw.status };
    // A 2xx we cannot read: whether it applied is unknown.
    return { kind: 'unknown', reason: 'bad_response', detail: `unexpected answer (HTTP ${raw.status})` };
  };

  return {
    baseUrl,
    getPayment: (impUid) => lookup(`/payments/${encodeURIComponent(impUid)}?include_sandbox=true`),
    findPayment: (merchantUid) => lookup(`/payments/find/${encodeURIComponent(merchantUid)}`),
    cancelPayment: (params) => change('POST', '/payments/cancel', params),
    revokeVbank: (impUid) => change('DELETE', `/vbanks/${encodeURIComponent(impUid)}`),
  };
};

class UnavailableError extends Error {
  constructor(readonly unavailable: Unavailable) {
    super(unavailable.detail);
    this.name = 'UnavailableError';
  }
}

const describe = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));
