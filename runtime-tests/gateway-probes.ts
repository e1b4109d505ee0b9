/**
 * @module What the shared refund scenarios (refund-scenarios.ts) need of a fake gateway, for i'mport V1 and PortOne V2:
 * seed an order's payment, and read back what the fake saw and holds. Each gateway's own scenarios read its fake
 * directly; this is only the part the two have in common.
 */
import type { FakeIamport } from '../proxy/gateways/iamport/fake/fake-iamport.ts';
import type { FakePortOne, FakeV2PaymentInput } from '../proxy/gateways/portone/fake/fake-portone.ts';

export interface GatewayProbe {
  /** `gateway` in /health, and the key its base URL is shown under. */
  readonly name: 'iamport' | 'portone';
  /** Seeds a paid card payment; returns the view's fields that come from the gateway's own figures. */
  addCard(order: { readonly merchantUid: string; readonly amount: number; readonly name?: string }): {
    /** The gateway's id for the payment, as the view names it (i'mport's imp_uid; V2's payment id). */
    readonly imp_uid: string;
    readonly paid_at: number | null;
    readonly pg_provider: string;
    readonly cancelable_tax_free_amount: number | null;
  };
  /** Seeds a paid virtual account; returns a bank its refund may be paid into, in the gateway's codes. */
  addPaidVirtualAccount(order: { readonly merchantUid: string; readonly amount: number }): { readonly bank: string };
  /** What the fake holds as cancelled of the order's payment. */
  cancelled(merchantUid: string): number | undefined;
  /** Cancels the fake was asked for, in all. */
  cancels(): number;
  /**
   * The requests the fake got whose path names one order's payment (by the order or the gateway's id for it), as
   * `METHOD path` (an i'mport cancel names it in its body: count cancels() for those). Only these: the proxy may still
   * be reading other orders for earlier scenarios (V2 notifies of each cancel, and a notification met by a running
   * refund is judged after it, in the background).
   */
  requestsAbout(merchantUid: string): readonly string[];
  /** The refund account of the last cancel sent: holder, bank, number. */
  lastRefundAccount(): readonly [unknown, unknown, unknown];
}

export const iamportProbe = (fake: FakeIamport): GatewayProbe => {
  const impUids = new Map<string, string>();
  const add = (merchantUid: string, payment: { imp_uid: string }) => void impUids.set(merchantUid, payment.imp_uid);
  return {
    name: 'iamport',
    addCard: ({ merchantUid, amount, name }) => {
      const p = fake.addPayment({
        merchant_uid: merchantUid,
        amount,
        ...(name === undefined ? {} : { name }),
        pay_method: 'card',
        pg_provider: 'kcp',
      });
      add(merchantUid, p);
      return { imp_uid: p.imp_uid, paid_at: p.paid_at, pg_provider: 'kcp', cancelable_tax_free_amount: null };
    },
    addPaidVirtualAccount: ({ merchantUid, amount }) => {
      add(
        merchantUid,
        fake.addPayment({ merchant_uid: merchantUid, amount, pay_method: 'vbank', pg_provider: 'html5_inicis' }),
      );
      return { bank: '88' };
    },
    cancelled: (merchantUid) => fake.getPayment(impUids.get(merchantUid) ?? '')?.cancel_amount,
    cancels: () => fake.count('cancel'),
    requestsAbout: (merchantUid) => {
      const names = [merchantUid, impUids.get(merchantUid)].filter((n): n is string => n !== undefined);
      return fake.calls
        .filter((c) => names.some((n) => c.path.split('/').includes(n)))
        .map((c) => `${c.method} ${c.path}`);
    },
    lastRefundAccount: () => {
      const sent = fake.calls.filter((c) => c.route === 'cancel').at(-1)?.body as Record<string, unknown> | undefined;
      return [sent?.refund_holder, sent?.refund_bank, sent?.refund_account];
    },
  };
};

/** Seeds a V2 payment through a LIVE channel: the proxy runs live, where a TEST channel's payment is not one. */
export const addLivePayment = (fake: FakePortOne, input: FakeV2PaymentInput) =>
  fake.addPayment({ channelType: 'LIVE', ...input });

export const portOneProbe = (fake: FakePortOne): GatewayProbe => ({
  name: 'portone',
  addCard: ({ merchantUid, amount, name }) => {
    const p = addLivePayment(fake, {
      paymentId: merchantUid,
      total: amount,
      ...(name === undefined ? {} : { orderName: name }),
    });
    return {
      imp_uid: merchantUid,
      paid_at: p.paidAt === undefined ? null : Math.floor(Date.parse(p.paidAt) / 1000),
      pg_provider: 'TOSSPAYMENTS',
      cancelable_tax_free_amount: 0,
    };
  },
  addPaidVirtualAccount: ({ merchantUid, amount }) => {
    addLivePayment(fake, { paymentId: merchantUid, total: amount, method: 'virtual_account' });
    return { bank: 'SHINHAN' };
  },
  cancelled: (merchantUid) => fake.getPayment(merchantUid)?.amount.cancelled,
  cancels: () => fake.count('cancel'),
  requestsAbout: (merchantUid) =>
    fake.calls.filter((c) => c.path.split('/').includes(merchantUid)).map((c) => `${c.method} ${c.path}`),
  lastRefundAccount: () => {
    const sent = fake.calls.filter((c) => c.route === 'cancel').at(-1)?.body as
      | { refundAccount?: { holderName?: unknown; bank?: unknown; number?: unknown } }
      | undefined;
    return [sent?.refundAccount?.holderName, sent?.refundAccount?.bank, sent?.refundAccount?.number];
  },
});
