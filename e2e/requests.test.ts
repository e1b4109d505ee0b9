// End to end: request mode in the sandbox as `npm start` runs it. A customer asks on a "refund after approval" order,
// staff decide on /sandbox/desk (<refund-desk> with the page's staff grant) in a second tab, and the customer's dialog
// shows the outcome. In Korean and English, at 360 px and 1280 px, on both sandbox gateways (./gateways.ts: the
// approval orders are the same on both); screenshots in test-artifacts/e2e/request-*.png (portone-request-*.png).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { expectGateway, GATEWAYS } from './gateways.ts';
import { expectText, openShop, orderButton, productAndBrowser, type RunningProduct, screenshot } from './support.ts';

type Lang = 'ko' | 'en';
const PHONE = { width: 360, height: 740 };
const DESKTOP = { width: 1280, height: 900 };

/** The widget's words (widget/refund-button/strings.ts) and the console's (desk/refund-desk/strings.ts). */
const T = {
  button: { ko: '환불 요청', en: 'Request refund' },
  partial: { ko: '부분 환불', en: 'Partial refund' },
  amount: { ko: '환불 금액', en: 'Refund amount' },
  reason: { ko: '환불 사유', en: 'Reason' },
  changedMind: { ko: '단순 변심', en: 'Changed my mind' },
  damaged: { ko: '상품 불량·파손', en: 'Damaged or defective' },
  holder: { ko: '예금주', en: 'Account holder' },
  bank: { ko: '은행', en: 'Bank' },
  shinhan: { ko: '신한은행', en: 'Shinhan Bank' },
  account: { ko: '계좌번호', en: 'Account number' },
  next: { ko: '다음', en: 'Continue' },
  send: { ko: '요청하기', en: 'Send request' },
  requested: { ko: '요청이 접수되었어요', en: 'Request received' },
  reviewNote: { ko: '상점에서 확인한 뒤 환불해 드려요.', en: 'The shop will review it before refunding.' },
  ok: { ko: '확인', en: 'Done' },
  close: { ko: '닫기', en: 'Close' },
  done: { ko: '환불이 완료되었어요', en: 'Refund complete' },
  declined: { ko: '환불 요청이 거절되었어요', en: 'Your refund request was declined' },
  // The console's
  queue: { ko: '처리할 환불 요청', en: 'Refund requests to handle' },
  justNow: { ko: '지금', en: 'now' },
  open: { ko: '열기', en: 'Open' },
  approve: { ko: '승인', en: 'Approve' },
  doRefund: { ko: '환불하기', en: 'Refund' },
  reject: { ko: '거절', en: 'Reject' },
  rejectReason: { ko: '거절 사유', en: 'Reason for rejecting' },
  shipped: { ko: '이미 배송된 상품이에요', en: 'The item has already shipped' },
  doReject: { ko: '거절하기', en: 'Reject' },
  rejectedDone: { ko: '요청을 거절했어요.', en: 'The request was rejected.' },
} as const;

const won = (n: number, lang: Lang) =>
  lang === 'ko' ? `${n.toLocaleString('ko-KR')}원` : `₩${n.toLocaleString('en-US')}`;

/** The demo order's merchant_uid, by the end of it. */
const uidOf = async (page: Page, key: string): Promise<string> =>
  (await page.locator(`li.order[data-merchant-uid$="-${key}"]`).getAttribute('data-merchant-uid')) ?? '';

const openDialog = async (page: Page, key: string, lang: Lang): Promise<Locator> => {
  const rb = orderButton(page, key);
  await rb.getByRole('button', { name: T.button[lang], exact: true }).click();
  const dialog = rb.getByRole('dialog');
  await dialog.waitFor();
  return dialog;
};

/** The staff page in a second tab, on the queue, showing the request for `uid`; returns the page and its row. */
const openDesk = async (
  context: BrowserContext,
  product: RunningProduct,
  shop: Page,
  lang: Lang,
  uid: string,
): Promise<{ desk: Page; row: Locator }> => {
  // Where the shop's own link goes (it opens in the same tab; a second one shows both sides at once).
  const href = await shop.locator('header a.desk-link').getAttribute('href');
  assert.equal(href, `/sandbox/desk?lang=${lang}`);
  const desk = await context.newPage();
  await desk.goto(`${product.url}${href}`);
  const staff = desk.locator('refund-desk');
  await expectText(staff, T.queue[lang]);
  const row = staff.locator('li.row', { hasText: uid });
  await row.waitFor();
  return { desk, row };
};

const openRequest = async (row: Locator, lang: Lang, uid: string): Promise<void> => {
  await row.getByRole('button', { name: `${T.open[lang]}: ${uid}` }).click();
};

