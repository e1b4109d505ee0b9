/**
 * @module The two sandboxes the end-to-end refund cases run on (`SANDBOX_GATEWAY=iamport` and `=portone`), and what
 * differs between them, so that each case is written once: which demo order plays which part (the V2 demo shop has no
 * phone or bank-transfer orders, and one paid virtual account), a bank's name in the form, what the demo page's banner
 * says, and the V2 fake's own controls for a cancel that PortOne accepts and finishes later (REQUESTED), which the
 * i'mport fake has no counterpart of. The faults the sandbox queues (`POST /sandbox/faults`) are the same on both.
 */

import type { Page } from 'playwright-core';
import type { FakeV2Payment } from '../proxy/gateways/portone/fake/fake-portone.ts';
import { expectText, type RunningProduct } from './support.ts';

export type GatewayName = 'iamport' | 'portone';

/** A demo order by the end of its merchant_uid, with what is left to refund on it when the sandbox is fresh. */
export interface OrderPart {
  readonly key: string;
  readonly refundable: number;
}

export interface GatewayProfile {
  readonly name: GatewayName;
  /** Added to the product's environment. */
  readonly env: Readonly<Record<string, string>>;
  /** The demo page banner's words naming the fake that answers, per language. */
  readonly banner: { readonly ko: string; readonly en: string };
  /** Screenshot names: i'mport's keep the names they had before V2 ran too. */
  shot(name: string): string;
  readonly orders: {
    /** A paid card order of 39,000원, nothing refunded. */
    readonly card: string;
    /** A paid KG Inicis virtual account of 45,000원 (payout in 1–2 business days). */
    readonly vbankInicis: string;
    /** Another paid virtual account (the phone-sized case). */
    readonly vbankOther: string;
    /** The order whose refund has its answer lost. */
    readonly lostAnswer: OrderPart;
    /** The order the panel's PG refusal is tried on. */
    readonly pgRefused: OrderPart;
    /** A phone payment of last month; null where the fake has no phone payments (V2). */
    readonly phoneLastMonth: string | null;
  };
  /** KB Kookmin Bank as the refund form names it (the gateways' bank tables name it differently). */
  readonly kookminLabel: string;
  /** Cancels the gateway accepts and finishes later (PortOne V2's REQUESTED); null where it has none (i'mport V1). */
  readonly laterCancels: LaterCancels | null;
}

export interface LaterCancels {
  /** From now until the next sandbox reset, every cancel is answered REQUESTED (accepted, not done). */
  acceptOnly(product: RunningProduct): Promise<void>;
  /** Finishes the order's REQUESTED cancellation as the PG would; on SUCCEEDED the gateway's webhook tells the proxy. */
  settle(product: RunningProduct, key: string, outcome: 'SUCCEEDED' | 'FAILED'): Promise<void>;
}

/** The fake PortOne V2's own URL, as the product's start-up banner prints it. */
const fakePortOneUrl = (product: RunningProduct): string => {
  const [, url] = product.output().match(/a built-in fake PortOne V2 answers on (http:\/\/[^\s)]+)/) ?? [];
  if (!url) throw new Error(`no fake PortOne V2 URL in:\n${product.output()}`);
  return url.replace(/\/$/, '');
};

/** A call to the fake PortOne V2's control routes (no auth: they are the fake's, not PortOne's). */
const fakeControl = async (product: RunningProduct, method: string, path: string, body?: unknown) => {
  const res = await fetch(`${fakePortOneUrl(product)}/__fake${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`the fake PortOne V2 refused ${method} ${path}: ${res.status} ${await res.text()}`);
  return res;
};

const IAMPORT: GatewayProfile = {
  name: 'iamport',
  env: { SANDBOX_GATEWAY: 'iamport' },
  banner: { ko: "가짜 i'mport(V1)가 응답해요", en: "fake i'mport (V1) answers" },
  shot: (name) => name,
  orders: {
    card: 'card',
    vbankInicis: 'vbank-inicis',
    vbankOther: 'vbank-kcp',
    lostAnswer: { key: 'phone-now', refundable: 9900 },
    pgRefused: { key: 'trans', refundable: 33000 },
    phoneLastMonth: 'phone-old',
  },
  kookminLabel: 'KB국민은행',
  laterCancels: null,
};

const PORTONE: GatewayProfile = {
  name: 'portone',
  env: { SANDBOX_GATEWAY: 'portone' },
  banner: { ko: '가짜 PortOne V2가 응답해요', en: 'fake PortOne V2 answers' },
  shot: (name) => `portone-${name}`,
  orders: {
    card: 'card',
    vbankInicis: 'vbank',
    vbankOther: 'vbank',
    lostAnswer: { key: 'partial', refundable: 40000 },
    pgRefused: { key: 'card', refundable: 39000 },
    phoneLastMonth: null,
  },
  kookminLabel: '국민은행',
  laterCancels: {
    // The fake's own control routes (fake-portone.ts, `/__fake/*`), on loopback: a sandbox reset undoes the setting.
    acceptOnly: async (product) => {
      await fakeControl(product, 'PATCH', '/settings', { cancelMode: 'REQUESTED' });
    },
    settle: async (product, key, outcome) => {
      const payments = (await (await fakeControl(product, 'GET', '/payments')).json()) as FakeV2Payment[];
      const payment = payments.find((p) => p.id.endsWith(`-${key}`));
      const requested = payment?.cancellations.find((c) => c.status === 'REQUESTED');
      if (!payment || !requested) throw new Error(`no REQUESTED cancellation on the ${key} order`);
      await fakeControl(product, 'POST', `/payments/${payment.id}/cancellations/${requested.id}/settle`, { outcome });
    },
  },
};

export const GATEWAYS: readonly GatewayProfile[] = [IAMPORT, PORTONE];

/** The demo page's banner names the fake that answers: the run is on the gateway it is meant to be on. */
export const expectGateway = async (page: Page, gateway: GatewayProfile, lang: 'ko' | 'en' = 'ko'): Promise<void> => {
  const banner = page.locator('.banner');
  await expectText(banner, gateway.banner[lang]);
  const named = await banner.getAttribute('data-gateway');
  if (named !== gateway.name) throw new Error(`the demo page runs on ${named}, not ${gateway.name}`);
};
