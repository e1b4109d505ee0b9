/**
 * @module The staff API as `<refund-desk>` relies on it: one valibot reader per answer, so that a drift between the
 * proxy and the console shows up here and nowhere else, and one client that sends the staff grant with every call.
 * Times in the proxy's rows are UNIX seconds (proxy/admin/rows.ts); UNIX ms and ISO strings are read too.
 */
import * as v from 'valibot';
import { codeForBareStatus, isErrorCode } from '../../shared/errors.ts';
import { REQUEST_STATUSES } from '../../shared/refund-requests.ts';

const Time = v.nullable(v.union([v.number(), v.string()]));
const Text = v.nullable(v.string());
const Num = v.nullable(v.number());

export const RequestRowSchema = v.object({
  id: v.string(),
  merchant_uid: v.string(),
  status: v.picklist(REQUEST_STATUSES),
  amount: v.number(),
  approved_amount: v.optional(Num, null),
  reason: v.string(),
  refund_bank: v.optional(Text, null),
  refund_account_masked: v.optional(Text, null),
  created_at: Time,
  decided_at: v.optional(Time, null),
  decided_by: v.optional(Text, null),
  reject_reason: v.optional(Text, null),
  allow_new_request: v.optional(v.boolean(), true),
  /** What staff wrote with the approval; read so that refund-desk:approved carries the proxy's answer whole. */
  note: v.optional(Text, null),
  attempt_id: v.optional(Text, null),
  error_code: v.optional(Text, null),
  /** The order's currency, in the lists' rows and a decision's answer alike; null while the ledger has no payment. */
  currency: v.optional(Text, null),
});
export type RequestRow = v.InferOutput<typeof RequestRowSchema>;

export const RefundRowSchema = v.object({
  id: v.string(),
  created_at: Time,
  finished_at: v.optional(Time, null),
  merchant_uid: v.string(),
  status: v.string(),
  requested_amount: v.optional(Num, null),
  amount: Num,
  /** null: a revocation of an unpaid virtual account (no money moved; proxy/refunds/cancel-history.ts); absent: not said. */
  checksum: v.optional(Num),
  reason: v.optional(Text, null),
  refund_account_masked: v.optional(Text, null),
  error_code: v.optional(Text, null),
  currency: v.optional(Text, null),
});
export type RefundRow = v.InferOutput<typeof RefundRowSchema>;

export const DeliverySchema = v.object({
  id: v.union([v.string(), v.number()]),
  url: v.string(),
  attempted_at: Time,
  status: Num,
  error: v.optional(Text, null),
});
export type Delivery = v.InferOutput<typeof DeliverySchema>;

export const EventSchema = v.object({
  id: v.string(),
  type: v.string(),
  status: v.string(),
  attempts: v.number(),
  created_at: Time,
  deliveries: v.optional(v.array(DeliverySchema), []),
});
export type DeskEvent = v.InferOutput<typeof EventSchema>;

export const PaymentSchema = v.object({
  merchant_uid: v.string(),
  name: Text,
  amount: v.number(),
  cancel_amount: v.number(),
  cancelable_amount: v.number(),
  currency: v.string(),
  status: v.string(),
  pay_method: Text,
  pg_provider: v.optional(Text, null),
  /** A refund's outcome is not known yet (a cancel sent, its answer lost): the refunded figures may be stale. */
  needs_sync: v.optional(v.boolean(), false),
});
export type Payment = v.InferOutput<typeof PaymentSchema>;

export const OrderSchema = v.object({
  payment: PaymentSchema,
  attempts: v.array(RefundRowSchema),
  events: v.array(EventSchema),
});
export type Order = v.InferOutput<typeof OrderSchema>;

const page = <T extends v.GenericSchema>(row: T) =>
  v.object({ data: v.array(row), next_cursor: v.nullable(v.string()) });
export const RequestPageSchema = page(RequestRowSchema);
export const RefundPageSchema = page(RefundRowSchema);
export type Page<T> = { data: T[]; next_cursor: string | null };

export const ApprovedSchema = v.object({
  ok: v.literal(true),
  request: RequestRowSchema,
  // The refund's own answer; `accepted`: the gateway took it to finish later (PortOne V2's REQUESTED).
  refund: v.optional(v.looseObject({ ok: v.boolean(), accepted: v.optional(v.boolean()) })),
});
export type Approved = v.InferOutput<typeof ApprovedSchema>;
export const RejectedSchema = v.object({ ok: v.literal(true), request: RequestRowSchema });

