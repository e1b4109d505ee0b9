// End to end: the demo shop's merchant webhooks panel in Chromium, against the product as `npm start` runs it. The
// visitor makes the sandbox's receiver fail twice, a refund's event is retried, and the panel shows all three attempts
// under one webhook-id, each verified. WEBHOOK_RETRY_SCHEDULE=1,1 keeps the retries to seconds.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, openShop, type RunningProduct, screenshot, startProduct } from './support.ts';

let product: RunningProduct;
let browser: Browser;
before(async () => {
  product = await startProduct({ env: { WEBHOOK_RETRY_SCHEDULE: '1,1' } });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await product?.stop();
});

describe("the demo shop's merchant webhooks panel", () => {
  it('at 360 px, lists a refund event failed twice on request and then delivered, one webhook-id, all verified', async () => {
    assert.match(product.output(), /Merchant webhooks go to the sandbox's own receiver/);
    const { context, page } = await openShop(browser, product, { viewport: { width: 360, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.locator('#webhook-fail-next').fill('2');
    await page.getByRole('button', { name: '실패시키기' }).click();
    await page.locator('#webhook-settings').filter({ hasText: '남은 실패: 2' }).waitFor();

    const { orders } = (await (await fetch(`${product.url}/sandbox/orders`)).json()) as {
      orders: Array<{ merchant_uid: string; grant: string }>;
    };
    const card = orders.find((o) => o.merchant_uid.endsWith('-card'))!;
    const refund = await fetch(`${product.url}/payments/cancel`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${card.grant}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ merchant_uid: card.merchant_uid, cancel_request_amount: 1000, reason: '단순 변심' }),
    });
    assert.equal(refund.status, 200);

    const rows = page.locator('#webhook-table tbody tr');
    // The answer cell itself: a row's text also holds the webhook-id, whose random hex may contain "204".
    await rows.locator('td:nth-child(6)').filter({ hasText: /^204$/ }).waitFor({ timeout: 20_000 });
    const cells = await rows.evaluateAll((trs) =>
      trs.map((tr) => Array.from((tr as HTMLTableRowElement).cells, (td) => td.textContent)),
    );
    // Received, type, webhook-id, attempt, signature, answer; newest first.
    assert.deepEqual(
      cells.map((c) => [c[1], c[3], c[4], c[5]]),
      [
        ['refund.succeeded', '3', '확인됨', '204'],
        ['refund.succeeded', '2', '확인됨', '500'],
        ['refund.succeeded', '1', '확인됨', '500'],
      ],
    );
    assert.equal(new Set(cells.map((c) => c[2])).size, 1, 'one webhook-id');
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 360), 'no sideways scrolling');
    await page.locator('section.webhooks').scrollIntoViewIfNeeded();
    await screenshot(page, 'webhooks-panel-360-ko');
    assert.deepEqual(errors, []);
    await context.close();
  });
});
