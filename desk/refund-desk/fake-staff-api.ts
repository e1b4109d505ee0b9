/**
 * @module A stand-in for the proxy's staff routes inside the page, for the console's tests: it replaces
 * `window.fetch`, records each call and answers from a small in-memory ledger, paging with next_cursor as the proxy
 * does. Error answers carry each code's HTTP status from shared/errors.ts.
 */
import { ERRORS, type ErrorCode } from '../../shared/errors.ts';
import { nextStatus } from '../../shared/refund-requests.ts';
import { type Order, type RefundRow, type RequestRow, timeOf } from './api.ts';

export interface Call {
  readonly url: URL;
  readonly method: string;
  readonly headers: Headers;
  readonly body: Record<string, unknown> | undefined;
}

export const json = (body: unknown, status = 200): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

export const failure = (code: ErrorCode, message = 'detail from the proxy'): Response =>
  json({ ok: false, error: { code, message } }, ERRORS[code].status);

export const ENDPOINT = 'https://refunds.test';
const HOUR = 3_600_000;

/** A request made `hoursAgo` hours ago (created_at in UNIX seconds, as proxy rows have it). */
export const request = (id: string, hoursAgo: number, extra: Partial<RequestRow> = {}): RequestRow => ({
  id,
  merchant_uid: `order-${id}`,
  status: 'requested',
  amount: 45000,
  reason: '사이즈가 맞지 않아요',
  refund_bank: 'BK88',
  refund_account_masked: '110-***-***789',
  created_at: Math.floor((Date.now() - hoursAgo * HOUR - 60_000) / 1000),
  approved_amount: null,
  decided_at: null,
  decided_by: null,
  reject_reason: null,
  allow_new_request: true,
  note: null,
  attempt_id: null,
  error_code: null,
  currency: 'KRW',
  ...extra,
});

export const refund = (id: string, extra: Partial<RefundRow> = {}): RefundRow => ({
  id,
  created_at: Math.floor(Date.now() / 1000) - 600,
  finished_at: null,
  merchant_uid: `order-${id}`,
  status: 'succeeded',
  requested_amount: 9000,
  amount: 9000,
  checksum: 10000,
  reason: '단순 변심',
  refund_account_masked: null,
  error_code: null,
  currency: 'KRW',
  ...extra,
});

/** An order's payment, attempts and events; one whose merchant_uid begins `usd-` was paid in dollars (PayPal). */
export const order = (merchantUid: string): Order => {
  const currency = merchantUid.startsWith('usd-') ? 'USD' : 'KRW';
  return {
    payment: {
      merchant_uid: merchantUid,
      name: '여름 티셔츠',
      amount: 50000,
      cancel_amount: 5000,
      cancelable_amount: 45000,
      currency,
      status: 'paid',
      pay_method: 'vbank',
      pg_provider: 'kcp',
      needs_sync: false,
    },
    attempts: [refund('a1', { merchant_uid: merchantUid, amount: currency === 'USD' ? 2.9 : 5000, currency })],
    events: [
      {
        id: 'evt_1',
        type: 'refund.succeeded',
        status: 'failed',
        // Rounds since it was last queued (it was sent again once): fewer than the deliveries listed under it.
        attempts: 1,
        created_at: Math.floor(Date.now() / 1000) - 900,
        deliveries: ['d1', 'd2', 'd3'].map((id, i) => ({
          id,
          url: 'https://shop.test/hooks',
          attempted_at: Math.floor(Date.now() / 1000) - 600 + i * 60,
          // An answer, a connection refused, a timeout: what the proxy's dispatcher records for each.
          status: i === 0 ? 500 : null,
          error: [null, 'Error: connect ECONNREFUSED 203.0.113.5:443', 'timeout: no answer within 15 s'][i] ?? null,
        })),
      },
    ],
  };
};

export interface FakeStaffApi {
  readonly calls: Call[];
  /** Answers for the next POSTs, in order, before the ledger's own. */
  readonly next: Response[];
  requests: RequestRow[];
  refunds: RefundRow[];
  /** Holds the next call's answer until this settles (to have two reads of a list in flight at once). */
  holdNext: Promise<void> | null;
  /** Where the next approval's request ends: refunded (the default), failed (the PG refused) or approved (unknown). */
  /** `accepted`: left approved, its refund taken by the gateway to finish later (PortOne V2's REQUESTED). */
  approvalEndsAs: 'refunded' | 'failed' | 'approved' | 'accepted';
  /** The next call is done (a decision taken) but its answer never arrives, as when the connection drops after. */
  loseNextAnswer: boolean;
  /** Every call fails before it reaches the proxy (the network is down). */
  offline: boolean;
  uninstall(): void;
}

