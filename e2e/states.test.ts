// End to end: the states issue 12 made true, on a 360 px phone in Korean and English, against the product as
// `npm start` runs it (sandbox). Each state is asserted on screen and saved as test-artifacts/e2e/state-*-{ko,en}.png
// (portone-state-*.png on PortOne V2). The refund cases run on both sandbox gateways (./gateways.ts); the grant and
// reachability cases, where the gateway plays no part, on the first one only.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { expectGateway, GATEWAYS } from './gateways.ts';
import {
  clearFaults,
  expectText,
  injectFault,
  openShop,
  orderButton,
  productAndBrowser,
  screenshot,
} from './support.ts';

type Lang = 'ko' | 'en';
const PHONE = { width: 360, height: 740 };

/** The widget's own words, per language (widget/refund-button/strings.ts). */
const T = {
  button: { ko: '환불 요청', en: 'Request refund' },
  reason: { ko: '환불 사유', en: 'Reason' },
  preset: { ko: '단순 변심', en: 'Changed my mind' },
  next: { ko: '다음', en: 'Continue' },
  refund: { ko: '환불하기', en: 'Refund' },
  checkAgain: { ko: '다시 확인', en: 'Check again' },
  close: { ko: '닫기', en: 'Close' },
  unknown: {
    ko: '환불 결과를 아직 확인하지 못했어요. 중복 환불은 되지 않으니',
    en: "We couldn't confirm the refund yet. You won't be refunded twice",
  },
  pendingCheck: { ko: '이 주문의 환불 결과를 확인하고 있어요.', en: "We're confirming this order's refund." },
  done: { ko: '환불이 완료되었어요', en: 'Refund complete' },
  accepted: { ko: '환불이 접수되었어요', en: 'Refund accepted' },
  /** Not the widget's: the demo page's line under the order (proxy/sandbox/demo-page.ts), for the card's 39,000원. */
  acceptedLine: {
    ko: '39,000원 환불 접수 · 결제사 처리 중',
    en: '₩39,000 refund accepted · the provider is finishing it',
  },
  acceptedDetail: {
    ko: '결제사에서 처리하고 있어요.',
    en: 'The payment provider is still processing it.',
  },
  pgRefusal: {
    ko: '상점에서 환불을 완료하지 못했어요. 상점에 문의해 주세요.',
    en: "The shop couldn't complete the refund. Please contact the shop.",
  },
  payout: { ko: '영업일 기준 1~2일 안에 입금돼요.', en: 'The money arrives within 1–2 business days.' },
  fullyRefunded: { ko: '이미 전액 환불된 주문이에요.', en: 'This order has already been fully refunded.' },
  contactShop: { ko: '도움이 필요하면 상점에 문의해 주세요.', en: 'If you need help, please contact the shop.' },
  refundable: { ko: '환불 가능 금액', en: 'Refundable' },
  expired: { ko: '이 화면이 오래되었어요. 새로고침해 주세요.', en: 'This page is out of date. Please reload it.' },
  refused: {
    ko: '지금은 환불을 진행할 수 없어요. 상점에 문의해 주세요.',
    en: "Refunds can't be made here right now. Please contact the shop.",
  },
  unreachable: {
    ko: '상점의 환불 서비스에 연결하지 못했어요.',
    en: "We couldn't reach the shop's refund service.",
  },
} as const;

const open = async (page: Page, key: string, lang: Lang): Promise<Locator> => {
  const rb = orderButton(page, key);
  await rb.getByRole('button', { name: T.button[lang] }).click();
  const dialog = rb.getByRole('dialog');
  await dialog.waitFor();
  return dialog;
};

/** Fills the form for a full refund with a preset reason and goes to the confirm step. */
const toConfirm = async (dialog: Locator, lang: Lang) => {
  await dialog.getByLabel(T.reason[lang]).selectOption({ label: T.preset[lang] });
  await dialog.getByRole('button', { name: T.next[lang] }).click();
};

