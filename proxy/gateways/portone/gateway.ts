/**
 * @module createPortOneGateway(): PortOne V2 behind the gateway seam. Every answer is validated once (wire.ts) and
 * mapped to the proxy's Payment (to-payment.ts); errors are read by their `type` (refusals.ts). Auth is
 * `Authorization: PortOne <secret>` on every call; a cancel carries a derived Idempotency-Key (idempotency-key.ts).
 * A payment of a TEST channel is `not_found` unless `testChannel` (the sandbox and the tests, whose fake answers only
 * TEST channels) says otherwise, as i'mport's client drops test-channel payments.
 */
import * as v from 'valibot';
import { REFUND_BANKS_V2 } from '../../../shared/banks-v2.ts';
import type { Log } from '../../log-line.ts';
import type { FetchLike } from '../../net/fetch-like.ts';
import { money } from '../../payments/money.ts';
import type { Payment } from '../../payments/payment.ts';
import type { ChangeResult, Gateway, HolderLookup, LookupResult, RecordCall, Unavailable } from '../gateway.ts';
import { cancelBodyOf } from './cancel-body.ts';
import { createPortOneHttp, type Raw } from './http.ts';
import { portOneIdempotencyKey } from './idempotency-key.ts';
import { fromMinor } from './minor-units.ts';
import { OUTSTANDING, refusalOf } from './refusals.ts';
import { toCancellation, toPayment, toPendingCancellation } from './to-payment.ts';
import { createPortOneWebhookReader } from './webhook.ts';
import { CancelResponseSchema, CloseResponseSchema, ErrorBodySchema, HolderSchema, PaymentSchema } from './wire.ts';

export interface PortOneGatewayOptions {
  readonly baseUrl: string;
  readonly apiSecret: string;
  /** A sub-store to act on; the secret's own store when unset. */
  readonly storeId?: string;
  /** `whsec_…`: verifies inbound webhooks. */
  readonly webhookSecret: string;
  readonly fetch: FetchLike;
  /** Epoch ms: the webhook timestamp's window. */
  readonly now: () => number;
  readonly timeoutMs: number;
  readonly log?: Log;
  /** Accept payments made through a TEST channel (the sandbox's and the tests' fake). */
  readonly testChannel?: boolean;
  readonly recordCall?: RecordCall;
  readonly stopwatch?: () => number;
}

// PortOne's own words are kept for the audit; an off-spec server could send a page of them.
const MAX_MESSAGE = 500;

/** An id as one path segment; null for those URL parsing would turn into a step ('', '.', '..'), never sent. */
const segmentOf = (id: string): string | null =>
  id === '' || id === '.' || id === '..' ? null : encodeURIComponent(id);

type Read = { readonly kind: 'ok'; readonly payment: Payment } | { readonly kind: 'not_found' } | Unavailable;

/**
 * PortOne goes on with a request whose client went away (V2's Idempotency-Key guide), and advises clients to wait 60 s
 * for one. A cancel sent without an answer is taken as possibly still running for ten times that: until then, a lookup
 * that does not show it leaves the attempt open (the view says it is being checked), never "not refunded".
 */
const CHANGE_MAY_RUN_FOR_MS = 10 * 60_000;