const FailureSchema = v.object({ error: v.object({ code: v.string(), message: v.optional(v.string(), '') }) });

/** A call that did not end in the answer expected. `code`: shared/errors.ts's, or NETWORK when nothing came back. */
export class StaffApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Milliseconds since the epoch from UNIX seconds, UNIX ms or an ISO string; null when unreadable. */
export const timeOf = (value: number | string | null): number | null => {
  if (value === null) return null;
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? null : ms;
  }
  return value < 1e11 ? value * 1000 : value; // seconds until the year 5138
};

export type Query = Readonly<Record<string, string | number | undefined>>;

const search = (query: Query): string => {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined && value !== '') params.set(key, `${value}`);
  const text = params.toString();
  return text ? `?${text}` : '';
};

/** The staff routes under `endpoint`, each call with the staff grant. */
export class StaffApi {
  constructor(
    private readonly endpoint: string,
    private readonly token: string,
  ) {}

  async #call(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('Authorization', `Bearer ${this.token}`);
    if (!headers.has('Accept')) headers.set('Accept', 'application/json');
    if (init.body) headers.set('Content-Type', 'application/json');
    let response: Response;
    try {
      response = await fetch(`${this.endpoint.replace(/\/$/, '')}/staff${path}`, { ...init, headers });
    } catch (error) {
      throw new StaffApiError('NETWORK', String(error));
    }
    if (response.ok) return response;
    const body = await response.json().catch(() => undefined);
    const failure = v.safeParse(FailureSchema, body);
    if (failure.success && isErrorCode(failure.output.error.code)) {
      throw new StaffApiError(failure.output.error.code, failure.output.error.message);
    }
    // The proxy answers every unknown path and order with its own JSON: a bare 404 is another server (an endpoint
    // that is not the proxy's origin), which no code of the proxy's describes.
    if (response.status === 404) {
      throw new StaffApiError('NETWORK', `HTTP 404 without the proxy's answer: is ${this.endpoint} the refund proxy?`);
    }
    throw new StaffApiError(codeForBareStatus(response.status), `HTTP ${response.status}`);
  }

  async #read<T extends v.GenericSchema>(schema: T, path: string, init?: RequestInit): Promise<v.InferOutput<T>> {
    const response = await this.#call(path, init);
    const parsed = v.safeParse(schema, await response.json().catch(() => undefined));
    if (!parsed.success) throw new StaffApiError('INTERNAL', `unexpected answer from ${path}`);
    return parsed.output;
  }

  requests = (query: Query): Promise<Page<RequestRow>> =>
    this.#read(RequestPageSchema, `/refund-requests${search(query)}`);

  refunds = (query: Query): Promise<Page<RefundRow>> => this.#read(RefundPageSchema, `/refunds${search(query)}`);

  /** The refunds feed as CSV (every page the filters select), for a download. */
  refundsCsv = async (query: Query): Promise<Blob> =>
    (await this.#call(`/refunds${search(query)}`, { headers: { Accept: 'text/csv' } })).blob();

  order = (merchantUid: string): Promise<Order> =>
    this.#read(OrderSchema, `/payments/${encodeURIComponent(merchantUid)}`);

  /** `amount` only when lowered (the proxy's default is the whole request); `note` only when written. */
  approve = (id: string, amount: number | undefined, note = ''): Promise<Approved> =>
    this.#read(ApprovedSchema, `/refund-requests/${encodeURIComponent(id)}/approve`, {
      method: 'POST',
      body: JSON.stringify({ ...(amount === undefined ? {} : { amount }), ...(note ? { note } : {}) }),
    });

  reject = (id: string, reason: string, allowNewRequest: boolean): Promise<{ request: RequestRow }> =>
    this.#read(RejectedSchema, `/refund-requests/${encodeURIComponent(id)}/reject`, {
      method: 'POST',
      body: JSON.stringify({ reason, allow_new_request: allowNewRequest }),
    });

  redeliver = async (eventId: string): Promise<void> => {
    await this.#call(`/events/${encodeURIComponent(eventId)}/redeliver`, { method: 'POST' });
  };
}
