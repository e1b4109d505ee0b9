/**
 * @module createIamportClient(): the i'mport V1 REST client. Web-standard `fetch` is injected (Node, edge runtimes,
 * the in-process fake). Every answer is validated once, here, to what the ledger can store (whole seconds, sane
 * amounts), test-channel payments are never returned, and every failure is a typed value that says whether a refund
 * could have happened: `refused` and `not_sent` never moved money, `unknown` might have.
 */
import * as v from 'valibot';
import { describeError, exchangeText } from '../../net/exchange-text.ts';
import { parseGatewayJson } from '../../net/gateway-json.ts';
import { withoutQueryOf } from '../../net/url-query.ts';
import type { Payment } from '../../payments/payment.ts';
import { classifyRefusal } from './refusals.ts';
import {
  AnyEnvelopeSchema,
  envelopeOf,
  HolderEnvelopeSchema,
  PaymentSchema,
  type Token,
  TokenEnvelopeSchema,
} from './schemas.ts';
import { toPayment } from './to-payment.ts';
import { createTokenCache } from './token.ts';
import type {
  ChangeResult,
  HolderLookup,
  IamportClient,
  IamportClientOptions,
  LookupResult,
  Refused,
  Unavailable,
} from './types.ts';

export type {
  ChangeResult,
  FetchedResponse,
  FetchInit,
  FetchLike,
  IamportClient,
  IamportClientOptions,
  LookupResult,
  Refused,
  Unavailable,
} from './types.ts';

/** Which i'mport call an HTTP exchange was, for the gateway latency histogram. */
export type IamportCall = 'token' | 'payment' | 'find' | 'cancel' | 'vbank_revoke' | 'holder';

/** How the client's exchanges are timed: both injected, so no global holds a measurement. */
export interface IamportCallTiming {
  /** Told of every exchange with i'mport once it ended, answered or not, with its duration in seconds. */
  readonly recordCall?: (call: IamportCall, seconds: number) => void;
  /** A monotonic clock in ms; performance.now() unless given. */
  readonly stopwatch?: () => number;
}

const callOf = (method: string, path: string): IamportCall => {
  if (path === '/users/getToken') return 'token';
  if (path === '/payments/cancel') return 'cancel';
  if (path.startsWith('/payments/find/') || path.startsWith('/payments/findAll/')) return 'find';
  if (method === 'DELETE' && path.startsWith('/vbanks/')) return 'vbank_revoke';
  if (path.startsWith('/vbanks/holder')) return 'holder';
  return 'payment';
};

type Raw = { readonly kind: 'response'; readonly status: number; readonly json: unknown } | Unavailable;

/** A payment read from an answer, before the caller decides what a test-channel one means to it. */
type Read = { readonly kind: 'ok'; readonly payment: Payment } | { readonly kind: 'sandbox' } | Unavailable;

// i'mport's own text is kept for the audit; an off-spec server could send a page of it.
const MAX_MESSAGE = 500;

/** One page of an order's cancelled payments: more than anyone retries a checkout. */
const FIND_ALL_LIMIT = 100;

/** `GET /payments/findAll/…`'s page (iamport-v1.md §4.1); each payment is read as a lookup's is. */
const PageEnvelopeSchema = envelopeOf(v.object({ list: v.array(v.unknown()) }));

/** i'mport's words in any JSON body: its envelope's `message`, an off-spec `{ error }`, or a bare string. */
const WordsSchema = v.union([
  v.pipe(
    v.object({ message: v.string() }),
    v.transform((o) => o.message),
  ),
  v.pipe(
    v.object({ error: v.string() }),
    v.transform((o) => o.error),
  ),
  v.pipe(
    v.object({ error: v.object({ message: v.string() }) }),
    v.transform((o) => o.error.message),
  ),
  v.string(),
]);

const messageOf = (json: unknown): string | null => {
  const words = v.safeParse(WordsSchema, json);
  return words.success && words.output.trim() !== '' ? words.output.trim().slice(0, MAX_MESSAGE) : null;
};

