/**
 * @module What a part needs to know of one payment gateway to measure the proxy on it (GatewayProfile): its fake,
 * started in its own process and seeded with the benchmark's orders; the cancel the proxy's client sends, to send it
 * straight to the fake; the ledger's copy of an order; and how the proxy process is pointed at the fake. One profile
 * per gateway (gateway-iamport.ts, gateway-portone.ts), so a part is written once for both.
 */
import type { PaymentRecord } from '../../proxy/store/store.ts';
import { iamportProfile } from './gateway-iamport.ts';
import { portoneProfile } from './gateway-portone.ts';
import type { Answer, Exchange } from './load.ts';
import type { GatewayTarget } from './proxy-process.ts';

export type GatewayName = 'iamport' | 'portone';

/** Every gateway, in the order the parts run them (`--gateway` picks one). */
export const GATEWAYS: readonly GatewayName[] = ['iamport', 'portone'];

/** One fake gateway, running in its own process. */
export interface RunningFake {
  readonly url: string;
  /** Paid card orders `prefix-0 …`, one payment each, as in the ledger (ORDER_AMOUNT, not yet refunded). */
  seed(prefix: string, count: number): Promise<void>;
  /** What the proxy's client sends for the benchmark refund of order i, sent straight to the fake. */
  directCancel(prefix: string, i: number): Exchange;
  /** What the proxy process is given to reach this fake (the env a deployment would set, as options). */
  readonly proxyTarget: GatewayTarget;
  stop(): Promise<void>;
}

export interface GatewayProfile {
  readonly name: GatewayName;
  /** The straight request, for a table's notes. */
  readonly straightNote: string;
  /** The ledger's copy of order i, as the proxy would have stored it from this gateway's answer. */
  ledgerRecordOf(prefix: string, i: number): PaymentRecord;
  /** Null when the fake cancelled as asked, else why not. */
  cancelled(answer: Answer): string | null;
  start(): Promise<RunningFake>;
}

export const PROFILES: Readonly<Record<GatewayName, GatewayProfile>> = {
  iamport: iamportProfile,
  portone: portoneProfile,
};