export const createPortOneGateway = (options: PortOneGatewayOptions): Gateway => {
  const { baseUrl, storeId, log = () => {}, testChannel = false } = options;
  const send = createPortOneHttp(options);
  const storeQuery = storeId === undefined ? '' : `?storeId=${encodeURIComponent(storeId)}`;

  /** Logs an answer the proxy will not use, naming the field. */
  const unusable = (endpoint: string, issues: readonly v.BaseIssue<unknown>[]): Unavailable => {
    const fields = [...new Set(issues.map((issue) => v.getDotPath(issue) ?? '(answer)'))].join(', ');
    log({ level: 'error', msg: 'PortOne answered something the proxy cannot use', endpoint, field: fields });
    return { kind: 'unavailable', reason: 'bad_response', detail: `PortOne's answer has an unusable ${fields}` };
  };

  const errorOf = (raw: { readonly status: number; readonly json: unknown }) => {
    const parsed = v.safeParse(ErrorBodySchema, raw.json);
    return parsed.success ? parsed.output : null;
  };

  const wordsOf = (raw: { readonly status: number; readonly json: unknown }): string => {
    const error = errorOf(raw);
    if (!error) return `HTTP ${raw.status}`;
    return `${error.type}${error.message ? `: ${error.message}` : ''}`.slice(0, MAX_MESSAGE);
  };

  const readPayment = (endpoint: string, json: unknown): Read => {
    const parsed = v.safeParse(PaymentSchema, json);
    if (!parsed.success) return unusable(endpoint, parsed.issues);
    const wire = parsed.output;
    if (wire.channel?.type === 'TEST' && !testChannel) return { kind: 'not_found' };
    if (wire.amount.cancelled > wire.amount.total) {
      log({ level: 'error', msg: 'PortOne shows more cancelled than paid', endpoint, paymentId: wire.id });
      const detail = `cancelled ${wire.amount.cancelled} exceeds total ${wire.amount.total} (${wire.id})`;
      return { kind: 'unavailable', reason: 'inconsistent', detail };
    }
    return { kind: 'ok', payment: toPayment(wire) };
  };

  const getPayment = async (paymentId: string): Promise<LookupResult> => {
    const segment = segmentOf(paymentId);
    if (segment === null) return { kind: 'not_found' };
    const path = `/payments/${segment}${storeQuery}`;
    const raw = await send({ call: 'get_payment', method: 'GET', path });
    if (raw.kind === 'unavailable') return raw;
    if (raw.status === 404) return { kind: 'not_found' };
    if (raw.status !== 200) {
      const reason = raw.status === 401 || raw.status === 403 ? 'auth' : 'http_error';
      return { kind: 'unavailable', reason, detail: `HTTP ${raw.status}: ${wordsOf(raw)}` };
    }
    return readPayment(path, raw.json);
  };

  /** A change's answer other than 200: a refusal (nothing happened), or an outcome nobody knows yet. */
  const notApplied = (raw: Raw): ChangeResult => {
    // Nothing listened: the request never left. No answer (a timeout, a lost connection): PortOne goes on with a request
    // whose client went away (the V2 docs on Idempotency-Key), so a lookup that shows nothing yet proves nothing, as
    // with IDEMPOTENCY_OUTSTANDING_REQUEST.
    if (raw.kind === 'unavailable' && raw.reason === 'refused') {
      return { kind: 'not_sent', detail: `connection refused: ${raw.detail}` };
    }
    if (raw.kind === 'unavailable') {
      return { kind: 'unknown', reason: raw.reason, detail: raw.detail, stillRunning: true };
    }
    const error = errorOf(raw);
    if (error?.type === OUTSTANDING) {
      const detail = `${OUTSTANDING}: a request with this key still runs`;
      return { kind: 'unknown', reason: 'http_error', detail, stillRunning: true };
    }
    // A wrong secret reached nothing: no change was made. Nor did a request PortOne turned away for its rate: it may go
    // again (UPSTREAM_UNAVAILABLE, the same key), where a refusal would end the customer's refund for good.
    if (raw.status === 401) return { kind: 'not_sent', detail: `PortOne refused PORTONE_API_SECRET: ${wordsOf(raw)}` };
    if (raw.status === 429) return { kind: 'not_sent', detail: `PortOne's rate limit: ${wordsOf(raw)}` };
    if (error?.type === 'PG_PROVIDER') {
      // The PG's own words, for the shop.
      const pg = [error.pgMessage, error.pgCode && `(${error.pgCode})`].filter(Boolean).join(' ');
      const message = (pg || error.message || 'PG_PROVIDER').slice(0, MAX_MESSAGE);
      return { kind: 'refused', refusal: 'pg', code: null, message, httpStatus: raw.status, fromPg: true };
    }
    // Only a documented error says nothing happened; any other 5xx (or an unreadable 4xx) might have applied. A 5xx
    // may come from in front of PortOne (an edge's 504 "Endpoint request timed out") while the request goes on there:
    // a lookup that shows nothing yet proves nothing, as with no answer at all.
    if (raw.status >= 500 || !error) {
      const detail = `HTTP ${raw.status}: ${wordsOf(raw)}`;
      return { kind: 'unknown', reason: 'http_error', detail, ...(raw.status >= 500 && { stillRunning: true }) };
    }
    return {
      kind: 'refused',
      refusal: refusalOf(error.type),
      code: null,
      message: wordsOf(raw),
      httpStatus: raw.status,
    };
  };

  const gateway: Gateway = {
    name: 'portone',
    baseUrl,
    label: 'PortOne',
    changeMayRunForMs: CHANGE_MAY_RUN_FOR_MS,
    checksumOrdersCancels: false,
    webhookPath: '/webhooks/portone',
    // Standard Webhooks' three: the shop's handler verifies a forwarded webhook with PORTONE_WEBHOOK_SECRET.
    signatureHeaders: ['webhook-id', 'webhook-timestamp', 'webhook-signature'],
    // The paymentId is both the payment's id and the order's (to-payment.ts): i'mport's payments have their own imp_uid.
    owns: (payment) => payment.imp_uid === payment.merchant_uid,
    // The merchant's paymentId is the order's id: there is one payment per id, so finding is getting.
    findPayment: getPayment,
    getPayment,

    async cancel(command) {
      const segment = segmentOf(command.payment.imp_uid);
      if (segment === null) return { kind: 'not_sent', detail: 'not a paymentId' };
      const path = `/payments/${segment}/cancel`;
      const idempotencyKey = await portOneIdempotencyKey({
        paymentId: command.payment.imp_uid,
        requester: command.requester,
        clientKey: command.idempotencyKey,
        attemptId: command.attemptId,
      });
      const body = cancelBodyOf(command, storeId);
      const raw = await send({ call: 'cancel_payment', method: 'POST', path, body, idempotencyKey });
      if (raw.kind !== 'response' || raw.status !== 200) return notApplied(raw);
      const parsed = v.safeParse(CancelResponseSchema, raw.json);
      if (!parsed.success) {
        const unreadable = unusable(path, parsed.issues);
        return { kind: 'unknown', reason: unreadable.reason, detail: unreadable.detail };
      }
      const { cancellation } = parsed.output;
      if (cancellation.status === 'FAILED') {
        const message = `cancellation ${cancellation.id} FAILED`;
        return { kind: 'refused', refusal: 'pg', code: null, message, httpStatus: raw.status };
      }
      if (cancellation.status === 'REQUESTED') {
        // Nothing has moved yet; the payment as PortOne shows it now, or as we had it when it cannot be read, with
        // this cancellation unfinished on it (so the answer's balance leaves it out, as PortOne's own copy would).
        const now = await getPayment(command.payment.imp_uid);
        const before = command.payment;
        // A replayed answer (the same key sent again within PortOne's hours) is the first one's, REQUESTED: the
        // payment read just now may show that cancellation failed since, and then "accepted" would be false. (One that
        // succeeded since is left accepted, which is true, and settled by its id on the next look.)
        const failed =
          now.kind === 'ok' && now.payment.cancels_failed?.some((e) => e.cancellation_id === cancellation.id);
        if (failed) {
          const message = `cancellation ${cancellation.id} FAILED (answered REQUESTED, read again FAILED)`;
          return { kind: 'refused', refusal: 'pg', code: null, message, httpStatus: raw.status };
        }
        const payment =
          now.kind === 'ok'
            ? now.payment
            : {
                ...before,
                cancels_pending: [
                  ...(before.cancels_pending ?? []),
                  toPendingCancellation(cancellation, before.currency),
                ],
              };
        return {
          kind: 'requested',
          payment,
          cancellationId: cancellation.id,
          ...(now.kind !== 'ok' && { unread: true }),
        };
      }
      // SUCCEEDED. currentCancellableAmount held, so our copy's balance was PortOne's: the payment now stands as our
      // copy less this cancellation, and no second call (which could fail after the money moved) is needed.
      const before = command.payment;
      // PortOne replays a finished request's answer for its key: a cancellation our copy already holds is not new.
      if (before.cancel_history.some((e) => e.cancellation_id === cancellation.id))
        return { kind: 'ok', payment: before, replayed: cancellation.id };
      const done = toCancellation(cancellation, before.currency);
      const cancelAmount = money(before.cancel_amount + done.amount);
      const payment: Payment = {
        ...before,
        cancel_amount: cancelAmount,
        // PARTIAL_CANCELLED or CANCELLED, which both read `cancelled` (to-payment.ts), as i'mport says.
        status: 'cancelled',
        cancel_history: [...before.cancel_history, done],
        ...(before.tax_free == null
          ? {}
          : {
              cancelled_tax_free: money(
                (before.cancelled_tax_free ?? 0) + fromMinor(cancellation.taxFreeAmount ?? 0, before.currency),
              ),
            }),
      };
      return { kind: 'ok', payment };
    },

    async closeVirtualAccount(payment) {
      const segment = segmentOf(payment.imp_uid);
      if (segment === null) return { kind: 'not_sent', detail: 'not a paymentId' };
      const path = `/payments/${segment}/virtual-account/close${storeQuery}`;
      const raw = await send({ call: 'close_virtual_account', method: 'POST', path });
      if (raw.kind !== 'response' || raw.status !== 200) return notApplied(raw);
      const parsed = v.safeParse(CloseResponseSchema, raw.json);
      if (!parsed.success) {
        const unreadable = unusable(path, parsed.issues);
        return { kind: 'unknown', reason: unreadable.reason, detail: unreadable.detail };
      }
      // A closed virtual account counts as a failed payment (PortOne's release note of 2024-01-25).
      return { kind: 'ok', payment: { ...payment, status: 'failed' } };
    },

    refundBanks: () => REFUND_BANKS_V2,

    readWebhook: createPortOneWebhookReader({ secret: options.webhookSecret, now: options.now }),

    async lookupHolder(account): Promise<HolderLookup> {
      const bank = segmentOf(account.bank);
      const number = segmentOf(account.number);
      if (bank === null || number === null) return { kind: 'not_found' };
      const path = `/platform/bank-accounts/${bank}/${number}/holder`;
      const raw = await send({ call: 'get_account_holder', method: 'GET', path });
      if (raw.kind === 'unavailable') return raw;
      if (raw.status === 200) {
        const parsed = v.safeParse(HolderSchema, raw.json);
        if (parsed.success) return { kind: 'ok', holder: parsed.output.holderName };
        // Logged with the account's last four digits only: a full number is never in a log line.
        return unusable(`/platform/bank-accounts/${bank}/****${account.number.slice(-4)}/holder`, parsed.issues);
      }
      const type = errorOf(raw)?.type;
      // Without PortOne's Platform product, or for a bank the lookup does not cover, there is nothing to ask.
      if (type === 'PLATFORM_NOT_ENABLED' || type === 'PLATFORM_NOT_SUPPORTED_BANK') return { kind: 'not_offered' };
      // A malformed number: no bank has it. PLATFORM_EXTERNAL_API_FAILED (a 503, like its TEMPORARILY_ twin) is the
      // bank's side failing, which says nothing of the account: `unavailable` below, never "no such account" to a
      // customer whose account may be right.
      if (type === 'INVALID_REQUEST') return { kind: 'not_found' };
      const reason = raw.status === 401 || raw.status === 403 ? 'auth' : 'http_error';
      return { kind: 'unavailable', reason, detail: `HTTP ${raw.status}: ${wordsOf(raw)}` };
    },
  };
  return gateway;
};
