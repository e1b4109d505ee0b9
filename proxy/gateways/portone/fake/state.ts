/** @module What one fake PortOne V2 remembers (clock, store, payments, switches, faults, keys, call log) and reset. */
import { createLateCancels, type LateCancels } from '../../fake-kit/late-cancels.ts';
import type { Bank } from './banks.ts';
import type { FakeRoute, FaultKind, FaultQueue } from './faults.ts';
import { createFaultQueue } from './faults.ts';
import type { IdempotencyEntry } from './idempotency.ts';
import { type CancelMode, createPaymentBook, type PaymentBook } from './payments.ts';
import { createWebhookOutbox, type WebhookOutbox, type WebhookTarget } from './webhooks.ts';

export interface FakePortOneOptions {
  /** Epoch-ms clock, default Date.now; every time field and the idempotency window read it. */
  now?: () => number;
  /** The V2 API secret (`Authorization: PortOne <secret>`); default 'test_portone_v2_secret'. */
  apiSecret?: string;
  /** The secret's own store; default 'store-fake-0000'. */
  storeId?: string;
  /** Sub-stores the secret may act on with `storeId`; any other storeId is 403 FORBIDDEN. */
  subStoreIds?: readonly string[];
  merchantId?: string;
  /** How cancels finish unless a payment says otherwise: at once (default) or REQUESTED, settled by the test. */
  cancelMode?: CancelMode;
  /** Cancels per payment that reach the PG before MAX_CANCEL_COUNT_REACHED; default no limit. */
  maxCancelCount?: number;
  /** Whether the store has PortOne's Platform product (the holder lookup); default false. */
  platformEnabled?: boolean;
  /** Where signed webhooks go; none are sent without it. */
  webhook?: WebhookTarget;
  /** What sends webhooks; default the global fetch. */
  webhookFetch?: typeof fetch;
  /** How long a completed Idempotency-Key answer is replayed; default 3 hours (the V2 docs' "3시간"). */
  idempotencyTtlMs?: number;
}

/** One request to a V2 route, as the fake saw it. */
export interface FakeCall {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  readonly route: FakeRoute;
  /** Parsed JSON body (the raw text when it is not JSON); undefined when there was none. */
  readonly body: unknown;
  readonly idempotencyKey: string | undefined;
  /** HTTP status answered; 0 while pending or when the connection was dropped, 499 when the caller aborted. */
  readonly status: number;
  /** Epoch ms from the injected clock when the request arrived. */
  readonly at: number;
  /** The injected fault that shaped this request, if any. */
  readonly fault?: FaultKind;
}

export type LoggedCall = { -readonly [K in keyof FakeCall]: FakeCall[K] };

/** The switches a test may flip while the fake runs. */
export interface FakeSettings {
  cancelMode: CancelMode;
  maxCancelCount: number;
  platformEnabled: boolean;
}

export interface FakeState {
  readonly now: () => number;
  readonly iso: () => string;
  readonly apiSecret: string;
  readonly storeId: string;
  readonly subStoreIds: readonly string[];
  readonly merchantId: string;
  readonly idempotencyTtlMs: number;
  readonly settings: FakeSettings;
  readonly initialSettings: Readonly<FakeSettings>;
  readonly payments: PaymentBook;
  /** Accounts the holder lookup knows: `${bank}/${number}` → holder name. */
  readonly accounts: Map<string, string>;
  readonly faults: FaultQueue;
  /** Requests held by a `stall` fault, each released by calling it. */
  readonly stalled: (() => void)[];
  /** Cancels an `apply_later` fault holds, by paymentId. */
  readonly late: LateCancels;
  readonly webhooks: WebhookOutbox;
  /** Idempotency-Key (without its quotes) → the request's state or first answer. */
  readonly idempotency: Map<string, IdempotencyEntry>;
  readonly calls: LoggedCall[];
  /** The log entry of each in-flight request, so a route can note the fault it applied. */
  readonly callOf: WeakMap<Request, LoggedCall>;
}

export const accountKey = (bank: Bank, number: string) => `${bank}/${number}`;

export const createState = (options: FakePortOneOptions): FakeState => {
  const now = options.now ?? Date.now;
  const settings: FakeSettings = {
    cancelMode: options.cancelMode ?? 'SUCCEEDED',
    maxCancelCount: options.maxCancelCount ?? Number.POSITIVE_INFINITY,
    platformEnabled: options.platformEnabled ?? false,
  };
  return {
    now,
    iso: () => new Date(now()).toISOString(),
    apiSecret: options.apiSecret ?? 'test_portone_v2_secret',
    storeId: options.storeId ?? 'store-fake-0000',
    subStoreIds: options.subStoreIds ?? [],
    merchantId: options.merchantId ?? 'merchant-fake-0000',
    idempotencyTtlMs: options.idempotencyTtlMs ?? 3 * 3600 * 1000,
    settings,
    initialSettings: { ...settings },
    payments: createPaymentBook(),
    accounts: new Map(),
    faults: createFaultQueue(),
    stalled: [],
    late: createLateCancels(),
    webhooks: createWebhookOutbox({ now, target: options.webhook, fetch: options.webhookFetch }),
    idempotency: new Map(),
    calls: [],
    callOf: new WeakMap(),
  };
};

export const noteFault = (state: FakeState, request: Request, fault: FaultKind): void => {
  const call = state.callOf.get(request);
  if (call) call.fault = fault;
};

/** Waits until the test releases it (see the `stall` fault). */
export const stall = (state: FakeState): Promise<void> => new Promise((resolve) => state.stalled.push(resolve));

/** Forgets payments, accounts, faults, keys, the call log and webhook deliveries, and restores the switches. */
export const resetState = (state: FakeState): void => {
  state.payments.clear();
  state.accounts.clear();
  state.faults.clear();
  for (const release of state.stalled.splice(0)) release();
  state.calls.length = 0;
  state.webhooks.clear();
  state.idempotency.clear();
  Object.assign(state.settings, state.initialSettings);
};
