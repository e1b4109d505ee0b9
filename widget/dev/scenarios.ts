/**
 * @module The dev page's payments: the widget's fake proxy (refund-button/fake-proxy.ts, which its tests use too)
 * answers for https://proxy.dev.invalid from the scenario named by the merchant_uid, so every state of the widget can
 * be reached without a server.
 */
import type { ErrorCode } from '../../shared/errors.ts';
import type { RequestCreated, RequestView } from '../../shared/refund-requests.ts';
import type { CancelSuccess } from '../../shared/schemas/answers.ts';
import type { RefundView } from '../../shared/schemas/refund-view.ts';
import { type Answer, failure, installFakeProxy, json } from '../refund-button/fake-proxy.ts';

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
  payout_estimate: null,
};

const banks = [
  { code: '004', name_ko: 'KB국민은행', name_en: 'KB Kookmin Bank' },
  { code: '088', name_ko: '신한은행', name_en: 'Shinhan Bank' },
  { code: '020', name_ko: '우리은행', name_en: 'Woori Bank' },
  { code: '081', name_ko: '하나은행', name_en: 'Hana Bank' },
  { code: '090', name_ko: '카카오뱅크', name_en: 'KakaoBank' },
  { code: '092', name_ko: '토스뱅크', name_en: 'Toss Bank' },
];

/** A scenario: its label on the page, the payment, and how loading it goes (slowly, or failing). */
interface Scenario {
  readonly label: string;
  readonly view?: RefundView;
  readonly load?: 'slow' | 'network' | ErrorCode;
}

/** A payment like `card`, with these fields changed; `merchant_uid` names its scenario. */
const payment = (merchant_uid: string, fields: Partial<RefundView>): RefundView => ({
  ...card,
  merchant_uid,
  ...fields,
});

const vbank = { pay_method: 'vbank', refund_account_required: true, banks } as const;
/** shared/payout.ts's figures: most PGs pay out in 1–2 business days, Kiwoom Pay (daou) in 7 or more. */
const usual = { payout_estimate: { min_business_days: 1, max_business_days: 2 } } as const;
const unrefunded = { cancel_amount: 0, cancelable_amount: 39000 } as const;

/** A request-mode payment whose latest request is in `status` (null: none yet); `fields` change the request. */
const requesting = (
  merchant_uid: string,
  status: RequestView['status'] | null,
  fields: Partial<RequestView> = {},
  view: Partial<RefundView> = {},
): RefundView =>
  payment(merchant_uid, {
    request_mode: true,
    ...view,
    request: status && {
      id: `req_${merchant_uid}`,
      status,
      amount: 30000,
      reason: '상품 불량·파손',
      created_at: 1_764_730_000,
      decided_at: status === 'requested' ? null : 1_764_810_000,
      reject_reason: null,
      allow_new_request: status !== 'requested' && status !== 'approved',
      ...fields,
    },
  });

