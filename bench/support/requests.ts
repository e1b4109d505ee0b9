/**
 * @module Request mode's exchanges for the benchmark: a refund (card or virtual account) as the widget sends it, the
 * same body sent as a refund request, and an approval through the admin API; with checks of their answers, and the
 * untimed preparation of orders for each (a view read, a request made).
 */
import { type Answer, jsonField, runLoad } from './load.ts';
import { merchantUidOf, mintGrants, type PayMethod, proxyView, REFUND_AMOUNT, SHOP_ORIGIN, viewed } from './orders.ts';

export const ADMIN_KEY = 'bench-admin-key-0123456789abcdefghijklmnop';
/** DATA_ENCRYPTION_KEY: 32 fixed bytes, base64 (a bench's key need not be secret). */
export const DATA_KEY = Buffer.alloc(32, 7).toString('base64');

/** What the customer fills in for a virtual account's refund (bank 88: Shinhan, which KG Inicis takes). */
const VBANK_ACCOUNT = { refund_holder: '홍길동', refund_bank: '88', refund_account: '110-123-456789' } as const;

/** The body of a partial refund of order i, the same for a refund and a request. */
const bodyOf = (prefix: string, i: number, payMethod: PayMethod): string =>
  JSON.stringify({
    merchant_uid: merchantUidOf(prefix, i),
    cancel_request_amount: REFUND_AMOUNT,
    reason: '단순 변심',
    ...(payMethod === 'vbank' ? VBANK_ACCOUNT : {}),
  });

/** A POST from the shop's page with the grant and a fresh Idempotency-Key. */
const fromWidget = (url: string, grant: string, body: string) =>
  ({
    method: 'POST',
    url,
    headers: {
      Authorization: `Bearer ${grant}`,
      'Content-Type': 'application/json',
      'Idempotency-Key': crypto.randomUUID(),
      Origin: SHOP_ORIGIN,
    },
    body,
  }) as const;

/** The widget's refund of order i (card, or a virtual account with its refund account). */
export const widgetRefund = (proxyUrl: string, prefix: string, i: number, grant: string, payMethod: PayMethod) =>
  fromWidget(`${proxyUrl}/payments/cancel`, grant, bodyOf(prefix, i, payMethod));

/** The same body as a refund request (request mode). */
export const widgetAsk = (proxyUrl: string, prefix: string, i: number, grant: string, payMethod: PayMethod) =>
  fromWidget(`${proxyUrl}/refund-requests`, grant, bodyOf(prefix, i, payMethod));

/** Staff approve request `id` as asked (no amount, no note), with an admin key. */
export const adminApprove = (proxyUrl: string, id: string) =>
  ({
    method: 'POST',
    url: `${proxyUrl}/admin/refund-requests/${encodeURIComponent(id)}/approve`,
    headers: { Authorization: `Bearer ${ADMIN_KEY}`, 'Content-Type': 'application/json' },
    body: '{}',
  }) as const;

const unexpected = (answer: Answer): string => `HTTP ${answer.status}: ${answer.body.slice(0, 300)}`;

const field = (value: unknown, name: string): unknown =>
  typeof value === 'object' && value !== null && name in value ? (value as Record<string, unknown>)[name] : undefined;

/** The request's id from a 201 to POST /refund-requests, or null. */
export const requestIdOf = (answer: Answer): string | null => {
  const id = answer.status === 201 ? field(jsonField(answer.body, 'request'), 'id') : undefined;
  return typeof id === 'string' ? id : null;
};

/** The approval ran its refund to the end: the request refunded, the refund's own answer ok. */
export const approved = (answer: Answer): string | null =>
  answer.status === 200 &&
  field(jsonField(answer.body, 'request'), 'status') === 'refunded' &&
  field(jsonField(answer.body, 'refund'), 'ok') === true
    ? null
    : unexpected(answer);

/** Untimed preparation runs this many clients at once. */
const PREPARE_CONCURRENCY = 8;

/** Grants for orders `prefix-0 …`, each order's view read once so its payment is in the ledger, as the widget does. */
export const prepareRefunds = async (proxyUrl: string, prefix: string, count: number): Promise<string[]> => {
  const grants = await mintGrants(prefix, count);
  const run = await runLoad({
    count,
    concurrency: PREPARE_CONCURRENCY,
    maxMs: 300_000,
    exchange: (i) => proxyView(proxyUrl, merchantUidOf(prefix, i), grants[i] ?? ''),
    check: viewed,
  });
  if (run.firstFailure || run.timedOut) throw new Error(`preparing refunds: ${run.firstFailure ?? 'timed out'}`);
  return grants;
};

/** A refund request for each of orders `prefix-0 …`, made as the customer makes it; their ids, in order. */
export const prepareRequests = async (
  proxyUrl: string,
  prefix: string,
  count: number,
  payMethod: PayMethod,
): Promise<string[]> => {
  const grants = await mintGrants(prefix, count);
  const ids: string[] = [];
  const run = await runLoad({
    count,
    concurrency: PREPARE_CONCURRENCY,
    maxMs: 300_000,
    exchange: (i) => widgetAsk(proxyUrl, prefix, i, grants[i] ?? '', payMethod),
    check: (answer, i) => {
      const id = requestIdOf(answer);
      if (id) ids[i] = id;
      return id ? null : unexpected(answer);
    },
  });
  if (run.firstFailure || run.timedOut) throw new Error(`preparing requests: ${run.firstFailure ?? 'timed out'}`);
  return ids;
};
