/**
 * @module The sandbox's demo storefront: a "my orders" page with a <refund-button> on every order, and a panel that
 * makes the sandbox i'mport misbehave. Server-rendered; the grants are minted on the server as a shop's would be.
 */
import type { DemoGatewayName } from './demo-gateway.ts';
import { WEBHOOKS_PANEL_STYLE, type WebhookTarget, webhooksPanel } from './demo-webhooks-panel.ts';
import type { DemoOrder } from './seed.ts';

export type DemoLang = 'ko' | 'en';

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch);

const won = (amount: number, lang: DemoLang): string =>
  lang === 'ko' ? `${amount.toLocaleString('ko-KR')}원` : `₩${amount.toLocaleString('en-US')}`;

const TEXT = {
  ko: {
    title: '내 주문',
    shop: '리틀 상점',
    sandbox: {
      iamport: "샌드박스 모드예요. 실제 돈은 오가지 않아요. i'mport 대신 이 프로젝트의 가짜 i'mport(V1)가 응답해요.",
      portone: '샌드박스 모드예요. 실제 돈은 오가지 않아요. PortOne 대신 이 프로젝트의 가짜 PortOne V2가 응답해요.',
    },
    panel: '결제사 상황 바꾸기',
    panelHint: '다음 환불 요청 한 번에 적용돼요.',
    faults: [
      ['delay', '응답 3초 지연'],
      ['pg_refusal', 'PG사 환불 거절'],
      ['http_5xx', '결제사 서버 오류 (5xx)'],
      ['lose_response', '환불은 됐지만 응답 유실'],
    ],
    reset: '처음 상태로 되돌리기',
    queued: '다음 요청에 적용돼요:',
    failed: '적용하지 못했어요. 샌드박스가 실행 중인지 확인해 주세요.',
    events: '이벤트 기록',
    lang: 'English',
    approval: '승인 후 환불',
    desk: '직원 화면: 요청 승인·거절',
  },
  en: {
    title: 'My orders',
    shop: 'Little Shop',
    sandbox: {
      iamport: "Sandbox mode: no real money moves. The project's own fake i'mport (V1) answers instead of i'mport.",
      portone: "Sandbox mode: no real money moves. The project's own fake PortOne V2 answers instead of PortOne.",
    },
    panel: 'Make the payment provider misbehave',
    panelHint: 'Applies to the next refund request.',
    faults: [
      ['delay', 'Answer 3 s late'],
      ['pg_refusal', 'PG refuses the refund'],
      ['http_5xx', 'Provider server error (5xx)'],
      ['lose_response', 'Refund applied, answer lost'],
    ],
    reset: 'Reset the sandbox',
    queued: 'Queued for the next request:',
    failed: 'Could not apply it. Check that the sandbox is still running.',
    events: 'Event log',
    lang: '한국어',
    approval: 'Refund after approval',
    desk: 'Staff page: approve or reject requests',
  },
} as const;

// An inline icon (a return arrow on the widget's accent colour): no route of its own, and no favicon.ico 404.
const FAVICON = `data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32" viewBox="0 0 32 32">' +
    '<rect width="32" height="32" rx="7" fill="#2f62e9"/>' +
    '<path d="M12 8 6 14l6 6M6.5 14H19a6 6 0 0 1 0 12h-5" fill="none" stroke="#fff" stroke-width="3" ' +
    'stroke-linecap="round" stroke-linejoin="round"/></svg>',
)}`;

export interface DemoPageInput {
  readonly lang: DemoLang;
  readonly orders: ReadonlyArray<DemoOrder & { readonly grant: string }>;
  /** Where the merchant webhooks go (the panel that lists them); off unless given. */
  readonly webhooks?: WebhookTarget;
  /** The fake gateway that answers; i'mport V1's unless given. */
  readonly gateway?: DemoGatewayName;
}