/** One payment per scenario; `loading` answers slowly, the `load-*` ones fail. */
export const SCENARIOS: Record<string, Scenario> = {
  card: { label: 'Card, partly refunded', view: card },
  vbank: {
    label: 'Virtual account (paid): refund account',
    view: payment('vbank', { ...vbank, ...usual, pg_provider: 'tosspayments' }),
  },
  'vbank-tel': {
    label: 'Virtual account, PG wants a phone number',
    view: payment('vbank-tel', { ...vbank, ...usual, pg_provider: 'smartro', refund_tel_required: true }),
  },
  'vbank-kiwoom': {
    label: 'Virtual account, Kiwoom Pay: paid out in 7+ business days',
    view: payment('vbank-kiwoom', {
      ...vbank,
      pg_provider: 'daou',
      payout_estimate: { min_business_days: 7, max_business_days: null },
    }),
  },
  'vbank-no-estimate': {
    label: 'Virtual account, PG with no published payout time',
    view: payment('vbank-no-estimate', { ...vbank, pg_provider: 'some_pg' }),
  },
  'vbank-ready': {
    label: 'Virtual account, not paid yet: revoke',
    view: payment('vbank-ready', { ...unrefunded, pay_method: 'vbank', status: 'ready', revocable: true }),
  },
  usd: {
    label: 'PayPal in USD',
    view: payment('usd', {
      name: 'Linen shirt',
      currency: 'USD',
      amount: 29.9,
      cancel_amount: 0,
      cancelable_amount: 29.9,
      pg_provider: 'paypal_v2',
    }),
  },
  'fully-refunded': {
    label: 'Already fully refunded',
    view: payment('fully-refunded', {
      cancel_amount: 39000,
      cancelable_amount: 0,
      status: 'cancelled',
      refundable: false,
      reason: 'fully_refunded',
    }),
  },
  'phone-old': {
    label: 'Phone payment from last month',
    view: payment('phone-old', {
      ...unrefunded,
      pay_method: 'phone',
      pg_provider: 'danal',
      refundable: false,
      reason: 'phone_previous_month',
    }),
  },
  'outcome-pending': {
    label: "A refund's outcome is being checked",
    view: payment('outcome-pending', { ...unrefunded, refundable: false, reason: 'OUTCOME_PENDING_CHECK' }),
  },
  'not-paid': {
    label: 'Not paid',
    view: payment('not-paid', {
      status: 'failed',
      cancel_amount: 0,
      cancelable_amount: 0,
      refundable: false,
      reason: 'not_paid',
    }),
  },
  request: { label: 'Request mode: the shop approves first', view: requesting('request', null) },
  'request-vbank': {
    label: 'Request mode, virtual account',
    view: requesting('request-vbank', null, {}, { ...vbank, ...usual, pg_provider: 'tosspayments' }),
  },
  'request-requested': {
    label: 'Request mode: requested (withdraw it)',
    view: requesting('request-requested', 'requested'),
  },
  'request-approved': {
    label: 'Request mode: approved, refund running',
    view: requesting('request-approved', 'approved'),
  },
  'request-refunded': {
    label: 'Request mode: refunded into a virtual account',
    view: requesting(
      'request-refunded',
      'refunded',
      {},
      { ...vbank, ...usual, cancel_amount: 39000, cancelable_amount: 0 },
    ),
  },
  'request-failed': { label: 'Request mode: approved, refund failed', view: requesting('request-failed', 'failed') },
  'request-rejected': {
    label: 'Request mode: rejected, may ask again',
    view: requesting('request-rejected', 'rejected', { reject_reason: '착용 흔적이 있어 환불이 어려워요.' }),
  },
  'request-rejected-final': {
    label: 'Request mode: rejected, no new request',
    view: requesting('request-rejected-final', 'rejected', {
      reject_reason: '주문 제작 상품은 환불할 수 없어요.',
      allow_new_request: false,
    }),
  },
  'request-withdrawn': {
    label: 'Request mode: withdrawn (the form again)',
    view: requesting('request-withdrawn', 'withdrawn'),
  },
  loading: { label: 'Slow to load (3 s)', view: card, load: 'slow' },
  'load-network': { label: 'Load fails: no answer', load: 'network' },
  'load-UNAUTHORIZED': { label: 'Load fails: grant refused (e.g. signed with another secret)', load: 'UNAUTHORIZED' },
  'load-PAYMENT_NOT_FOUND': { label: 'Load fails: no such payment', load: 'PAYMENT_NOT_FOUND' },
};

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The answer to `POST /payments/cancel` for a scenario's payment, ending as `outcome` says. */
function cancelAnswer(body: Record<string, unknown> | undefined, outcome: Outcome): Answer {
  const view = SCENARIOS[String(body?.merchant_uid)]?.view ?? card;
  if (outcome === 'network') return 'network';
  if (outcome !== 'success' && outcome !== 'pending') {
    const fresh = outcome === 'CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN';
    const extra = fresh ? { cancelable_amount: view.cancelable_amount } : {};
    const headers: Record<string, string> = outcome === 'RATE_LIMITED' ? { 'Retry-After': '3' } : {};
    return failure(outcome, 'PG code F113: card issuer refused', extra, headers);
  }
  const asked = body?.cancel_request_amount;
  const refunded = view.revocable ? 0 : typeof asked === 'number' ? asked : view.cancelable_amount;
  return json({
    ok: true,
    merchant_uid: view.merchant_uid,
    imp_uid: `imp_${view.merchant_uid}`,
    refunded,
    cancel_amount: view.cancel_amount + refunded,
    cancelable_amount: view.revocable ? 0 : view.cancelable_amount - refunded,
    status: 'cancelled',
    pay_method: view.pay_method,
    pending: outcome === 'pending' || (view.pay_method === 'vbank' && !view.revocable),
    revoked: view.revocable,
    receipt_url: 'https://example.com/receipt',
  } satisfies CancelSuccess);
}

