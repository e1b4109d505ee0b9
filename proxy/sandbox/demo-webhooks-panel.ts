/**
 * @module The demo page's merchant webhooks panel: the events the sandbox's receiver got (type, webhook-id, attempt,
 * signature verified or not, its answer), polled from GET /sandbox/webhooks, and controls that make the receiver
 * fail or answer slowly so a visitor sees the outbox retry. Rows are built with textContent: nothing received is
 * ever parsed as HTML.
 */
import { DELIVERY_TIMEOUT_MS } from '../webhooks/dispatcher.ts';
import type { SandboxWebhooks } from './webhook-routes.ts';

type Lang = 'ko' | 'en';
export type WebhookTarget = SandboxWebhooks['kind'];

/** The proxy's delivery timeout, which a late answer came after. */
const TIMEOUT_S = DELIVERY_TIMEOUT_MS / 1000;

const TEXT = {
  ko: {
    title: '가맹점 웹훅',
    receiver:
      '환불할 때마다 프록시가 서명한 이벤트를 가맹점 서버로 보내요. 여기서는 샌드박스 안의 수신기가 받아서 ' +
      'standardwebhooks 패키지로 서명을 확인해요. 실패한 전송은 조금 뒤에 같은 webhook-id로 다시 보내요.',
    merchant: '이벤트는 MERCHANT_WEBHOOK_URL로 가요. 샌드박스 수신기는 쓰지 않아요.',
    off: 'standardwebhooks 패키지가 설치되지 않아서 웹훅을 보내지 않아요. npm install 후 다시 시작해 주세요.',
    failLabel: '다음 전송 실패 (건수)',
    failButton: '실패시키기',
    slowLabel: '응답 지연 (ms, 최대 20000)',
    slowButton: '지연 적용',
    columns: ['받은 시각', '유형', 'webhook-id', '시도', '서명', '응답'],
    verified: '확인됨',
    notVerified: '확인 실패',
    empty: '아직 받은 이벤트가 없어요. 위의 주문을 환불해 보세요.',
    failing: '남은 실패',
    delay: '응답 지연',
    after: '지연',
    late: `늦음: 프록시는 ${TIMEOUT_S}초에 기다리기를 멈췄고, 실패로 보고 다시 보내요`,
    answering: '응답하는 중',
    failed: '적용하지 못했어요.',
  },
  en: {
    title: 'Merchant webhooks',
    receiver:
      "Each refund sends a signed event to the merchant's server. Here the sandbox's own receiver gets it and checks " +
      'the signature with the standardwebhooks package. A failed delivery is sent again a little later, with the ' +
      'same webhook-id.',
    merchant: "Events go to your MERCHANT_WEBHOOK_URL; the sandbox's receiver is not used.",
    off: 'The standardwebhooks package is not installed, so no webhooks are sent. Run npm install and start again.',
    failLabel: 'Fail the next deliveries (count)',
    failButton: 'Fail them',
    slowLabel: 'Answer slowly (ms, at most 20000)',
    slowButton: 'Set delay',
    columns: ['Received', 'Type', 'webhook-id', 'Attempt', 'Signature', 'Answer'],
    verified: 'verified',
    notVerified: 'NOT verified',
    empty: 'No events yet. Refund one of the orders above.',
    failing: 'failures left',
    delay: 'answer delay',
    after: 'after',
    late: `too late: the proxy stopped waiting at ${TIMEOUT_S} s, counts it as failed and sends it again`,
    answering: 'answering',
    failed: 'Could not apply it.',
  },
} as const;

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch);

/** JSON for a <script>: `<` escaped so no string can close the element. */
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

export const WEBHOOKS_PANEL_STYLE = `
  .webhooks__controls { display: flex; flex-wrap: wrap; gap: 12px 24px; margin: 8px 0; }
  .webhooks__controls > span { display: flex; gap: 8px; align-items: end; }
  .webhooks__controls label { display: grid; gap: 2px; font-size: .85rem; }
  .webhooks__controls input { font: inherit; width: 8em; }
  .webhooks__table-wrap { overflow-x: auto; }
  #webhook-table { border-collapse: collapse; font: 12px/1.4 ui-monospace, monospace; width: 100%; }
  #webhook-table th, #webhook-table td { text-align: left; padding: 2px 6px; white-space: nowrap; }
  #webhook-table .bad { color: #c2261c; font-weight: 600; }`;