export const renderDemoPage = ({ lang, orders, webhooks = 'off', gateway = 'iamport' }: DemoPageInput): string => {
  const t = TEXT[lang];
  const other: DemoLang = lang === 'ko' ? 'en' : 'ko';
  const cards = orders
    .map((o, i) => {
      const [scenarioKo, scenarioEn] = o.scenario;
      const [labelKo, labelEn] = o.pay_method_label;
      return `
      <li class="order" data-merchant-uid="${escapeHtml(o.merchant_uid)}">
        <div class="order__main">
          <p class="order__scenario">${i + 1}. ${escapeHtml(lang === 'ko' ? scenarioKo : scenarioEn)}</p>${
            o.mode === 'request'
              ? `\n          <p class="order__mode">${escapeHtml(t.approval)} · <a href="/sandbox/desk?lang=${lang}">${escapeHtml(t.desk)}</a></p>`
              : ''
          }
          <h2 class="order__name">${escapeHtml(o.name)}</h2>
          <p class="order__meta">${escapeHtml(lang === 'ko' ? labelKo : labelEn)} · ${won(o.amount, lang)} · <code>${escapeHtml(o.merchant_uid)}</code></p>
          <p class="order__status" aria-live="polite"></p>
        </div>
        <refund-button merchant-uid="${escapeHtml(o.merchant_uid)}" token="${escapeHtml(o.grant)}"></refund-button>
      </li>`;
    })
    .join('');
  const faultButtons = t.faults
    .map(([kind, label]) => `<button type="button" data-fault="${kind}">${escapeHtml(label)}</button>`)
    .join('');
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t.title} · ${t.shop}</title>
<link rel="icon" type="image/svg+xml" href="${FAVICON}">
<script type="module" src="/refund-button.js"></script>
<style>
  :root { color-scheme: light dark; font-family: system-ui, -apple-system, 'Apple SD Gothic Neo', 'Noto Sans KR', sans-serif; }
  body { margin: 0; background: Canvas; color: CanvasText; }
  header, main { max-width: 720px; margin: 0 auto; padding: 16px; }
  header { display: flex; align-items: center; justify-content: space-between; gap: 12px; flex-wrap: wrap; }
  header h1 { font-size: 1.4rem; margin: 0; }
  /* Korean wraps between words (a break inside one reads as two); a word longer than the line still wraps. */
  header, .banner, .order__main, .panel { word-break: keep-all; overflow-wrap: break-word; }
  header nav { display: flex; flex-wrap: wrap; gap: 4px 16px; justify-content: flex-end; }
  .lang-link, .desk-link { white-space: nowrap; }
  .order__mode { margin: 2px 0 0; font-size: .8rem; color: #8a4b00; }
  @media (prefers-color-scheme: dark) { .order__mode { color: #ffc97a; } }
  .banner { background: #fff4d6; color: #5c4400; border-radius: 10px; padding: 10px 14px; font-size: .92rem; }
  @media (prefers-color-scheme: dark) { .banner { background: #3d3210; color: #ffe7a3; } }
  ol.orders { list-style: none; padding: 0; margin: 16px 0; display: grid; gap: 12px; }
  .order { display: flex; align-items: center; justify-content: space-between; gap: 12px; flex-wrap: wrap;
           border: 1px solid color-mix(in srgb, CanvasText 15%, transparent); border-radius: 12px; padding: 14px 16px; }
  .order__main { min-width: 0; flex: 1 1 240px; }
  .order__scenario { margin: 0; font-size: .8rem; opacity: .7; }
  .order__name { margin: 2px 0; font-size: 1.05rem; }
  .order__meta { margin: 0; font-size: .9rem; opacity: .85; }
  .order__meta code { font-size: .78rem; }
  .order__status { margin: 4px 0 0; font-size: .9rem; color: #0a7a3d; }
  .order__status:empty { display: none; }
  section.panel { border: 1px dashed color-mix(in srgb, CanvasText 30%, transparent); border-radius: 12px; padding: 12px 16px; margin: 24px 0; }
  section.panel h2 { font-size: 1rem; margin: 0 0 4px; }
  .panel__buttons { display: flex; flex-wrap: wrap; gap: 8px; margin: 8px 0; }
  .panel button { font: inherit; padding: 6px 10px; border-radius: 8px; border: 1px solid color-mix(in srgb, CanvasText 25%, transparent); background: transparent; color: inherit; cursor: pointer; }
  #event-log { font: 12px/1.4 ui-monospace, monospace; max-height: 180px; overflow: auto; margin: 0; white-space: pre-wrap; }
  a { color: inherit; }${WEBHOOKS_PANEL_STYLE}
</style>
</head>
<body>
<header>
  <h1>${t.shop} · ${t.title}</h1>
  <nav>
    <a class="desk-link" href="/sandbox/desk?lang=${lang}">${escapeHtml(t.desk)}</a>
    <a class="lang-link" href="/?lang=${other}" hreflang="${other}" lang="${other}">${t.lang}</a>
  </nav>
</header>
<main>
  <p class="banner" role="note" data-gateway="${gateway}">${escapeHtml(t.sandbox[gateway])}</p>
  <ol class="orders">${cards}
  </ol>
  <section class="panel" aria-labelledby="panel-title">
    <h2 id="panel-title">${escapeHtml(t.panel)}</h2>
    <p>${escapeHtml(t.panelHint)}</p>
    <div class="panel__buttons">${faultButtons}<button type="button" data-reset>${escapeHtml(t.reset)}</button></div>
    <p id="fault-status" aria-live="polite"></p>
    <h2>${escapeHtml(t.events)}</h2>
    <pre id="event-log"></pre>
  </section>${webhooksPanel(lang, webhooks)}
</main>
<script type="module">
  const lang = ${JSON.stringify(lang)};
  const won = (n) => lang === 'ko' ? n.toLocaleString('ko-KR') + '원' : '₩' + n.toLocaleString('en-US');
  const log = document.getElementById('event-log');
  for (const name of ['refund-open', 'refund-start', 'refund-success', 'refund-requested', 'refund-request-withdrawn', 'refund-error', 'refund-close']) {
    document.addEventListener(name, (event) => {
      const order = event.target.closest('.order')?.dataset.merchantUid ?? '';
      log.textContent = new Date().toLocaleTimeString(lang === 'ko' ? 'ko-KR' : 'en-US') + ' ' + name + ' ' + order + (event.detail ? ' ' + JSON.stringify(event.detail) : '') + '\\n' + log.textContent;
      if (name === 'refund-success') {
        const d = event.detail;
        // An accepted refund (PortOne V2's REQUESTED) is not done yet: never shown as refunded.
        event.target.closest('.order').querySelector('.order__status').textContent = d.revoked
          ? (lang === 'ko' ? '가상계좌 발급이 취소되었어요' : 'Virtual account revoked')
          : d.accepted
          ? (lang === 'ko' ? won(d.refunded) + ' 환불 접수 · 결제사 처리 중' : won(d.refunded) + ' refund accepted · the provider is finishing it')
          : (lang === 'ko' ? won(d.refunded) + ' 환불 · 남은 금액 ' + won(d.cancelable_amount) : won(d.refunded) + ' refunded · ' + won(d.cancelable_amount) + ' left');
      }
    });
  }
  const status = document.getElementById('fault-status');
  const faults = { delay: { kind: 'delay', route: 'cancel', ms: 3000 }, pg_refusal: { kind: 'pg_refusal', message: '해당거래 취소실패(잔액부족)' },
                   http_5xx: { kind: 'http_5xx', route: 'cancel', status: 503 }, lose_response: { kind: 'lose_response' } };
  const failed = (code) => ${JSON.stringify(t.failed)} + (code ? ' (HTTP ' + code + ')' : '');
  const post = (path, body) =>
    fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  for (const button of document.querySelectorAll('[data-fault]')) {
    button.addEventListener('click', async () => {
      const res = await post('/sandbox/faults', faults[button.dataset.fault]).catch(() => null);
      status.textContent = res?.ok ? ${JSON.stringify(t.queued)} + ' ' + button.textContent : failed(res?.status);
    });
  }
  document.querySelector('[data-reset]').addEventListener('click', async () => {
    const res = await post('/sandbox/reset', {}).catch(() => null);
    if (res?.ok) location.reload();
    else status.textContent = failed(res?.status);
  });
</script>
</body>
</html>`;
};
