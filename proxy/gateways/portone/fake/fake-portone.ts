/**
 * @module createFakePortOne(): a faithful fake of the PortOne V2 REST API as a Hono app, written from the V2 OpenAPI
 * (`src/schema/v2.openapi.json` of portone-io/developers.portone.io) and the V2 docs. Every V2 route needs
 * `Authorization: PortOne <secret>` (security scheme `portOne`; else 401 `UNAUTHORIZED`); errors are `{ type, message }`
 * with the status each error schema names (errors.ts).
 *
 * | Route | Request / answer schemas | Errors answered |
 * |---|---|---|
 * | `GET /payments/{paymentId}?storeId` | `Payment` (Ready/PayPending/VirtualAccountIssued/Paid/PartialCancelled/Cancelled/FailedPayment), `PaymentAmount`, `PaymentMethodCard`, `PaymentMethodVirtualAccount`, `PaymentCancellation` | GetPaymentError: FORBIDDEN, PAYMENT_NOT_FOUND |
 * | `POST /payments/{paymentId}/cancel` | `CancelPaymentBody` (+ `CancelPaymentBodyRefundAccount`, `Bank`, `CancelRequester`) → `CancelPaymentResponse` | CancelPaymentError: INVALID_REQUEST, FORBIDDEN, PAYMENT_NOT_FOUND, PAYMENT_NOT_PAID, PAYMENT_ALREADY_CANCELLED, CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN, CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT, SUM_OF_PARTS_EXCEEDS_CANCEL_AMOUNT, CANCEL_TAX_FREE_AMOUNT_EXCEEDS_CANCELLABLE_TAX_FREE_AMOUNT, CANCEL_TAX_AMOUNT_EXCEEDS_CANCELLABLE_TAX_AMOUNT, MAX_CANCEL_COUNT_REACHED, PG_PROVIDER |
 * | `POST /payments/{paymentId}/virtual-account/close?storeId` | `CloseVirtualAccountResponse` | CloseVirtualAccountError: FORBIDDEN, PAYMENT_NOT_FOUND, PAYMENT_NOT_WAITING_FOR_DEPOSIT, PG_PROVIDER |
 * | `GET /platform/bank-accounts/{bank}/{accountNumber}/holder` | `PlatformAccountHolder` | GetPlatformAccountHolderError: INVALID_REQUEST, PLATFORM_NOT_ENABLED, PLATFORM_NOT_SUPPORTED_BANK, PLATFORM_EXTERNAL_API_FAILED |
 *
 * Not from the OpenAPI: `Idempotency-Key` and 409 `IDEMPOTENCY_OUTSTANDING_REQUEST` follow the REST V2 overview page
 * (idempotency.ts); webhooks follow the V2 webhook guide, version 2024-04-25, signed by Standard Webhooks (webhooks.ts).
 *
 * The fake's own choices where PortOne documents nothing: the VAT of a taxable amount is amount / 11, rounded; a
 * REQUESTED cancellation holds its amount back from what is cancellable until settled; a paid virtual account cancelled
 * without `refundAccount` is 400 INVALID_REQUEST; MAX_CANCEL_COUNT_REACHED counts cancels that reached the PG, refused
 * ones included; the holder lookup refuses non-deposit institutions as PLATFORM_NOT_SUPPORTED_BANK and answers an
 * unknown account 503 PLATFORM_EXTERNAL_API_FAILED; a closed virtual account is FAILED and sends no webhook; a failed
 * cancellation sends none; each webhook is sent once (PortOne's retries are not modelled); a key reused for another
 * request replays the first answer.
 *
 * Control routes under `/__fake` (not logged, no auth, no faults): `POST /payments` (seed), `GET /payments`,
 * `POST|DELETE /faults`, `POST /release` (stalled requests), `PATCH /settings` ({ cancelMode, maxCancelCount,
 * platformEnabled }), `PUT /webhook` ({ url, secret } or null), `GET /webhooks` (deliveries, after they finish),
 * `POST /payments/{paymentId}/cancellations/{cancellationId}/settle` ({ outcome }), `POST /accounts`, `GET /calls`,
 * `POST /reset`.
 */
import { Hono } from 'hono';
import * as v from 'valibot';
import { createInProcessFetch } from '../../fake-kit/in-process-fetch.ts';
import type { HeldCancel, LateOutcome } from '../../fake-kit/late-cancels.ts';
import { requirePortOneAuth } from './auth.ts';
import type { Bank } from './banks.ts';
import { settleCancellation } from './cancel.ts';
import { answerError, refusal } from './errors.ts';
import { type FakeRoute, type Fault, FaultSchema } from './faults.ts';
import { idempotency } from './idempotency.ts';
import { buildPayment, type FakeV2PaymentInput, RECEIPT_BASE } from './payments.ts';
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
import { DROP_HEADER, traffic } from './traffic.ts';
import type { WebhookDelivery, WebhookTarget } from './webhooks.ts';
import type { FakeV2Payment, PaymentCancellation } from './wire.ts';

export type { HeldCancel, LateOutcome } from '../../fake-kit/late-cancels.ts';
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
  /**
   * The customer's deposit lands on a virtual account awaiting it (VIRTUAL_ACCOUNT_ISSUED): it is PAID from now on;
   * whether it was awaiting one.
   */
  deposit(paymentId: string): boolean;
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
  /** The cancels an `apply_later` fault holds (`payment`: the paymentId), oldest first. */
  heldLate(): readonly HeldCancel[];
  /** Applies (or drops) the held cancels `which` picks, each as the PG finishing it now; how many there were. */
  settleLate(which: (cancel: HeldCancel) => boolean, how: LateOutcome): Promise<number>;
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
    fetch: createInProcessFetch(app, DROP_HEADER, 'http://fake-portone.test'),
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
    deposit: (paymentId) => {
      const stored = state.payments.get(state.storeId, paymentId);
      if (stored?.payment.status !== 'VIRTUAL_ACCOUNT_ISSUED') return false;
      const at = state.iso();
      const { payment } = stored;
      Object.assign(payment, { status: 'PAID', paidAt: at, updatedAt: at, statusChangedAt: at });
      payment.amount.paid = payment.amount.total;
      payment.pgTxId = `fake_${crypto.randomUUID()}`;
      payment.receiptUrl = `${RECEIPT_BASE}/${paymentId}`;
      return true;
    },
    setWebhookTarget: (target) => void (state.webhooks.target = target),
    webhooks: state.webhooks.deliveries,
    flushWebhooks: () => state.webhooks.flush(),
    addAccount: ({ bank, number, holderName }) => void state.accounts.set(accountKey(bank, number), holderName),
    inject: (fault) => state.faults.push(v.parse(FaultSchema, fault)),
    clearFaults: () => state.faults.clear(),
    heldLate: () => state.late.held(),
    settleLate: (which, how) => state.late.release(which, how),
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
