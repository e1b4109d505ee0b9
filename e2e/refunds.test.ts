// End to end: the product as `npm start` runs it (sandbox), a customer in real headless Chromium, every case, on
// each gateway the sandbox can run (i'mport V1, PortOne V2): the same cases, the differences in ./gateways.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { expectGateway, GATEWAYS } from './gateways.ts';
import { expectText, injectFault, openShop, orderButton, productAndBrowser, screenshot } from './support.ts';

const won = (amount: number) => `${amount.toLocaleString('ko-KR')}원`;

const open = async (page: Page, key: string): Promise<{ rb: Locator; dialog: Locator }> => {
  const rb = orderButton(page, key);
  await rb.getByRole('button', { name: '환불 요청' }).click();
  const dialog = rb.getByRole('dialog');
  await dialog.waitFor();
  return { rb, dialog };
};

for (const gw of GATEWAYS) {
  describe(`refunds in the browser, against the sandbox on ${gw.name}`, () => {
    const run = productAndBrowser(gw.env);
    const { orders } = gw;

    it('a full card refund', async () => {
      const { context, page } = await openShop(run.browser, run.product);
      await expectGateway(page, gw);
      const { dialog } = await open(page, orders.card);
      await expectText(dialog, '39,000원');
      await dialog.getByLabel('환불 사유').selectOption({ label: '단순 변심' });
      await dialog.getByRole('button', { name: '다음' }).click();
      await expectText(dialog, '39,000원을 환불할까요?');
      await expectText(dialog, '환불한 뒤에는 되돌릴 수 없어요.');
      await dialog.getByRole('button', { name: '환불하기' }).click();
      await expectText(dialog, '환불이 완료되었어요');
      await expectText(dialog, '39,000원 환불 · 남은 금액 0원');
      await screenshot(page, gw.shot('full-card-refund'));
      await dialog.getByRole('button', { name: '확인' }).click();
      await expectText(page.locator(`li.order[data-merchant-uid$="-${orders.card}"] .order__status`), '남은 금액 0원');
      await context.close();
    });

    it('a partial refund, then the rest', async () => {
      const { context, page } = await openShop(run.browser, run.product);
      let { dialog } = await open(page, orders.card);
      await dialog.getByText('부분 환불').click();
      await dialog.getByRole('textbox', { name: '환불 금액' }).fill('10000');
      await dialog.getByLabel('환불 사유').selectOption({ label: '배송 지연' });
      await dialog.getByRole('button', { name: '다음' }).click();
      await expectText(dialog, '10,000원을 환불할까요?');
      await dialog.getByRole('button', { name: '환불하기' }).click();
      await expectText(dialog, '10,000원 환불 · 남은 금액 29,000원');
      await screenshot(page, gw.shot('partial-refund'));
      await dialog.getByRole('button', { name: '확인' }).click();

      ({ dialog } = await open(page, orders.card));
      await expectText(dialog, '환불 가능 금액');
      await expectText(dialog, '29,000원');
      await dialog.getByLabel('환불 사유').selectOption({ label: '단순 변심' });
      await dialog.getByRole('button', { name: '다음' }).click();
      await expectText(dialog, '29,000원을 환불할까요?');
      await dialog.getByRole('button', { name: '환불하기' }).click();
      await expectText(dialog, '29,000원 환불 · 남은 금액 0원');
      await screenshot(page, gw.shot('partial-refund-then-rest'));
      await context.close();
    });

    it("a virtual-account refund into the customer's account, with its validation errors first", async () => {
      const { context, page } = await openShop(run.browser, run.product);
      const { dialog } = await open(page, orders.vbankInicis);
      await expectText(dialog, '환불받을 계좌');
      await dialog.getByRole('button', { name: '다음' }).click();
      for (const error of [
        '환불 사유를 선택해 주세요.',
        '예금주 이름을 입력해 주세요.',
        '은행을 선택해 주세요.',
        '계좌번호를 숫자로 정확히 입력해 주세요.',
      ]) {
        await expectText(dialog, error);
      }
      assert.equal(await dialog.getByRole('textbox', { name: '예금주' }).getAttribute('aria-invalid'), 'true');
      await dialog.getByRole('textbox', { name: '계좌번호' }).fill('12가');
      await dialog.getByRole('textbox', { name: '예금주' }).fill('홍길동');
      await screenshot(page, gw.shot('vbank-validation-errors'));
      await dialog.getByLabel('은행').selectOption({ label: '신한은행' });
      await dialog.getByRole('textbox', { name: '계좌번호' }).fill('110-123-456789');
      await dialog.getByLabel('환불 사유').selectOption({ label: '상품 불량·파손' });
      await dialog.getByRole('button', { name: '다음' }).click();
      await expectText(dialog, '45,000원을 환불할까요?');
      await expectText(dialog, '신한은행 ****6789 (예금주 홍길동) 계좌로 환불돼요.');
      // KG Inicis, from the view's payout_estimate
      await expectText(dialog, '영업일 기준 1~2일 안에 입금돼요.');
      await screenshot(page, gw.shot('vbank-confirm'));
      await dialog.getByRole('button', { name: '환불하기' }).click();
      await expectText(dialog, '환불이 완료되었어요');
      await expectText(dialog, '영업일 기준 1~2일 안에 입금돼요.');
      await screenshot(page, gw.shot('vbank-refund-requested'));
      await context.close();
    });

    it('an unpaid virtual account is revoked, with no account asked', async () => {
      const { context, page } = await openShop(run.browser, run.product);
      const { dialog } = await open(page, 'vbank-ready');
      await expectText(dialog, '아직 입금되지 않은 가상계좌예요.');
      assert.equal(await dialog.getByRole('textbox', { name: '계좌번호' }).count(), 0);
      await dialog.getByLabel('환불 사유').selectOption({ label: '주문 실수' });
      await dialog.getByRole('button', { name: '다음' }).click();
      await expectText(dialog, '가상계좌를 취소할까요?');
      await dialog.getByRole('button', { name: '취소하기' }).click();
      await expectText(dialog, '가상계좌가 취소되었어요');
      await screenshot(page, gw.shot('vbank-revoked'));
      await context.close();
    });

    it('an order already refunded in full says so, with no form', async () => {
      const { context, page } = await openShop(run.browser, run.product);
      const { dialog } = await open(page, 'refunded');
      await expectText(dialog, '이미 전액 환불된 주문이에요.');
      assert.equal(await dialog.getByRole('button', { name: '다음' }).count(), 0);
      await screenshot(page, gw.shot('already-refunded'));
      await context.close();
    });

    const phoneOld = orders.phoneLastMonth;
    it("last month's phone payment is refused with its reason", {
      skip: !phoneOld && 'no phone payments',
    }, async () => {
      const { context, page } = await openShop(run.browser, run.product);
      const { dialog } = await open(page, phoneOld ?? '');
      await expectText(dialog, '휴대폰 결제는 결제한 달에만 환불할 수 있어요.');
      assert.equal(await dialog.getByRole('button', { name: '다음' }).count(), 0);
      await screenshot(page, gw.shot('phone-last-month'));
      await context.close();
    });

    it("a PG refusal (set from the demo page's panel) is told in the customer's words, and nothing is refunded", async () => {
      const { context, page } = await openShop(run.browser, run.product);
      await page.getByRole('button', { name: 'PG사 환불 거절' }).click();
      await expectText(page.locator('#fault-status'), 'PG사 환불 거절');
      const { dialog } = await open(page, orders.pgRefused.key);
      await dialog.getByLabel('환불 사유').selectOption({ label: '단순 변심' });
      await dialog.getByRole('button', { name: '다음' }).click();
      await dialog.getByRole('button', { name: '환불하기' }).click();
      await expectText(dialog, '상점에서 환불을 완료하지 못했어요. 상점에 문의해 주세요.');
      assert.equal(await dialog.getByText('잔액부족').count(), 0, "the gateway's own text stays off the screen");
      await screenshot(page, gw.shot('pg-refusal'));
      await dialog.getByRole('button', { name: '닫기' }).first().click();
      const { dialog: again } = await open(page, orders.pgRefused.key);
      await expectText(again, '환불 가능 금액');
      // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText(), the text as rendered.
      const summary = (await again.locator('[part=summary]').innerText()).replace(/\s+/g, '');
      const refundable = won(orders.pgRefused.refundable);
      assert.ok(summary.includes(`환불된금액0원환불가능금액${refundable}`), `nothing was refunded: ${summary}`);
      await context.close();
    });

    it('a cancel applied at the gateway whose answer was lost is reported as done, once', async () => {
      const { context, page } = await openShop(run.browser, run.product);
      await injectFault(run.product, { kind: 'lose_response' });
      const { dialog } = await open(page, orders.lostAnswer.key);
      await dialog.getByLabel('환불 사유').selectOption({ label: '단순 변심' });
      await dialog.getByRole('button', { name: '다음' }).click();
      await dialog.getByRole('button', { name: '환불하기' }).click();
      await expectText(dialog, `${won(orders.lostAnswer.refundable)} 환불 · 남은 금액 0원`);
      await context.close();
    });

    const later = gw.laterCancels;
    const noLater = { skip: !later && "i'mport V1 has no cancel it accepts and finishes later" };
    /** The card refunded in full, answered REQUESTED: the dialog and the page say accepted; reopened, it is checked. */
    const acceptedCardRefund = async (page: Page): Promise<Locator> => {
      await later?.acceptOnly(run.product);
      let { dialog } = await open(page, orders.card);
      await dialog.getByLabel('환불 사유').selectOption({ label: '단순 변심' });
      await dialog.getByRole('button', { name: '다음' }).click();
      await dialog.getByRole('button', { name: '환불하기' }).click();
      await expectText(dialog, '환불이 접수되었어요');
      await expectText(dialog, '결제사에서 처리하고 있어요.');
      assert.equal(await dialog.getByText('환불이 완료되었어요').count(), 0, 'not said to be complete');
      await screenshot(page, gw.shot('refund-accepted'));
      await dialog.getByRole('button', { name: '확인' }).click();
      // The demo page's own line under the order says so too, never that it was refunded.
      const status = page.locator(`li.order[data-merchant-uid$="-${orders.card}"] .order__status`);
      await expectText(status, '39,000원 환불 접수 · 결제사 처리 중');
      assert.equal(await status.getByText('남은 금액').count(), 0, 'not shown as refunded');
      ({ dialog } = await open(page, orders.card));
      await expectText(dialog, '이 주문의 환불 결과를 확인하고 있어요.');
      const offered = await dialog.getByText('환불 가능 금액', { exact: true }).count();
      assert.equal(offered, 0, 'no refundable amount offered');
      return dialog;
    };

    it(
      'a cancel the gateway only accepts (REQUESTED) is told as accepted; once the PG finishes it, it is refunded',
      noLater,
      async () => {
        const { context, page } = await openShop(run.browser, run.product);
        const dialog = await acceptedCardRefund(page);
        await later?.settle(run.product, orders.card, 'SUCCEEDED');
        await dialog.getByRole('button', { name: '다시 확인' }).click();
        await expectText(dialog, '이미 전액 환불된 주문이에요.');
        await context.close();
      },
    );

    it(
      'a cancel the gateway accepted and the PG then failed leaves the order refundable in full again',
      noLater,
      async () => {
        const { context, page } = await openShop(run.browser, run.product);
        const dialog = await acceptedCardRefund(page);
        await later?.settle(run.product, orders.card, 'FAILED');
        await dialog.getByRole('button', { name: '다시 확인' }).click();
        await expectText(dialog, '환불 가능 금액');
        // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText(), the text as rendered.
        const summary = (await dialog.locator('[part=summary]').innerText()).replace(/\s+/g, '');
        assert.ok(summary.includes('환불된금액0원환불가능금액39,000원'), `nothing was refunded: ${summary}`);
        await context.close();
      },
    );

    it('a whole refund by keyboard alone', async () => {
      const { context, page } = await openShop(run.browser, run.product);
      /** Presses Tab until the focused element (through shadow roots) has this text or label. */
      const tabTo = async (name: string) => {
        for (let i = 0; i < 30; i++) {
          const focused = await page.evaluate(() => {
            let el = document.activeElement;
            while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
            return (el?.getAttribute('aria-label') ?? el?.textContent ?? '').trim();
          });
          if (focused === name) return;
          await page.keyboard.press('Tab');
        }
        assert.fail(`could not reach "${name}" with Tab`);
      };
      await tabTo('환불 요청');
      await page.keyboard.press('Enter');
      const dialog = orderButton(page, orders.card).getByRole('dialog');
      await expectText(dialog, '환불 가능 금액');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      const reason = dialog.getByLabel('환불 사유');
      for (
        let i = 0;
        i < 5 &&
        !(
          (await reason.evaluate(
            (el) => el === (el.getRootNode() as ShadowRoot).activeElement,
          )) /* the select lives in the widget's shadow root */
        );
        i++
      )
        await page.keyboard.press('Tab');
      await page.keyboard.press('ArrowDown');
      await tabTo('다음');
      await page.keyboard.press('Enter');
      await expectText(dialog, '39,000원을 환불할까요?');
      await tabTo('환불하기');
      await page.keyboard.press('Enter');
      await expectText(dialog, '환불이 완료되었어요');
      await screenshot(page, gw.shot('keyboard-refund'));
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      const focusedIsButton = await page.evaluate(() => {
        const host = document.activeElement;
        return host?.tagName === 'REFUND-BUTTON' && host.shadowRoot?.activeElement?.getAttribute('part') === 'button';
      });
      assert.ok(focusedIsButton, 'focus went back to the button');
      await context.close();
    });

    it('on a 360 px phone the dialog fits the screen and the refund works', async () => {
      const { context, page } = await openShop(run.browser, run.product, { viewport: { width: 360, height: 740 } });
      const { dialog } = await open(page, orders.vbankOther);
      const box = await dialog.boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 360, `dialog within the screen: ${JSON.stringify(box)}`);
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 360), 'no sideways scrolling');
      await dialog.getByRole('textbox', { name: '예금주' }).fill('김철수');
      await dialog.getByLabel('은행').selectOption({ label: gw.kookminLabel });
      await dialog.getByRole('textbox', { name: '계좌번호' }).fill('123456789012');
      await dialog.getByLabel('환불 사유').selectOption({ label: '단순 변심' });
      await screenshot(page, gw.shot('phone-360-form'));
      await dialog.getByRole('button', { name: '다음' }).click();
      await dialog.getByRole('button', { name: '환불하기' }).click();
      await expectText(dialog, '환불이 완료되었어요');
      await screenshot(page, gw.shot('phone-360-done'));
      await context.close();
    });

    it('the shop in English shows the dialog in English with ₩ amounts', async () => {
      const { context, page } = await openShop(run.browser, run.product, { lang: 'en' });
      const rb = orderButton(page, 'partial');
      await rb.getByRole('button', { name: 'Request refund' }).click();
      const dialog = rb.getByRole('dialog');
      await expectText(dialog, 'Already refunded');
      await expectText(dialog, '₩18,000');
      await expectText(dialog, '₩40,000');
      await screenshot(page, gw.shot('english'));
      await context.close();
    });
  });
}