for (const gw of GATEWAYS) {
  describe(`on ${gw.name}`, () => {
    const run = productAndBrowser(gw.env);

    for (const lang of ['ko', 'en'] as const) {
      describe(`request mode end to end (${lang})`, () => {
        it('request → approve → refunded, at 1280 px', async () => {
          const { context, page } = await openShop(run.browser, run.product, { lang, viewport: DESKTOP });
          await expectGateway(page, gw, lang);
          const uid = await uidOf(page, 'card-approval');
          let dialog = await openDialog(page, 'card-approval', lang);
          await dialog.getByText(T.partial[lang]).click();
          await dialog.getByRole('textbox', { name: T.amount[lang] }).fill('30000');
          await dialog.getByLabel(T.reason[lang]).selectOption({ label: T.changedMind[lang] });
          await dialog.getByRole('button', { name: T.next[lang] }).click();
          await expectText(dialog, won(30000, lang));
          await dialog.getByRole('button', { name: T.send[lang] }).click();
          await expectText(dialog, T.requested[lang]);
          await expectText(dialog, T.reviewNote[lang]);
          await screenshot(page, gw.shot(`request-status-${lang}-desktop`));
          await dialog.getByRole('button', { name: T.ok[lang], exact: true }).click();

          const { desk, row } = await openDesk(context, run.product, page, lang, uid);
          await expectText(row, won(30000, lang));
          await expectText(row, T.changedMind[lang]);
          await expectText(row, T.justNow[lang]);
          await screenshot(desk, gw.shot(`staff-queue-${lang}-desktop`));
          await openRequest(row, lang, uid);
          const staff = desk.locator('refund-desk');
          await staff.getByRole('button', { name: T.approve[lang], exact: true }).click();
          await staff.locator('#approve-amount').waitFor();
          await staff.locator('form.approve-form').getByRole('button', { name: T.approve[lang], exact: true }).click();
          // The confirm step repeats the amount before anything moves.
          const confirm = staff.locator('[part="confirm"]');
          await expectText(confirm, won(30000, lang));
          await screenshot(desk, gw.shot(`staff-approve-confirm-${lang}-desktop`));
          await confirm.getByRole('button', { name: T.doRefund[lang], exact: true }).click();
          await expectText(staff, lang === 'ko' ? '30,000원 환불을 승인했어요.' : 'Approved a refund of ₩30,000.');
          await desk.close();

          await page.bringToFront();
          dialog = await openDialog(page, 'card-approval', lang);
          await expectText(dialog, T.done[lang]);
          await expectText(
            dialog,
            lang === 'ko' ? '30,000원 환불 · 남은 금액 34,000원' : '₩30,000 refunded · ₩34,000 left',
          );
          await screenshot(page, gw.shot(`request-refunded-${lang}-desktop`));
          await context.close();
        });

        it("request → reject: the customer sees the rejection and the shop's reason, at 360 px", async () => {
          const { context, page } = await openShop(run.browser, run.product, { lang, viewport: PHONE });
          await screenshot(page, gw.shot(`request-shop-top-${lang}-phone`)); // the header's link to the staff page, at 360 px
          const uid = await uidOf(page, 'vbank-approval');
          let dialog = await openDialog(page, 'vbank-approval', lang);
          await dialog.getByRole('textbox', { name: T.holder[lang] }).fill('홍길동');
          await dialog.getByLabel(T.bank[lang], { exact: true }).selectOption({ label: T.shinhan[lang] });
          await dialog.getByRole('textbox', { name: T.account[lang] }).fill('110-123-456789');
          await dialog.getByLabel(T.reason[lang]).selectOption({ label: T.damaged[lang] });
          await dialog.getByRole('button', { name: T.next[lang] }).click();
          await expectText(dialog, won(52000, lang));
          await dialog.getByRole('button', { name: T.send[lang] }).click();
          await expectText(dialog, T.requested[lang]);
          await screenshot(page, gw.shot(`request-status-${lang}-phone`));
          await dialog.getByRole('button', { name: T.ok[lang], exact: true }).click();

          const { desk, row } = await openDesk(context, run.product, page, lang, uid);
          await expectText(row, won(52000, lang));
          for (const shown of [page, desk]) {
            const wide = await shown.evaluate(() => document.documentElement.scrollWidth);
            assert.ok(wide <= PHONE.width, `${shown.url()} fits 360 px (${wide} px wide)`);
          }
          await screenshot(desk, gw.shot(`staff-queue-${lang}-phone`));
          await openRequest(row, lang, uid);
          const staff = desk.locator('refund-desk');
          await expectText(staff, '****6789'); // the masked account, never the full number
          await staff.getByRole('button', { name: T.reject[lang], exact: true }).click();
          const form = staff.locator('form.reject-form');
          await form.getByLabel(T.rejectReason[lang]).selectOption({ label: T.shipped[lang] });
          await form.getByRole('button', { name: T.doReject[lang], exact: true }).click();
          await expectText(staff, T.rejectedDone[lang]);
          await desk.close();

          await page.bringToFront();
          dialog = await openDialog(page, 'vbank-approval', lang);
          await expectText(dialog, T.declined[lang]);
          await expectText(dialog, T.shipped[lang]);
          await screenshot(page, gw.shot(`request-rejected-${lang}-phone`));
          await context.close();
        });
      });
    }
  });
}
