/** @module createFakePortOne(): a faithful fake of the PortOne V2 REST API as a Hono app. */
import { Hono } from 'hono';
import * as v from 'valibot';
import { requirePortOneAuth } from './auth.ts';
import type { Bank } from './banks.ts';
import { settleCancellation } from './cancel.ts';
import { answerError, refusal } from './errors.ts';
import { type FakeRoute, type Fault, FaultSchema } from './faults.ts';
import { idempotency } from './idempotency.ts';
import { createInProcessFetch } from './in-process-fetch.ts';
import { buildPayment, type FakeV2PaymentInput } from './payments.ts';
import { cancelRoutes } from './routes-cancel.ts';
import { controlRoutes } from './routes-control.ts';
import { paymentRoutes } from './routes-payments.ts';
import { platformRoutes } from './routes-platform.ts';
import { vbankRoutes } from './routes-vbank.ts';
import {
  accountKey,
  createState,
  type FakeCall,
  type FakePortOneOptions,
  type FakeSettings,
  resetState,
} from './state.ts';
import { traffic } from './traffic.ts';
import type { WebhookDelivery, WebhookTarget } from './webhooks.ts';
import type { FakeV2Payment, PaymentCancellation } from './wire.ts';

export type { Bank } from './banks.ts';
export type { FakeRoute, Fault } from './faults.ts';
export type { FakeV2PaymentInput } from './payments.ts';
export type { FakeCall, FakePortOneOptions, FakeSettings } from './state.ts';
export type { WebhookDelivery, WebhookTarget, WebhookType } from './webhooks.ts';
export type { FakeV2Payment, PaymentCancellation } from './wire.ts';

export interface FakePortOne {
  /** The HTTP surface: V2's routes plus the `/__fake/*` control routes. */
  readonly app: Hono;
  /** In-process fetch into `app`: any host works, drops reject with TypeError('fetch failed'), aborts are honoured. */
  readonly fetch: typeof fetch;
  /** The V2 API secret the fake accepts. */
  readonly apiSecret: string;
  /** The secret's own store. */
  readonly storeId: string;
  /** Live switches: cancelMode, maxCancelCount, platformEnabled. */
  readonly settings: FakeSettings;
  /** Seeds a payment (replacing one with the same store and paymentId); returns a copy of what is stored. */
  addPayment(input: FakeV2PaymentInput): FakeV2Payment;
  /** A copy of the stored payment (of the fake's own store unless `storeId` is given). */
  getPayment(paymentId: string, storeId?: string): FakeV2Payment | undefined;
  /**
   * Finishes a REQUESTED cancellation as the PG decided: SUCCEEDED updates the payment's amounts and status and sends
   * Transaction.Cancelled or Transaction.PartialCancelled; FAILED only marks it. Throws when there is no such one.
   */
  settleCancellation(
    paymentId: string,
    cancellationId: string,
    outcome: 'SUCCEEDED' | 'FAILED',
    storeId?: string,
  ): PaymentCancellation;
  /** Where signed webhooks go from now on (undefined: none are sent). */
  setWebhookTarget(target: WebhookTarget | undefined): void;
  /** Every webhook sent, in order, with the receiver's status once it answered. */
  readonly webhooks: ReadonlyArray<WebhookDelivery>;
  /** Resolves when every webhook sent so far has been answered (or failed). */
  flushWebhooks(): Promise<void>;
  /** An account the holder lookup knows (answered only while `settings.platformEnabled`). */
  addAccount(account: { bank: Bank; number: string; holderName: string }): void;
  /** Queues a fault; several can be queued and each is used up in order. */
  inject(fault: Fault): void;
  clearFaults(): void;
  /** Lets every request held by a `stall` fault go on; returns how many there were. */
  releaseStalled(): number;
  /** How many requests a `stall` fault holds now. */
  readonly stalled: number;
  /** Forgets payments, accounts, faults, keys, deliveries and the call log; restores the switches. */
  reset(): void;
  /** Every request to a V2 route, in arrival order (control routes are not logged). */
  readonly calls: ReadonlyArray<FakeCall>;
  /** Requests that hit a route; 'any' counts them all. */
  count(route: FakeRoute): number;
}

export function createFakePortOne(options: FakePortOneOptions = {}): FakePortOne {
  const state = createState(options);
  const app = new Hono();
  app.route('/__fake', controlRoutes(state));
  app.use(traffic(state));
  app.use(requirePortOneAuth(state));
  app.use(idempotency(state));
  app.route('/', paymentRoutes(state));
  app.route('/', cancelRoutes(state));
  app.route('/', vbankRoutes(state));
  app.route('/', platformRoutes(state));
  app.notFound((c) => answerError(c, refusal('INVALID_REQUEST', 'Not Found')));

  return {
    app,
    fetch: createInProcessFetch(app),
    apiSecret: state.apiSecret,
    storeId: state.storeId,
    settings: state.settings,
    addPayment: (input) => {
      const stored = buildPayment(input, { nowMs: state.now(), storeId: state.storeId, merchantId: state.merchantId });
      state.payments.put(stored);
      return structuredClone(stored.payment);
    },
    getPayment: (paymentId, storeId = state.storeId) => {
      const stored = state.payments.get(storeId, paymentId);
      return stored && structuredClone(stored.payment);
    },
    settleCancellation: (paymentId, cancellationId, outcome, storeId = state.storeId) => {
      const stored = state.payments.get(storeId, paymentId);
      const entry = stored && settleCancellation(state, stored, cancellationId, outcome);
      if (!entry) throw new Error(`no REQUESTED cancellation ${cancellationId} of payment ${paymentId}`);
      return structuredClone(entry);
    },
    setWebhookTarget: (target) => void (state.webhooks.target = target),
    webhooks: state.webhooks.deliveries,
    flushWebhooks: () => state.webhooks.flush(),
    addAccount: ({ bank, number, holderName }) => void state.accounts.set(accountKey(bank, number), holderName),
    inject: (fault) => state.faults.push(v.parse(FaultSchema, fault)),
    clearFaults: () => state.faults.clear(),
    releaseStalled: () => {
      const held = state.stalled.splice(0);
      for (const release of held) release();
      return held.length;
    },
    reset: () => resetState(state),
    get stalled() {
      return state.stalled.length;
    },
    get calls() {
      return state.calls;
    },
    count: (route) => state.calls.filter((call) => route === 'any' || call.route === route).length,
  };
}
