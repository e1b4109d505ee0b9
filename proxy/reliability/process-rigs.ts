/**
 * @module A gateway's fake served on loopback for a proxy process to reach as it would the real one, with the live
 * environment pointing the proxy at it: i'mport V1 or PortOne V2, behind one shape, for the process tests.
 */

import { serveFake } from '../gateways/fake-kit/serve-node.ts';
import { createFakeIamport } from '../gateways/iamport/fake/fake-iamport.ts';
import { serveFakeIamport } from '../gateways/iamport/fake/serve-node.ts';
import { createFakePortOne } from '../gateways/portone/fake/fake-portone.ts';
import { DROP_HEADER } from '../gateways/portone/fake/traffic.ts';
import { signWebhook } from '../gateways/portone/fake/webhooks.ts';
import { type GatewayName, type Held, heldByIamport, heldByPortOne, impUidOf, seedIamport } from './gateways.ts';

export interface ProcessRig {
  /** The proxy's environment, but for REFUND_TOKEN_SECRET and DATA_DIR. */
  readonly env: Record<string, string>;
  addPayment(orderId: string, amount: number): void;
  held(orderId: string): Held;
  cancels(): number;
  /** The next cancel is applied at once and its answer held back `ms`. */
  holdNextCancel(ms: number): void;
  /** The gateway's webhook saying the order's payment was partly cancelled, sent to the proxy at `base`. */
  webhook(base: string, orderId: string): Promise<Response>;
  close(): Promise<void>;
}

const iamportRig = async (): Promise<ProcessRig> => {
  const fake = createFakeIamport();
  const served = await serveFakeIamport(fake);
  return {
    env: { IMP_KEY: 'test_imp_key', IMP_SECRET: 'test_imp_secret', IAMPORT_API_URL: served.url },
    addPayment: (orderId, amount) => void seedIamport(fake, orderId, amount),
    held: (orderId) => heldByIamport(fake, orderId),
    cancels: () => fake.count('cancel'),
    holdNextCancel: (ms) => fake.inject({ kind: 'hold_response', ms }),
    webhook: (base, orderId) =>
      fetch(`${base}/webhooks/iamport`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ imp_uid: impUidOf(orderId), merchant_uid: orderId, status: 'cancelled' }),
      }),
    close: () => served.close(),
  };
};

const PORTONE_WEBHOOK_SECRET = `whsec_${btoa('process-rig-portone-webhook-key!')}`;

const portoneRig = async (): Promise<ProcessRig> => {
  const fake = createFakePortOne();
  // A live proxy takes no payment of a TEST channel (only the sandbox does), and the fake seeds only those: served to
  // the process, its payments show a LIVE channel.
  const live = {
    fetch: async (request: Request, env: unknown): Promise<Response> => {
      const res = await fake.app.fetch(request, env);
      const lookup = request.method === 'GET' && /^\/payments\/[^/]+$/.test(new URL(request.url).pathname);
      if (!lookup || res.status !== 200) return res;
      const payment = (await res.json()) as { channel: { type: string } };
      payment.channel.type = 'LIVE';
      return Response.json(payment);
    },
  };
  const served = await serveFake({ app: live, dropHeader: DROP_HEADER });
  return {
    env: {
      PORTONE_API_SECRET: fake.apiSecret,
      PORTONE_WEBHOOK_SECRET,
      PORTONE_API_URL: served.url,
    },
    addPayment: (orderId, amount) => void fake.addPayment({ paymentId: orderId, total: amount }),
    held: (orderId) => heldByPortOne(fake, orderId),
    cancels: () => fake.count('cancel'),
    holdNextCancel: (ms) => fake.inject({ kind: 'hold_response', ms }),
    webhook: async (base, orderId) => {
      const body = JSON.stringify({ type: 'Transaction.PartialCancelled', data: { paymentId: orderId } });
      const id = `msg_${crypto.randomUUID()}`;
      const at = Math.floor(Date.now() / 1000);
      return fetch(`${base}/webhooks/portone`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': String(at),
          'webhook-signature': await signWebhook(PORTONE_WEBHOOK_SECRET, id, at, body),
        },
        body,
      });
    },
    close: () => served.close(),
  };
};

export const PROCESS_RIGS: readonly { name: GatewayName; label: string; start: () => Promise<ProcessRig> }[] = [
  { name: 'iamport', label: "i'mport V1", start: iamportRig },
  { name: 'portone', label: 'PortOne V2', start: portoneRig },
];