/** Pages `rows` two at a time when `limit` says so; the cursor is the next index. */
const paged = <T>(rows: T[], url: URL): Response => {
  const start = Number(url.searchParams.get('cursor') ?? 0);
  const limit = Number(url.searchParams.get('limit') ?? 20);
  const page = rows.slice(start, start + limit);
  return json({ data: page, next_cursor: start + limit < rows.length ? String(start + limit) : null });
};

export function installFakeStaffApi(requests: RequestRow[], refunds: RefundRow[] = []): FakeStaffApi {
  const realFetch = window.fetch;
  const fake: FakeStaffApi = {
    calls: [],
    next: [],
    requests,
    refunds,
    holdNext: null,
    approvalEndsAs: 'refunded',
    loseNextAnswer: false,
    offline: false,
    uninstall: () => {
      window.fetch = realFetch;
    },
  };
  const answer = (call: Call): Response => {
    const path = call.url.pathname;
    if (call.method === 'POST' && fake.next.length) return fake.next.shift()!;
    if (call.headers.get('Authorization') !== 'Bearer staff-grant') return failure('UNAUTHORIZED');
    if (path === '/staff/refund-requests') {
      const q = call.url.searchParams;
      const rows = fake.requests.filter(
        (r) =>
          (!q.get('status') || r.status === q.get('status')) &&
          (!q.get('merchant_uid') || r.merchant_uid === q.get('merchant_uid')),
      );
      // As the proxy: newest first unless order=oldest.
      const at = (r: RequestRow) => timeOf(r.created_at) ?? 0;
      const sign = q.get('order') === 'oldest' ? 1 : -1;
      return paged(
        rows.toSorted((a, b) => sign * (at(a) - at(b))),
        call.url,
      );
    }
    if (path === '/staff/refunds') {
      if (call.headers.get('Accept') === 'text/csv')
        return new Response('id,merchant_uid\nr1,order-r1\n', { headers: { 'Content-Type': 'text/csv' } });
      return paged(fake.refunds, call.url);
    }
    const decide = /^\/staff\/refund-requests\/([^/]+)\/(approve|reject)$/.exec(path);
    if (decide) {
      const row = fake.requests.find((r) => r.id === decide[1]);
      if (!row) return failure('INVALID_REQUEST');
      if (!nextStatus(row.status, decide[2] as 'approve' | 'reject')) return failure('REFUND_REQUEST_DECIDED');
      const now = Math.floor(Date.now() / 1000);
      if (decide[2] === 'approve') {
        const amount = (call.body?.amount as number | undefined) ?? row.amount;
        const ends = fake.approvalEndsAs;
        const status = ends === 'accepted' ? 'approved' : ends;
        const error_code = status === 'failed' ? 'PG_PROVIDER' : null;
        // As the proxy keeps it: `amount` stays what was asked, `approved_amount` what staff approved.
        Object.assign(row, {
          status,
          approved_amount: amount,
          decided_at: now,
          decided_by: 'staff:staff-7',
          note: (call.body?.note as string | undefined) ?? null,
          error_code,
        });
        const refund =
          ends === 'refunded'
            ? { ok: true, refunded: amount }
            : ends === 'accepted'
              ? { ok: true, refunded: amount, pending: true, accepted: true }
              : { ok: false, error: { code: 'X' } };
        return json({ ok: true, request: row, refund });
      }
      Object.assign(row, {
        status: 'rejected',
        decided_at: now,
        decided_by: 'staff:staff-7',
        reject_reason: call.body?.reason,
        allow_new_request: call.body?.allow_new_request,
      });
      return json({ ok: true, request: row });
    }
    const payment = /^\/staff\/payments\/([^/]+)$/.exec(path);
    if (payment) return json(order(decodeURIComponent(payment[1]!)));
    if (/^\/staff\/events\/[^/]+\/redeliver$/.test(path)) return json({ ok: true, event: null }, 202);
    return failure('INVALID_REQUEST');
  };
  window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input));
    if (url.origin !== ENDPOINT) return realFetch.call(window, input, init);
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as Record<string, unknown>) : undefined;
    const call = { url, method: init?.method ?? 'GET', headers: new Headers(init?.headers), body };
    fake.calls.push(call);
    if (fake.offline) throw new TypeError('Failed to fetch');
    const hold = fake.holdNext;
    fake.holdNext = null;
    const response = answer(call); // what the ledger says now, sent once the hold ends
    await hold;
    if (fake.loseNextAnswer) {
      fake.loseNextAnswer = false;
      throw new TypeError('Failed to fetch');
    }
    return response;
  };
  return fake;
}
