/**
 * @module The sandbox's staff page: `<refund-desk>` as a shop's admin page embeds it, with a staff grant the server
 * minted for this page load. Without an `endpoint` the console calls the origin its script came from: the proxy, which
 * serves this page too.
 */
import type { DemoLang } from './demo-page.ts';

/** The staff member every sandbox staff grant names: decisions are recorded as `staff:sandbox-staff`. */
export const SANDBOX_STAFF = 'sandbox-staff';

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch);

const TEXT = {
  ko: {
    title: '환불 관리 (직원 화면)',
    shop: '리틀 상점',
    back: '← 내 주문 (고객 화면)',
    note:
      "샌드박스의 직원 화면이에요. 고객이 '승인 후 환불' 주문에서 보낸 요청을 여기서 승인하거나 거절해요. " +
      '실제 상점에서는 관리자 로그인 뒤에 이 화면을 두고, 서버가 직원마다 짧게 쓰는 직원 권한을 발급해요.',
    who: `이 화면은 ${SANDBOX_STAFF} 직원으로 처리해요. 새로고침하면 권한을 새로 받아요.`,
    lang: 'English',
  },
  en: {
    title: 'Refunds (staff page)',
    shop: 'Little Shop',
    back: '← My orders (customer page)',
    note:
      "The sandbox's staff page: approve or reject here the requests customers send from the 'Refund after approval' " +
      'orders. In a real shop this page sits behind your admin sign-in, and your server mints a short-lived staff ' +
      'grant for each staff member.',
    who: `You act as the staff member ${SANDBOX_STAFF}. Reload the page for a fresh grant.`,
    lang: '한국어',
  },
} as const;

export interface DeskPageInput {
  readonly lang: DemoLang;
  /** A staff grant (role "staff", sub SANDBOX_STAFF), minted for this page load. */
  readonly token: string;
}

export const renderDeskPage = ({ lang, token }: DeskPageInput): string => {
  const t = TEXT[lang];
  const other: DemoLang = lang === 'ko' ? 'en' : 'ko';
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(t.title)} · ${escapeHtml(t.shop)}</title>
<script type="module" src="/refund-desk.js"></script>
<style>
  :root { color-scheme: light dark; font-family: system-ui, -apple-system, 'Apple SD Gothic Neo', 'Noto Sans KR', sans-serif; }
  body { margin: 0; background: Canvas; color: CanvasText; }
  header, main { max-width: 960px; margin: 0 auto; padding: 16px; }
  header { display: flex; align-items: center; justify-content: space-between; gap: 12px; flex-wrap: wrap; }
  header h1 { font-size: 1.4rem; margin: 0; }
  header, .banner { word-break: keep-all; overflow-wrap: break-word; }
  header nav { display: flex; gap: 16px; flex-wrap: wrap; }
  header nav a { white-space: nowrap; }
  .banner { background: #fff4d6; color: #5c4400; border-radius: 10px; padding: 10px 14px; font-size: .92rem; }
  .banner p { margin: 0; }
  .banner p + p { margin-top: 6px; }
  @media (prefers-color-scheme: dark) { .banner { background: #3d3210; color: #ffe7a3; } }
  refund-desk { display: block; margin-top: 16px; }
  a { color: inherit; }
</style>
</head>
<body>
<header>
  <h1>${escapeHtml(t.shop)} · ${escapeHtml(t.title)}</h1>
  <nav>
    <a href="/?lang=${lang}">${escapeHtml(t.back)}</a>
    <a href="/sandbox/desk?lang=${other}" hreflang="${other}" lang="${other}">${t.lang}</a>
  </nav>
</header>
<main>
  <div class="banner" role="note"><p>${escapeHtml(t.note)}</p><p>${escapeHtml(t.who)}</p></div>
  <refund-desk token="${escapeHtml(token)}" lang="${lang}"></refund-desk>
</main>
</body>
</html>`;
};