const controls = (t: (typeof TEXT)[Lang]) => `
    <div class="webhooks__controls">
      <span><label>${escapeHtml(t.failLabel)}<input id="webhook-fail-next" type="number" min="0" max="100" value="3"></label>
      <button type="button" data-webhook-fail>${escapeHtml(t.failButton)}</button></span>
      <span><label>${escapeHtml(t.slowLabel)}<input id="webhook-delay" type="number" min="0" max="20000" step="1000" value="16000"></label>
      <button type="button" data-webhook-delay>${escapeHtml(t.slowButton)}</button></span>
    </div>
    <p id="webhook-settings" aria-live="polite"></p>
    <div class="webhooks__table-wrap"><table id="webhook-table">
      <thead><tr>${t.columns.map((c) => `<th scope="col">${escapeHtml(c)}</th>`).join('')}</tr></thead>
      <tbody></tbody>
    </table></div>`;

const SCRIPT = (t: (typeof TEXT)[Lang]) => `
<script type="module">
  const t = ${scriptJson({ verified: t.verified, notVerified: t.notVerified, empty: t.empty, failing: t.failing, delay: t.delay, after: t.after, late: t.late, answering: t.answering, failed: t.failed })};
  // The page's language, not the browser's: an English page with a Korean browser showed "오전 5:58:09".
  const timeOf = (iso) => new Date(iso).toLocaleTimeString(document.documentElement.lang === 'ko' ? 'ko-KR' : 'en-US');
  const body = document.querySelector('#webhook-table tbody');
  const settings = document.getElementById('webhook-settings');
  const cell = (row, text, bad) => {
    const td = row.insertCell();
    td.textContent = text;
    if (bad) td.className = 'bad';
    return td;
  };
  const show = (state) => {
    const s = state.settings;
    if (s) settings.textContent = t.failing + ': ' + s.fail_next + ' · ' + t.delay + ': ' + s.delay_ms + ' ms';
    body.replaceChildren();
    if (state.received.length === 0) {
      cell(body.insertRow(), t.empty).colSpan = 6;
      return;
    }
    for (const d of state.received) {
      const row = body.insertRow();
      cell(row, timeOf(d.received_at));
      cell(row, d.type ?? '?');
      cell(row, d.id ?? '?');
      cell(row, String(d.attempt));
      cell(row, d.verified ? t.verified : t.notVerified + (d.verify_error ? ' (' + d.verify_error + ')' : ''), !d.verified);
      // Held back (answer slowly): not answered yet, whatever it will say.
      if (d.answering) cell(row, t.answering + ' (' + d.delay_ms + ' ms)…');
      else cell(row, String(d.answered) + (d.delay_ms ? ' ' + t.after + ' ' + d.delay_ms + ' ms' : '') + (d.late ? ' (' + t.late + ')' : ''), d.answered >= 300 || d.late);
    }
  };
  const refresh = async () => {
    const res = await fetch('/sandbox/webhooks').catch(() => null);
    if (res?.ok) show(await res.json());
  };
  const configure = async (change) => {
    const res = await fetch('/sandbox/webhooks', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(change),
    }).catch(() => null);
    if (res?.ok) await refresh();
    else settings.textContent = t.failed + (res ? ' (HTTP ' + res.status + ')' : '');
  };
  const number = (id) => Number(document.getElementById(id).value);
  document.querySelector('[data-webhook-fail]').addEventListener('click', () => configure({ fail_next: number('webhook-fail-next') }));
  document.querySelector('[data-webhook-delay]').addEventListener('click', () => configure({ delay_ms: number('webhook-delay') }));
  await refresh();
  setInterval(refresh, 2000);
</script>`;

/** The panel's section, and its script when the receiver is on. */
export const webhooksPanel = (lang: Lang, target: WebhookTarget): string => {
  const t = TEXT[lang];
  return `
  <section class="panel webhooks" aria-labelledby="webhooks-title" data-webhooks="${target}">
    <h2 id="webhooks-title">${escapeHtml(t.title)}</h2>
    <p>${escapeHtml(t[target])}</p>${target === 'receiver' ? controls(t) : ''}
  </section>${target === 'receiver' ? SCRIPT(t) : ''}`;
};
