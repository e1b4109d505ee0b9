/**
 * @module A stand-in for the refund proxy on the dev page: `window.fetch` answers for https://proxy.dev.invalid
 * from the scenario named by the merchant_uid, so every state of the widget can be reached without a server.
 */
import type { ErrorCode } from '../../shared/errors.ts';
import type { CancelSuccess } from '../../shared/schemas/answers.ts';
import type { RefundView } from '../../shared/schemas/refund-view.ts';

export const FAKE_ENDPOINT = 'https://proxy.dev.invalid';

/** What `POST /payments/cancel` answers: success, a PG that pays later, a proxy error code, or no answer. */
export type Outcome = 'success' | 'pending' | 'network' | ErrorCode;

const card: RefundView = {
  merchant_uid: 'card',
  name: '여름 린넨 셔츠 (L)',
  amount: 39000,
  cancel_amount: 9000,
  cancelable_amount: 30000,
  currency: 'KRW',
  pay_method: 'card',
  pg_provider: 'html5_inicis',
  status: 'paid',
  paid_at: 1_760_000_000,
  refundable: true,
  revocable: false,
  refund_account_required: false,
  refund_tel_required: false,
};

const banks = [
  { code: '004', name_ko: 'KB국민은행', name_en: 'KB Kookmin Bank' },
  { code: '088', name_ko: '신한은행', name_en: 'Shinhan Bank' },
  { code: '020', name_ko: '우리은행', name_en: 'Woori Bank' },
  { code: '081', name_ko: '하나은행', name_en: 'Hana Bank' },
  { code: '090', name_ko: '카카오뱅크', name_en: 'KakaoBank' },
  { code: '092', name_ko: '토스뱅크', name_en: 'Toss Bank' },
];

/** One payment per scenario; `loading` answers slowly, `load-network` and `load-UNAUTHORIZED` fail. */
export const SCENARIOS: Record<string, { label: string; view?: RefundView; load?: 'slow' | 'network' | ErrorCode }> = {
  card: { label: 'Card, partly refunded', view: card },
  vbank: {
    label: 'Virtual account (paid): refund account',
    view: { ...card, merchant_uid: 'vbank', pay_method: 'vbank', pg_provider: 'tosspayments', refund_account_required: true, banks },
  },
  'vbank-tel': {
    label: 'Virtual account, PG wants a phone number',
    view: { ...card, merchant_uid: 'vbank-tel', pay_method: 'vbank', pg_provider: 'smartro', refund_account_required: true, refund_tel_required: true, banks },
  },
  'vbank-ready': {
    label: 'Virtual account, not paid yet: revoke',
    view: { ...card, merchant_uid: 'vbank-ready', pay_method: 'vbank', status: 'ready', cancel_amount: 0, cancelable_amount: 39000, revocable: true },
  },
  'usd': {
    label: 'PayPal in USD',
    view: { ...card, merchant_uid: 'usd', name: 'Linen shirt', currency: 'USD', amount: 29.9, cancel_amount: 0, cancelable_amount: 29.9, pg_provider: 'paypal_v2' },
  },
  'fully-refunded': {
    label: 'Already fully refunded',
    view: { ...card, merchant_uid: 'fully-refunded', cancel_amount: 39000, cancelable_amount: 0, status: 'cancelled', refundable: false, reason: 'fully_refunded' },
  },
  'phone-old': {
    label: 'Phone payment from last month',
    view: { ...card, merchant_uid: 'phone-old', pay_method: 'phone', pg_provider: 'danal', cancel_amount: 0, cancelable_amount: 39000, refundable: false, reason: 'phone_previous_month' },
  },
  'not-paid': {
    label: 'Not paid',
    view: { ...card, merchant_uid: 'not-paid', status: 'failed', cancel_amount: 0, cancelable_amount: 0, refundable: false, reason: 'not_paid' },
  },
  loading: { label: 'Slow to load (3 s)', view: card, load: 'slow' },
  'load-network': { label: 'Load fails: no answer', load: 'network' },
  'load-UNAUTHORIZED': { label: 'Load fails: grant expired', load: 'UNAUTHORIZED' },
};

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Replaces `window.fetch` for the fake endpoint; `outcome()` says how the next refund ends. */
export function installFakeProxy(outcome: () => Outcome): void {
  const realFetch = window.fetch.bind(window);
  window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input));
    if (url.origin !== FAKE_ENDPOINT) return realFetch(input, init);
    await wait(500);
    if (url.pathname === '/payments/cancel') {
      const body = JSON.parse(String(init?.body)) as { merchant_uid: string; cancel_request_amount?: number };
      const view = SCENARIOS[body.merchant_uid]?.view ?? card;
      const result = outcome();
      if (result === 'network') throw new TypeError('Failed to fetch');
      if (result !== 'success' && result !== 'pending') {
        const extra = result === 'CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN' ? { cancelable_amount: view.cancelable_amount } : {};
        const headers: Record<string, string> = result === 'RATE_LIMITED' ? { 'Retry-After': '3' } : {};
        return json({ ok: false, error: { code: result, message: 'PG code F113: card issuer refused' }, ...extra }, 409, headers);
      }
      const refunded = view.revocable ? 0 : (body.cancel_request_amount ?? view.cancelable_amount);
      return json({
        ok: true,
        merchant_uid: view.merchant_uid,
        imp_uid: `imp_${view.merchant_uid}`,
        refunded,
        cancel_amount: view.cancel_amount + refunded,
        cancelable_amount: view.revocable ? 0 : view.cancelable_amount - refunded,
        status: 'cancelled',
        pay_method: view.pay_method,
        pending: result === 'pending' || (view.pay_method === 'vbank' && !view.revocable),
        revoked: view.revocable,
        receipt_url: 'https://example.com/receipt',
      } satisfies CancelSuccess);
    }
    const id = decodeURIComponent(url.pathname.replace('/payments/', ''));
    const scenario = SCENARIOS[id];
    if (!scenario) return json({ ok: false, error: { code: 'PAYMENT_NOT_FOUND', message: 'no such order' } }, 404);
    if (scenario.load === 'slow') await wait(3000);
    if (scenario.load === 'network') throw new TypeError('Failed to fetch');
    if (scenario.load && scenario.load !== 'slow') return json({ ok: false, error: { code: scenario.load, message: 'grant expired' } }, 401);
    return json(scenario.view);
  };
}