/** An id as one path segment; null for those URL parsing would turn into a step ('', '.', '..'), never sent. */
const segmentOf = (id: string): string | null =>
  id === '' || id === '.' || id === '..' ? null : encodeURIComponent(id);

export const createIamportClient = (options: IamportClientOptions & IamportCallTiming): IamportClient => {
  const { baseUrl, apiKey, apiSecret, fetch, now = Date.now, timeoutMs = 15_000, log = () => {} } = options;
  const { recordCall, stopwatch = () => performance.now() } = options;

  /**
   * One HTTP exchange, timed when asked to be. `query`: sent, never logged or named (a PG's key rides in it), where
   * `path` is what logs and metrics name.
   */
  const send = async (method: string, path: string, body?: unknown, token?: string, query = ''): Promise<Raw> => {
    if (!recordCall) return exchange(method, path, body, token, query);
    const started = stopwatch();
    try {
      return await exchange(method, path, body, token, query);
    } finally {
      recordCall(callOf(method, path), (stopwatch() - started) / 1000);
    }
  };

  /** One HTTP exchange with a timeout; never throws. Any 5xx is i'mport unavailable, whatever its body. */
  const exchange = async (method: string, path: string, body?: unknown, token?: string, query = ''): Promise<Raw> => {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (token) headers.Authorization = `Bearer ${token}`;
    const request = body === undefined ? { method, headers } : { method, headers, body: JSON.stringify(body) };
    const url = `${baseUrl}${path}${query}`;
    const answer = await exchangeText(fetch, url, request, timeoutMs);
    // A runtime's fetch error may name the URL (Deno's does): its query (a PG's key) is cut out of what is kept.
    if (answer.kind === 'unavailable') return { ...answer, detail: withoutQueryOf(answer.detail, url) };
    const { status, text } = answer;
    if (status >= 500) return { kind: 'unavailable', reason: 'http_error', detail: `HTTP ${status}` };
    try {
      return { kind: 'response', status, json: parseGatewayJson(text) };
    } catch {
      return { kind: 'unavailable', reason: 'bad_response', detail: `HTTP ${status} with a body that is not JSON` };
    }
  };

  /** Logs an answer the proxy will not use, naming the field, and says so as a `bad_response`. */
  const refuseAnswer = (endpoint: string, issues: readonly v.BaseIssue<unknown>[]): Unavailable => {
    const fields = [...new Set(issues.map((issue) => v.getDotPath(issue) ?? '(answer)'))];
    const [first] = issues;
    log({
      level: 'error',
      msg: "i'mport answered something the proxy cannot use",
      endpoint,
      field: fields.join(', '),
      expected: first?.expected ?? null,
      received: first?.received ?? null,
    });
    return {
      kind: 'unavailable',
      reason: 'bad_response',
      detail: `i'mport's answer has an unusable ${fields.join(', ')}`,
    };
  };

  /** A payment from an answer's `response`, checked as far as the ledger needs it to be true. */
  const readPayment = (endpoint: string, response: unknown): Read => {
    const parsed = v.safeParse(PaymentSchema, response);
    if (!parsed.success) return refuseAnswer(endpoint, parsed.issues);
    const payment = parsed.output;
    // Never a live order's payment: the client does not ask for test-channel ones, and drops one that comes anyway.
    if (payment.sandbox === true) return { kind: 'sandbox' };
    if (payment.cancel_amount > payment.amount) {
      const { imp_uid, merchant_uid, amount, cancel_amount } = payment;
      log({
        level: 'error',
        msg: "i'mport shows more cancelled than paid",
        endpoint,
        imp_uid,
        merchant_uid,
        amount,
        cancel_amount,
      });
      return {
        kind: 'unavailable',
        reason: 'inconsistent',
        detail: `cancel_amount ${cancel_amount} exceeds amount ${amount} (${imp_uid})`,
      };
    }
    return { kind: 'ok', payment: toPayment(payment) };
  };

  const fetchToken = async (): Promise<Token> => {
    const raw = await send('POST', '/users/getToken', { imp_key: apiKey, imp_secret: apiSecret });
    if (raw.kind === 'unavailable') throw new UnavailableError(raw);
    if (raw.status === 401)
      throw new UnavailableError({ kind: 'unavailable', reason: 'auth', detail: "i'mport refused IMP_KEY/IMP_SECRET" });
    const parsed = v.safeParse(TokenEnvelopeSchema, raw.json);
    if (!parsed.success) throw new UnavailableError(refuseAnswer('/users/getToken', parsed.issues));
    if (parsed.output.code !== 0 || !parsed.output.response) {
      const message = parsed.output.message ?? '';
      throw new UnavailableError({
        kind: 'unavailable',
        reason: 'auth',
        detail: `getToken failed (HTTP ${raw.status}): ${message}`,
      });
    }
    return parsed.output.response;
  };
  const tokens = createTokenCache({
    fetchToken,
    now,
    // Only a refused key backs off; a network failure may be gone on the next call.
    isRefusal: (error) => error instanceof UnavailableError && error.unavailable.reason === 'auth',
  });

  /** An authenticated call: on HTTP 401 the token is refreshed once and the call repeated (a 401 applied nothing). */
  const authed = async (
    method: string,
    path: string,
    body?: unknown,
    query = '',
  ): Promise<Raw | { kind: 'no_token'; detail: string }> => {
    for (let attempt = 0; ; attempt++) {
      let token: string;
      try {
        token = await tokens.get();
      } catch (error) {
        return { kind: 'no_token', detail: describeError(error) };
      }
      const raw = await send(method, path, body, token, query);
      if (raw.kind === 'response' && raw.status === 401 && attempt === 0) {
        tokens.invalidate(token);
        continue;
      }
      return raw;
    }
  };

  const lookup = async (path: string): Promise<LookupResult | { readonly kind: 'sandbox' }> => {
    const raw = await authed('GET', path);
    if (raw.kind === 'no_token') return { kind: 'unavailable', reason: 'auth', detail: raw.detail };
    if (raw.kind === 'unavailable') return raw;
    if (raw.status === 404) return { kind: 'not_found' };
    const envelope = v.safeParse(AnyEnvelopeSchema, raw.json);
    if (raw.status >= 300 || (envelope.success && (envelope.output.code !== 0 || envelope.output.response === null))) {
      const code = envelope.success ? ` code ${envelope.output.code}` : '';
      const said = messageOf(raw.json);
      const detail = `HTTP ${raw.status}${code}${said ? `: ${said}` : ''}`;
      return { kind: 'unavailable', reason: raw.status === 401 ? 'auth' : 'http_error', detail };
    }
    if (!envelope.success) return refuseAnswer(path, envelope.issues);
    return readPayment(path, envelope.output.response);
  };

  const lookupLive = async (path: string): Promise<LookupResult> => {
    const found = await lookup(path);
    return found.kind === 'sandbox' ? { kind: 'not_found' } : found;
  };

  /**
   * i'mport says `cancelled` for a partly refunded payment too (iamport-v1.md §4.2), and its find answers only the
   * newest payment in a status: a duplicate refunded in full, started later, hides an order's partly refunded payment
   * with money still on it. `found` refunded in full, the order's cancelled payments are read (findAll, newest started
   * first) and the newest with money left is the order's; with none, `found` stands.
   */
  const withMoneyLeft = async (segment: string, found: LookupResult): Promise<LookupResult> => {
    if (found.kind !== 'ok' || found.payment.cancel_amount < found.payment.amount) return found;
    const path = `/payments/findAll/${segment}/cancelled`;
    const raw = await authed('GET', path, undefined, `?limit=${FIND_ALL_LIMIT}`);
    if (raw.kind === 'no_token') return { kind: 'unavailable', reason: 'auth', detail: raw.detail };
    if (raw.kind === 'unavailable') return raw;
    if (raw.status === 404) return found;
    // i'mport refused the list (no such route for this merchant, say): the order reads as it did before this look.
    if (raw.status >= 400 && raw.status < 500) {
      log({
        level: 'warn',
        msg: "i'mport refused its list of an order's payments",
        endpoint: path,
        status: raw.status,
      });
      return found;
    }
    const page = v.safeParse(PageEnvelopeSchema, raw.json);
    if (raw.status >= 300 || !page.success || page.output.code !== 0 || page.output.response === null) {
      const said = messageOf(raw.json);
      return { kind: 'unavailable', reason: 'http_error', detail: `HTTP ${raw.status}${said ? `: ${said}` : ''}` };
    }
    for (const item of page.output.response.list) {
      const read = readPayment(path, item);
      if (read.kind !== 'ok') continue;
      const { payment } = read;
      if (payment.merchant_uid === found.payment.merchant_uid && payment.cancel_amount < payment.amount) return read;
    }
    return found;
  };

  const findPayment = async (merchantUid: string): Promise<LookupResult> => {
    const segment = segmentOf(merchantUid);
    if (segment === null) return { kind: 'not_found' };
    // The plain find answers the most recently started payment of the order, which may be a failed retry.
    const plain = await lookup(`/payments/find/${segment}`);
    if (plain.kind === 'not_found' || plain.kind === 'unavailable') return plain;
    const newest = plain.kind === 'ok' ? plain.payment.status : null;
    if (plain.kind === 'ok' && newest === 'paid') return plain;
    // A paid payment first (iamport-v1.md §4.1: the plain find answers the newest started, which may be a refunded
    // duplicate beside the paid one), then a cancelled one (the plain one itself when it is cancelled: the newest).
    // Going on after a failure could answer with the failed try and bind the order to it.
    const paid = await lookup(`/payments/find/${segment}/paid`);
    if (paid.kind === 'ok' || paid.kind === 'unavailable') return paid;
    if (plain.kind === 'ok' && newest === 'cancelled') return withMoneyLeft(segment, plain);
    const cancelled = await lookup(`/payments/find/${segment}/cancelled`);
    if (cancelled.kind === 'ok' || cancelled.kind === 'unavailable') return withMoneyLeft(segment, cancelled);
    // Nothing paid yet: an unpaid virtual account, which can be revoked, before a failed try.
    if (newest !== 'ready') {
      const ready = await lookup(`/payments/find/${segment}/ready`);
      if (ready.kind === 'unavailable') return ready;
      if (ready.kind === 'ok' && ready.payment.pay_method === 'vbank') return ready;
    }
    return plain.kind === 'sandbox' ? { kind: 'not_found' } : plain;
  };

  const change = async (method: string, path: string, body?: unknown, query = ''): Promise<ChangeResult> => {
    const raw = await authed(method, path, body, query);
    if (raw.kind === 'no_token') return { kind: 'not_sent', detail: raw.detail };
    if (raw.kind === 'unavailable' && raw.reason === 'refused') {
      return { kind: 'not_sent', detail: `connection refused: ${raw.detail}` };
    }
    // No answer, or a 5xx (a proxy in front of i'mport may give up first): the request may have reached i'mport, which
    // goes on with it as any server does, waiting on the PG. A lookup that shows nothing yet proves nothing.
    if (raw.kind === 'unavailable') {
      return { kind: 'unknown', reason: raw.reason, detail: raw.detail, stillRunning: true };
    }
    const envelope = v.safeParse(AnyEnvelopeSchema, raw.json);
    // i'mport turned the call away before doing anything with it: a token refused even fresh (authed() renews it once),
    // or too many calls. No PG saw it, so it is not a PG's refusal, and the same request may be sent again later.
    if (raw.status === 401 || raw.status === 429) {
      const said = messageOf(raw.json);
      return { kind: 'not_sent', detail: `i'mport turned it away (HTTP ${raw.status}${said ? `: ${said}` : ''})` };
    }
    // A 4xx applied nothing, whatever its body; i'mport's words are kept even without its envelope.
    if (raw.status >= 400) {
      const code = envelope.success && envelope.output.code !== 0 ? envelope.output.code : -1;
      return refused(code, messageOf(raw.json) ?? `HTTP ${raw.status}`, raw.status);
    }
    // HTTP 200 with code != 0 is a refusal (i'mport's quirk).
    if (envelope.success && envelope.output.code !== 0) {
      return refused(envelope.output.code, messageOf(raw.json) ?? '', raw.status);
    }
    // A 2xx we cannot read or believe (code 0 with no payment, a body that is not i'mport's envelope): i'mport took the
    // request and may have applied it, and its payment may show that only later (iamport-v1.md §3.2). A re-fetch that
    // shows nothing yet proves nothing, so it stays unsettled until one shows it or it can no longer be running.
    if (!envelope.success || envelope.output.response === null) {
      const detail = `unexpected answer (HTTP ${raw.status})`;
      const taken = envelope.success ? ({ taken: true } as const) : {};
      return { kind: 'unknown', reason: 'bad_response', detail, stillRunning: true, ...taken };
    }
    const read = readPayment(path, envelope.output.response);
    if (read.kind === 'ok') return read;
    if (read.kind === 'sandbox') {
      log({ level: 'error', msg: "i'mport answered a change with a test-channel payment", endpoint: path });
      return {
        kind: 'unknown',
        reason: 'bad_response',
        detail: 'the answer is a test-channel payment',
        stillRunning: true,
      };
    }
    return { kind: 'unknown', reason: read.reason, detail: read.detail, stillRunning: true };
  };

  /**
   * `GET /vbanks/holder` (undocumented since 2024): its own 404 says "계좌정보 조회 실패" for an account the bank does
   * not know; any other 404 is the route itself missing, which is i'mport not offering the lookup to this merchant.
   */
  const lookupHolder = async (bankCode: string, bankNum: string): Promise<HolderLookup> => {
    const query = new URLSearchParams({ bank_code: bankCode, bank_num: bankNum });
    const raw = await authed('GET', `/vbanks/holder?${query}`);
    if (raw.kind === 'no_token') return { kind: 'unavailable', reason: 'auth', detail: raw.detail };
    if (raw.kind === 'unavailable') return raw;
    const said = messageOf(raw.json) ?? '';
    if (said.includes('계좌정보')) return { kind: 'not_found' };
    if (raw.status === 404) return { kind: 'not_offered' };
    const parsed = v.safeParse(HolderEnvelopeSchema, raw.json);
    if (raw.status >= 300 || (parsed.success && parsed.output.code !== 0)) {
      const detail = `HTTP ${raw.status}${said ? `: ${said}` : ''}`;
      return { kind: 'unavailable', reason: raw.status === 401 ? 'auth' : 'http_error', detail };
    }
    if (!parsed.success) return refuseAnswer('/vbanks/holder', parsed.issues);
    const holder = parsed.output.response?.bank_holder;
    return holder ? { kind: 'ok', holder } : { kind: 'unavailable', reason: 'bad_response', detail: 'no bank_holder' };
  };

  return {
    baseUrl,
    lookupHolder,
    getPayment: async (impUid) => {
      const segment = segmentOf(impUid);
      // Without include_sandbox: i'mport leaves test-channel payments out (iamport-v1.md §4.1).
      return segment === null ? { kind: 'not_found' } : lookupLive(`/payments/${segment}`);
    },
    findPayment,
    cancelPayment: (params) => change('POST', '/payments/cancel', params),
    revokeVbank: async (impUid, pgApiKey) => {
      const segment = segmentOf(impUid);
      // KG Inicis's key, which i'mport requires to revoke its accounts (iamport-v1.md §4.1): in the query, never logged.
      const query = pgApiKey ? `?${new URLSearchParams({ pg_api_key: pgApiKey })}` : '';
      return segment === null
        ? { kind: 'not_sent', detail: 'not an imp_uid' }
        : change('DELETE', `/vbanks/${segment}`, undefined, query);
    },
  };
};

const refused = (code: number, message: string, httpStatus: number): Refused => {
  const refusal = classifyRefusal(code, message);
  // i'mport relays a PG's refusal as HTTP 200 with code -1 (iamport-v1.md §2.3); its own checks answer code 1, or -1
  // with a 4xx status.
  const fromPg = refusal === 'pg' && code === -1 && httpStatus === 200;
  return { kind: 'refused', refusal, code, message, httpStatus, ...(fromPg && { fromPg }) };
};

class UnavailableError extends Error {
  constructor(readonly unavailable: Unavailable) {
    super(unavailable.detail);
    this.name = 'UnavailableError';
  }
}