/** A JWT whose payload says `exp`, signed with nothing the proxy knows. */
const forgedGrant = (sub: string, exp: number) => {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub, exp })}.${'A'.repeat(43)}`;
};

for (const gw of GATEWAYS) {
  describe(`on ${gw.name}`, () => {
    const run = productAndBrowser(gw.env);
    const { orders } = gw;

    for (const lang of ['ko', 'en'] as const) {
      describe(`issue 12's states at 360 px (${lang})`, () => {
        it('a cancel whose answer is lost while lookups fail: not known, said so; then checked and done, once', async () => {
          const { context, page } = await openShop(run.browser, run.product, { lang, viewport: PHONE });
          await expectGateway(page, gw, lang);
          const dialog = await open(page, orders.card, lang);
          await toConfirm(dialog, lang);
          await injectFault(run.product, { kind: 'lose_response' });
          await injectFault(run.product, { kind: 'http_5xx', route: 'payment', times: 1000 });
          await dialog.getByRole('button', { name: T.refund[lang] }).click();
          await expectText(dialog, T.unknown[lang]);
          assert.equal(await dialog.getByText(/nothing was refunded|환불하지 못했어요/).count(), 0);
          await screenshot(page, gw.shot(`state-outcome-unknown-${lang}`));

          // Reopened while the gateway still cannot be asked: no stale refundable amount, the check offered.
          await dialog.getByRole('button', { name: T.close[lang] }).first().click();
          const again = await open(page, orders.card, lang);
          await expectText(again, T.pendingCheck[lang]);
          assert.equal(await again.getByText(T.refundable[lang], { exact: true }).count(), 0);
          await screenshot(page, gw.shot(`state-outcome-pending-check-${lang}`));

          // The gateway answers again: checking settles it as the refund it was.
          await clearFaults(run.product);
          await again.getByRole('button', { name: T.checkAgain[lang] }).click();
          await expectText(again, T.fullyRefunded[lang]);
          await context.close();
        });

        it("a PG refusal: the shop's words and the next step, never the gateway's text", async () => {
          const { context, page } = await openShop(run.browser, run.product, { lang, viewport: PHONE });
          const raw = '결제취소에 실패하였습니다.(해당거래 취소실패(잔액부족)))';
          const dialog = await open(page, orders.card, lang);
          await toConfirm(dialog, lang);
          await injectFault(run.product, { kind: 'pg_refusal', message: raw });
          await dialog.getByRole('button', { name: T.refund[lang] }).click();
          await expectText(dialog, T.pgRefusal[lang]);
          assert.equal(await dialog.getByText('잔액부족').count(), 0, "the gateway's text is not on screen");
          await screenshot(page, gw.shot(`state-pg-refusal-${lang}`));
          await context.close();
        });

        it('a virtual-account refund says it is done and when the money arrives (KG Inicis: 1–2 business days)', async () => {
          const { context, page } = await openShop(run.browser, run.product, { lang, viewport: PHONE });
          const dialog = await open(page, orders.vbankInicis, lang);
          await dialog.locator('[name=holder]').fill('홍길동');
          await dialog.locator('[name=bank]').selectOption({ index: 1 });
          await dialog.locator('[name=account]').fill('110-123-456789');
          await toConfirm(dialog, lang);
          await dialog.getByRole('button', { name: T.refund[lang] }).click();
          await expectText(dialog, T.done[lang]);
          await expectText(dialog, T.payout[lang]);
          await screenshot(page, gw.shot(`state-vbank-payout-${lang}`));
          await context.close();
        });

        const later = gw.laterCancels;
        it('a refund the gateway only accepts (REQUESTED) is told as accepted, not complete', {
          skip: !later && "i'mport V1 has no such answer",
        }, async () => {
          const { context, page } = await openShop(run.browser, run.product, { lang, viewport: PHONE });
          await later?.acceptOnly(run.product);
          const dialog = await open(page, orders.card, lang);
          await toConfirm(dialog, lang);
          await dialog.getByRole('button', { name: T.refund[lang] }).click();
          await expectText(dialog, T.accepted[lang]);
          await expectText(dialog, T.acceptedDetail[lang]);
          assert.equal(await dialog.getByText(T.done[lang]).count(), 0);
          await expectText(
            page.locator(`li.order[data-merchant-uid$="-${orders.card}"] .order__status`),
            T.acceptedLine[lang],
          );
          await screenshot(page, gw.shot(`state-refund-accepted-${lang}`));
          await context.close();
        });

        const phoneOld = orders.phoneLastMonth;
        it("last month's phone payment shows no refundable amount, and what to do instead", {
          skip: !phoneOld && 'no phone payments',
        }, async () => {
          const { context, page } = await openShop(run.browser, run.product, { lang, viewport: PHONE });
          const dialog = await open(page, phoneOld ?? '', lang);
          await expectText(dialog, T.contactShop[lang]);
          assert.equal(await dialog.getByText(T.refundable[lang], { exact: true }).count(), 0);
          await screenshot(page, gw.shot(`state-not-refundable-${lang}`));
          await context.close();
        });

        // Grants and reachability: the gateway plays no part, so they run on the first gateway only.
        if (gw !== GATEWAYS[0]) return;

        it('an expired grant asks for a reload; a refused one sends the customer to the shop', async () => {
          const { context, page } = await openShop(run.browser, run.product, { lang, viewport: PHONE });
          const rb = orderButton(page, orders.card);
          const sub = (await rb.getAttribute('merchant-uid')) ?? '';
          const now = Math.floor(Date.now() / 1000);
          await rb.evaluate((el, token) => el.setAttribute('token', token), forgedGrant(sub, now - 60));
          let dialog = await open(page, orders.card, lang);
          await expectText(dialog, T.expired[lang]);
          await screenshot(page, gw.shot(`state-grant-expired-${lang}`));
          await dialog.getByRole('button', { name: T.close[lang] }).first().click();
          await rb.evaluate((el, token) => el.setAttribute('token', token), forgedGrant(sub, now + 600));
          dialog = await open(page, orders.card, lang);
          await expectText(dialog, T.refused[lang]);
          await screenshot(page, gw.shot(`state-grant-refused-${lang}`));
          await context.close();
        });

        it('a proxy the page cannot reach is named as such, and the developer gets one console.error', async () => {
          const { context, page } = await openShop(run.browser, run.product, { lang, viewport: PHONE });
          const errors: string[] = [];
          page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
          const rb = orderButton(page, orders.card);
          // Port 9 on loopback (discard): nothing listens, so the request fails before any HTTP answer.
          await rb.evaluate((el) => el.setAttribute('endpoint', 'http://127.0.0.1:9'));
          const dialog = await open(page, orders.card, lang);
          await expectText(dialog, T.unreachable[lang]);
          await screenshot(page, gw.shot(`state-unreachable-${lang}`));
          assert.equal(errors.filter((e) => e.includes('ALLOWED_ORIGINS')).length, 1, errors.join('\n'));
          await context.close();
        });
      });
    }
  });
}