/** The requests made and withdrawn on this page, by merchant_uid: a reopened dialog shows them until a reload. */
const requests = new Map<string, RequestView>();

/** The answer to `POST /refund-requests`, ending as `outcome` says; REFUND_REQUEST_OPEN leaves an open one behind. */
function requestAnswer(body: Record<string, unknown> | undefined, outcome: Outcome): Answer {
  const uid = String(body?.merchant_uid);
  const view = SCENARIOS[uid]?.view ?? card;
  const asked = body?.cancel_request_amount;
  const request = {
    id: `req_${uid}_${requests.size + 1}`,
    merchant_uid: uid,
    status: 'requested',
    amount: typeof asked === 'number' ? asked : view.cancelable_amount,
    reason: String(body?.reason),
    created_at: Math.floor(Date.now() / 1000),
  } as const;
  const open = { ...request, decided_at: null, reject_reason: null, allow_new_request: false };
  if (outcome === 'network') return 'network';
  if (outcome === 'success' || outcome === 'pending' || outcome === 'REFUND_REQUEST_OPEN') requests.set(uid, open);
  if (outcome === 'success' || outcome === 'pending') return json({ ok: true, request } satisfies RequestCreated, 201);
  return failure(outcome, `the proxy's ${outcome}`, outcome === 'REFUND_REQUEST_OPEN' ? { request: open } : {});
}

/** The answer to `POST /refund-requests/:id/withdraw`, ending as `outcome` says. */
function withdrawAnswer(url: string, outcome: Outcome): Answer {
  const id = decodeURIComponent(new URL(url).pathname.split('/')[2]!); // /refund-requests/:id/withdraw
  const [uid, request] = [
    ...requests,
    ...Object.entries(SCENARIOS).map(([k, s]) => [k, s.view?.request] as const),
  ].find(([, r]) => r?.id === id) ?? [undefined, undefined];
  if (!uid || !request) return failure('FORBIDDEN', 'no such request');
  if (outcome === 'network') return 'network';
  if (outcome !== 'success' && outcome !== 'pending') return failure(outcome, `the proxy's ${outcome}`);
  const withdrawn = {
    ...request,
    status: 'withdrawn',
    decided_at: Math.floor(Date.now() / 1000),
    allow_new_request: true,
  } as const;
  requests.set(uid, withdrawn);
  return json({ ok: true, request: withdrawn });
}

/** The answer to `GET /payments/:merchant_uid`: the scenario's payment, slowly or not at all as it says. */
async function viewAnswer(url: string): Promise<Response | 'network'> {
  const id = decodeURIComponent(new URL(url).pathname.replace('/payments/', ''));
  const scenario = SCENARIOS[id];
  if (!scenario) return failure('PAYMENT_NOT_FOUND', 'no such order');
  if (scenario.load === 'slow') await wait(3000);
  if (scenario.load === 'network') return 'network';
  if (scenario.load && scenario.load !== 'slow') return failure(scenario.load, `the proxy's ${scenario.load}`);
  const request = requests.get(id);
  return json(request ? { ...scenario.view, request } : scenario.view);
}

/**
 * Answers the fake endpoint from the scenarios, after half a second; `outcome()` says how the next refund, refund
 * request or withdrawal ends.
 */
export function installScenarios(outcome: () => Outcome): void {
  installFakeProxy(async ({ url, method, body }) => {
    await wait(500);
    if (method !== 'POST') return viewAnswer(url);
    if (url.endsWith('/withdraw')) return withdrawAnswer(url, outcome());
    // The holder check while typing: the bank knows 홍길동 as the holder of every account here.
    if (url.endsWith('/verify-account')) {
      const verified = body?.refund_holder === '홍길동';
      return verified ? json({ ok: true, holder_check: 'verified' }) : failure('REFUND_ACCOUNT_HOLDER_MISMATCH');
    }
    return url.endsWith('/refund-requests') ? requestAnswer(body, outcome()) : cancelAnswer(body, outcome());
  }, FAKE_ENDPOINT);
}
