/** @module createFakeIamport(): a faithful fake of the i'mport (PortOne V1) REST API as a Hono app. */
import { Hono } from 'hono';
import * as v from 'valibot';
import { createInProcessFetch } from '../../fake-kit/in-process-fetch.ts';
import type { HeldCancel, LateOutcome } from '../../fake-kit/late-cancels.ts';
import { requireToken } from './auth.ts';
import { failure } from './envelope.ts';
import { type FakeRoute, type Fault, FaultSchema } from './faults.ts';
import type { FakePayment, FakePaymentInput } from './payment-schema.ts';
import { RECEIPT_BASE } from './payments.ts';
import { cancelRoutes, pgDecides } from './routes-cancel.ts';
import { controlRoutes } from './routes-control.ts';
import { holderRoutes } from './routes-holder.ts';
import { lookupRoutes } from './routes-lookups.ts';
import { tokenRoutes } from './routes-token.ts';
import { vbankRoutes } from './routes-vbanks.ts';
import { accountKey, createState, type FakeCall, type FakeIamportOptions, resetState, seedPayment } from './state.ts';
import { DROP_HEADER, traffic } from './traffic.ts';

export type { HeldCancel, LateOutcome } from '../../fake-kit/late-cancels.ts';
export type { FakeRoute, Fault } from './faults.ts';
export type { FakeCancelEntry, FakePayment, FakePaymentInput } from './payment-schema.ts';
export type { FakeCall, FakeIamportOptions } from './state.ts';

export interface FakeIamport {
  /** The HTTP surface: i'mport's routes plus the `/__fake/*` control routes. */
  readonly app: Hono;
  /** In-process fetch into `app`: any host works, drops reject with TypeError('fetch failed'), aborts are honoured. */
  readonly fetch: typeof fetch;
  /** Seeds a payment (replacing one with the same imp_uid) and returns a copy of what is stored. */
  addPayment(input: FakePaymentInput): FakePayment;
  /** A copy of the stored payment, whether or not it is a sandbox one. */
  getPayment(impUid: string): FakePayment | undefined;
  /** Queues a fault; several can be queued and each is used up in order. */
  inject(fault: Fault): void;
  clearFaults(): void;
  /** The cancels an `apply_later` fault holds (`payment`: the imp_uid), oldest first. */
  heldLate(): readonly HeldCancel[];
  /** Applies (or drops) the held cancels `which` picks, each as the PG finishing it now; how many there were. */
  settleLate(which: (cancel: HeldCancel) => boolean, how: LateOutcome): Promise<number>;
  /**
   * From now on, a cancel on a payment whose PG approves later (PayPal, a Smartro virtual account) is answered code 0
   * with the payment unchanged, and waits for `pgDecides`; until called, such PGs approve at once.
   */
  holdForApproval(): void;
  /** The cancels awaiting their PG's approval (`payment`: the imp_uid; `at`: when i'mport took it), oldest first. */
  awaitingApproval(): readonly HeldCancel[];
  /**
   * The PG approving (`true`: the payment shows it `cancelled` with its entry, if the balance still has its amount) or
   * refusing (nothing shows) the oldest cancel of `impUid` awaiting it; whether there was one.
   */
  pgDecides(impUid: string, approve: boolean): boolean;
  /** The customer's deposit lands on an unpaid virtual account (`ready`): it is `paid` from now on; whether it was ready. */
  deposit(impUid: string): boolean;
  /** Makes every issued token expire now, so the next API call gets 401. */
  expireTokens(): void;
  /** An account `GET /vbanks/holder` answers for: `bank` is the PG's bank code, as the proxy sends it. */
  addAccount(account: { readonly bank: string; readonly number: string; readonly holder: string }): void;
  /** Makes `GET /vbanks/holder` answer 404 Not Found as a route i'mport does not have (true), or answer again. */
  hideHolderLookup(hidden?: boolean): void;
  /** Forgets payments, tokens, faults, accounts and the call log. */
  reset(): void;
  /** Every request to an i'mport route, in arrival order (control routes are not logged). */
  readonly calls: ReadonlyArray<FakeCall>;
  /** Requests that hit a route; 'any' counts them all. */
  count(route: FakeRoute): number;
  /** Makes `amount` of a payment tax-free, as a checkout with `tax_free` would (not shown in its Payment object). */
  setTaxFree(impUid: string, amount: number): void;
}

export function createFakeIamport(options: FakeIamportOptions = {}): FakeIamport {
  const state = createState(options);
  const app = new Hono();
  app.route('/__fake', controlRoutes(state));
  app.use(traffic(state));
  app.use('/payments/*', requireToken(state.tokens));
  app.use('/vbanks/*', requireToken(state.tokens));
  app.route('/', tokenRoutes(state));
  app.route('/', cancelRoutes(state));
  app.route('/', lookupRoutes(state));
  // Before the revoke's `/vbanks/:imp_uid`, which takes no GET, so the order is for the reader only.
  app.route('/', holderRoutes(state));
  app.route('/', vbankRoutes(state));
  app.notFound((c) => failure(c, 404, 'Not Found'));

  return {
    app,
    fetch: createInProcessFetch(app, DROP_HEADER, 'http://fake-iamport.test'),
    addPayment: (input) => structuredClone(seedPayment(state, input)),
    getPayment: (impUid) => {
      const payment = state.payments.get(impUid);
      return payment && structuredClone(payment);
    },
    inject: (fault) => state.faults.push(v.parse(FaultSchema, fault)),
    clearFaults: () => state.faults.clear(),
    heldLate: () => state.late.held(),
    settleLate: (which, how) => state.late.release(which, how),
    holdForApproval: () => {
      state.awaitingApproval ??= [];
    },
    awaitingApproval: () => (state.awaitingApproval ?? []).map((x) => ({ payment: x.imp_uid, at: x.at })),
    pgDecides: (impUid, approve) => pgDecides(state, impUid, approve),
    deposit: (impUid) => {
      const payment = state.payments.get(impUid);
      if (payment?.status !== 'ready') return false;
      Object.assign(payment, { status: 'paid', paid_at: state.nowSec(), receipt_url: `${RECEIPT_BASE}/${impUid}` });
      payment.deposit_history.push({
        pg_tid: payment.pg_tid ?? '',
        amount: payment.amount,
        depositor_name: '홍길동',
        deposited_at: state.nowSec(),
      });
      return true;
    },
    addAccount: ({ bank, number, holder }) => void state.accounts.set(accountKey(bank, number), holder),
    hideHolderLookup: (hidden = true) => {
      state.holderLookupHidden = hidden;
    },
    expireTokens: () => state.tokens.expireAll(),
    reset: () => resetState(state),
    get calls() {
      return state.calls;
    },
    count: (route) => state.calls.filter((call) => route === 'any' || call.route === route).length,
    setTaxFree: (impUid, amount) => void state.taxFree.set(impUid, amount),
  };
}
