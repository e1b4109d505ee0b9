/**
 * @module createPortOneHttp(): one HTTP exchange with PortOne V2 — `Authorization: PortOne <secret>`, an optional
 * Idempotency-Key, a timeout, the latency metric under V2's call names — answered as a status and parsed JSON, or as
 * why there is none. It never throws; what an answer means is the caller's to say.
 */
import { exchangeText } from '../../net/exchange-text.ts';
import type { FetchLike } from '../../net/fetch-like.ts';
import { parseGatewayJson } from '../../net/gateway-json.ts';
import type { RecordCall, Unavailable } from '../gateway.ts';

/** V2's calls, as the gateway latency histogram labels them. */
export type PortOneCall = 'get_payment' | 'cancel_payment' | 'close_virtual_account' | 'get_account_holder';

export type Raw = { readonly kind: 'response'; readonly status: number; readonly json: unknown } | Unavailable;

export interface PortOneHttpOptions {
  readonly baseUrl: string;
  readonly apiSecret: string;
  readonly fetch: FetchLike;
  readonly timeoutMs: number;
  readonly recordCall?: RecordCall;
  readonly stopwatch?: () => number;
}

export interface Exchange {
  readonly call: PortOneCall;
  readonly method: 'GET' | 'POST';
  /** Path and query, already encoded. */
  readonly path: string;
  readonly body?: unknown;
  /** Sent as V2 wants it: the value already quoted. */
  readonly idempotencyKey?: string;
}

export const createPortOneHttp = (options: PortOneHttpOptions) => {
  const { baseUrl, apiSecret, fetch, timeoutMs, recordCall, stopwatch = () => performance.now() } = options;

  const exchange = async ({ method, path, body, idempotencyKey }: Exchange): Promise<Raw> => {
    const headers: Record<string, string> = { Accept: 'application/json', Authorization: `PortOne ${apiSecret}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (idempotencyKey !== undefined) headers['Idempotency-Key'] = idempotencyKey;
    const request = body === undefined ? { method, headers } : { method, headers, body: JSON.stringify(body) };
    const answer = await exchangeText(fetch, `${baseUrl}${path}`, request, timeoutMs);
    if (answer.kind === 'unavailable') return answer;
    const { status, text } = answer;
    let json: unknown;
    try {
      json = parseGatewayJson(text);
    } catch {
      // A 5xx page from a load balancer is not PortOne's word; nor is any other body that is not JSON.
      const reason = status >= 500 ? 'http_error' : 'bad_response';
      return { kind: 'unavailable', reason, detail: `HTTP ${status} with a body that is not JSON` };
    }
    return { kind: 'response', status, json };
  };

  return async (request: Exchange): Promise<Raw> => {
    if (!recordCall) return exchange(request);
    const started = stopwatch();
    try {
      return await exchange(request);
    } finally {
      recordCall(request.call, (stopwatch() - started) / 1000);
    }
  };
};

export type PortOneHttp = ReturnType<typeof createPortOneHttp>;
