/** @module What one fake i'mport remembers (clock, keys, payments, tokens, faults, call log); seeding and reset. */
import { createLateCancels, type LateCancels } from '../../fake-kit/late-cancels.ts';
import type { CancelRequest } from './cancel.ts';
import type { FakeRoute, FaultKind, FaultQueue } from './faults.ts';
import { createFaultQueue } from './faults.ts';
import type { FakePayment, FakePaymentInput } from './payment-schema.ts';
import { buildPayment, createPaymentBook, type PaymentBook } from './payments.ts';
import { createTokenIssuer, type TokenIssuer } from './tokens.ts';

export interface FakeIamportOptions {
  /** Epoch-ms clock, default Date.now; every time rule (tokens, paid_at, the phone month) reads it. */
  now?: () => number;
  /** Default 'test_imp_key'. */
  apiKey?: string;
  /** Default 'test_imp_secret'. */
  apiSecret?: string;
}

/** One request to an i'mport route, as the fake saw it. */
export interface FakeCall {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  readonly route: FakeRoute;
  /** Parsed JSON or form body (form values stay strings); undefined when there was none. */
  readonly body: unknown;
  /** HTTP status answered; 0 while pending or when the connection was dropped, 499 when the caller aborted. */
  readonly status: number;
  /** Epoch ms from the injected clock when the request arrived. */
  readonly at: number;
  /** The injected fault that shaped this request, if any. */
  readonly fault?: FaultKind;
}

/** A cancel i'mport answered code 0 that its PG has not approved yet: applied when it does, if the balance allows. */
export interface AwaitingApproval {
  readonly imp_uid: string;
  readonly amount: number;
  readonly request: CancelRequest;
  /** When i'mport took it (epoch ms). */
  readonly at: number;
}

export type LoggedCall = { -readonly [K in keyof FakeCall]: FakeCall[K] };

export interface FakeState {
  readonly now: () => number;
  /** The clock in UNIX seconds, as i'mport's "…_at" fields use it. */
  readonly nowSec: () => number;
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly payments: PaymentBook;
  readonly tokens: TokenIssuer;
  readonly faults: FaultQueue;
  /** Cancels an `apply_later` fault holds, by imp_uid. */
  readonly late: LateCancels;
  /**
   * Cancels i'mport took (code 0) on a payment whose PG approves later (PayPal, a Smartro virtual account), waiting for
   * the PG, oldest first; null while such PGs approve at once (the default).
   */
  awaitingApproval: AwaitingApproval[] | null;
  readonly calls: LoggedCall[];
  /** The log entry of each in-flight request, so a route can note the fault it applied. */
  readonly callOf: WeakMap<Request, LoggedCall>;
  /** The tax-free part of a payment, by imp_uid: i'mport keeps it but its Payment object does not show it. */
  readonly taxFree: Map<string, number>;
  /** Bank accounts `GET /vbanks/holder` knows: `bank_code:bank_num` to the holder's name. */
  readonly accounts: Map<string, string>;
  /** `GET /vbanks/holder` answers as a route i'mport no longer has (404 Not Found), as it does for many merchants. */
  holderLookupHidden: boolean;
}

export const createState = ({
  now = Date.now,
  apiKey = 'test_imp_key',
  apiSecret = 'test_imp_secret',
}: FakeIamportOptions): FakeState => {
  const nowSec = () => Math.floor(now() / 1000);
  return {
    now,
    nowSec,
    apiKey,
    apiSecret,
    payments: createPaymentBook(),
    tokens: createTokenIssuer(nowSec),
    faults: createFaultQueue(),
    late: createLateCancels(),
    awaitingApproval: null,
    calls: [],
    callOf: new WeakMap(),
    taxFree: new Map(),
    accounts: new Map(),
    holderLookupHidden: false,
  };
};

/** Builds and stores a payment (replacing one with the same imp_uid); returns the live stored object. */
export const seedPayment = (state: FakeState, input: FakePaymentInput): FakePayment => {
  const payment = buildPayment(input, state.nowSec());
  state.payments.put(payment);
  return payment;
};

export const noteFault = (state: FakeState, request: Request, fault: FaultKind): void => {
  const call = state.callOf.get(request);
  if (call) call.fault = fault;
};

/** Forgets payments, tokens, faults, accounts and the call log (the log array is emptied in place). */
export const resetState = (state: FakeState): void => {
  state.payments.clear();
  state.tokens.clear();
  state.faults.clear();
  state.calls.length = 0;
  state.taxFree.clear();
  state.accounts.clear();
  state.holderLookupHidden = false;
  state.awaitingApproval = null;
};

/** The key of an account in `state.accounts`. */
export const accountKey = (bankCode: string, bankNum: string): string => `${bankCode}:${bankNum}`;
