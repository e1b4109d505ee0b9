// End to end: README.md's "Embed it in your own page", step by step, in headless Chromium: the sandbox as `npm start`
// runs it with ALLOWED_ORIGINS naming a second loopback origin, an order from POST /sandbox/orders, a page with the
// script tag and the element served on that origin, and the refund done through the widget. The staff console the
// same way: an admin page on that origin with its script tag and a staff grant minted with the admin API, no
// `endpoint` (it finds the proxy where its script came from). Then the demo shop at 360 px in Korean and English.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { expectText, launchBrowser, openShop, type RunningProduct, screenshot, startProduct } from './support.ts';

interface Shop {
  /** `http://127.0.0.1:<port>`: loopback like the sandbox, on another port, so another origin. */
  readonly origin: string;
  setPage(html: string): void;
  close(): Promise<void>;
}

/** Step 4's static server: the shop's one page at /shop.html (a developer would run any static server). */
const serveShop = async (): Promise<Shop> => {
  let page = '';
  const server = createServer((req, res) => {
    if (req.url !== '/shop.html') return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(page);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    setPage: (html) => {
      page = html;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

/** Step 3's page, as README.md writes it, with the sandbox's address and the order's id and grant filled in. */
const shopPage = (proxy: string, merchantUid: string, grant: string) => `<!doctype html>
<html lang="ko">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>My shop</title>
<script type="module" src="${proxy}/refund-button.js"></script>
<refund-button merchant-uid="${merchantUid}" token="${grant}"></refund-button>
`;

/** Step 2: an order at the sandbox, as the README's curl line asks for it. */
const createOrder = async (proxy: string, body: Record<string, unknown>) => {
  const res = await fetch(`${proxy}/sandbox/orders`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()) as { merchant_uid: string; grant: string };
};

let shop: Shop;
let product: RunningProduct;
let browser: Browser;

before(async () => {
  shop = await serveShop();
  // Step 1: `ALLOWED_ORIGINS=http://127.0.0.1:5500 npm start`, with the shop's real port.
  product = await startProduct({ env: { ALLOWED_ORIGINS: shop.origin } });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await product?.stop();
  await shop?.close();
});

describe("embedding the button in one's own page, against the sandbox (README.md)", () => {
  it('follows the five steps: a refund from a page on another origin, shown on screen', async () => {
    assert.match(product.output(), new RegExp(`Pages on ${shop.origin} may embed it \\(ALLOWED_ORIGINS\\)`));
    const { merchant_uid, grant } = await createOrder(product.url, {
      kind: 'card',
      amount: 15000,
      name: '반팔 티셔츠',
    });
    shop.setPage(shopPage(product.url, merchant_uid, grant));

    const context = await browser.newContext({
      viewport: { width: 360, height: 740 },
      locale: 'ko-KR',
      reducedMotion: 'reduce',
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    const calls: string[] = [];
    page.on('response', (res) => {
      if (res.url().startsWith(`${product.url}/payments/`)) calls.push(`${res.request().method()} ${res.status()}`);
    });
    await page.goto(`${shop.origin}/shop.html`);
    assert.notEqual(new URL(page.url()).origin, new URL(product.url).origin, 'the page is on another origin');
    const succeeded = page.evaluate(
      () =>
        new Promise<{ refunded: number }>((resolve) =>
          document.addEventListener('refund-success', (event) => resolve((event as CustomEvent).detail), {
            once: true,
          }),
        ),
    );

    const rb = page.locator('refund-button');
    await rb.getByRole('button', { name: '환불 요청' }).click();
    const dialog = rb.getByRole('dialog');
    await expectText(dialog, '15,000원');
    await dialog.getByLabel('환불 사유').selectOption({ label: '단순 변심' });
    await dialog.getByRole('button', { name: '다음' }).click();
    await expectText(dialog, '15,000원을 환불할까요?');
    await dialog.getByRole('button', { name: '환불하기' }).click();
    await expectText(dialog, '환불이 완료되었어요');
    await expectText(dialog, '15,000원 환불 · 남은 금액 0원');
    await screenshot(page, 'embed-other-origin-refunded-360-ko');

    assert.equal((await succeeded).refunded, 15000, 'the page heard refund-success');
    assert.ok(calls.includes('GET 200') && calls.includes('POST 200'), `cross-origin calls answered: ${calls}`);
    assert.deepEqual(errors, []);
    const view = await fetch(`${product.url}/payments/${merchant_uid}`, {
      headers: { Authorization: `Bearer ${grant}` },
    });
    assert.equal(
      ((await view.json()) as { cancelable_amount: number }).cancelable_amount,
      0,
      'refunded at the sandbox',
    );
    await context.close();
  });

  it('answers a page on a listed origin and refuses any other, as live mode does', async () => {
    const { merchant_uid, grant } = await createOrder(product.url, { kind: 'vbank', amount: 20000, pg: 'kcp' });
    const ask = (origin: string, method = 'GET') =>
      fetch(`${product.url}/payments/${merchant_uid}`, {
        method,
        headers:
          method === 'OPTIONS'
            ? {
                Origin: origin,
                'Access-Control-Request-Method': 'GET',
                'Access-Control-Request-Headers': 'authorization',
              }
            : { Origin: origin, Authorization: `Bearer ${grant}` },
      });
    const listed = await ask(shop.origin);
    assert.equal(listed.status, 200);
    assert.equal(listed.headers.get('Access-Control-Allow-Origin'), shop.origin);
    assert.equal((await ask(shop.origin, 'OPTIONS')).headers.get('Access-Control-Allow-Origin'), shop.origin);
    const stranger = 'http://127.0.0.1:1';
    const preflight = await ask(stranger, 'OPTIONS');
    assert.equal(preflight.headers.get('Access-Control-Allow-Origin'), null, 'no CORS answer for another origin');
    const refused = await ask(stranger);
    assert.equal(refused.status, 403);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'FORBIDDEN');
  });
});

/** The README's admin page: the console's script tag and element, with a staff grant and no `endpoint`. */
const adminPage = (proxy: string, grant: string) => `<!doctype html>
<html lang="ko">
<meta charset="utf-8">
<title>Back office</title>
<script type="module" src="${proxy}/refund-desk.js"></script>
<refund-desk token="${grant}" lang="ko"></refund-desk>
`;

describe("embedding the staff console in one's own admin page, against the sandbox (README.md)", () => {
  it('finds the proxy where its script came from: the queue lists an open request, approved from that page', async () => {
    // An open request, as a customer's dialog would make it, on a demo order in request mode.
    const { orders } = (await (await fetch(`${product.url}/sandbox/orders`)).json()) as {
      orders: { merchant_uid: string; grant: string; mode?: string }[];
    };
    const order = orders.find((o) => o.mode === 'request' && o.merchant_uid.endsWith('-card-approval'));
    assert.ok(order, 'the sandbox has a card order in request mode');
    const asked = await fetch(`${product.url}/refund-requests`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${order.grant}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ merchant_uid: order.merchant_uid, cancel_request_amount: 1000, reason: '단순 변심' }),
    });
    assert.equal(asked.status, 201, await asked.clone().text());
    // The staff grant as the README's backend mints it, with the admin key the sandbox printed for this run.
    const adminKey = /Admin API key for this run: (\S+)/.exec(product.output())?.[1];
    assert.ok(adminKey, 'the sandbox printed its admin key');
    const minted = await fetch(`${product.url}/admin/grants`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${adminKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ role: 'staff', sub: 'embed-e2e', ttl_seconds: 900 }),
    });
    assert.equal(minted.status, 200, await minted.clone().text());
    const { grant } = (await minted.json()) as { grant: string };
    shop.setPage(adminPage(product.url, grant));

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ko-KR' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    const called = new Set<string>();
    page.on('request', (req) => called.add(new URL(req.url()).origin));
    await page.goto(`${shop.origin}/shop.html`);
    const desk = page.locator('refund-desk');
    const row = desk.locator('li.row', { hasText: order.merchant_uid });
    await row.waitFor();
    await row.getByRole('button', { name: `열기: ${order.merchant_uid}` }).click();
    await desk.getByRole('button', { name: '승인', exact: true }).click();
    await desk.locator('form.approve-form').getByRole('button', { name: '승인', exact: true }).click();
    await desk.locator('[part="confirm"]').getByRole('button', { name: '환불하기', exact: true }).click();
    await expectText(desk, '1,000원 환불을 승인했어요.');

    assert.deepEqual(errors, []);
    assert.deepEqual(
      [...called].sort(),
      [product.url, shop.origin].sort(),
      'the page called only itself and the proxy',
    );
    const view = await fetch(`${product.url}/payments/${order.merchant_uid}`, {
      headers: { Authorization: `Bearer ${order.grant}` },
    });
    const body = (await view.json()) as { request: { status: string } };
    assert.equal(body.request.status, 'refunded', 'approved and refunded at the sandbox');
    await context.close();
  });
});

/**
 * Lines of the page's own text that begin inside a Korean word: two Hangul letters with a line break and no space
 * between them. Empty when Korean wraps only between words.
 */
const breaksInsideWords = (page: Page, selector: string): Promise<string[]> =>
  page.evaluate((selector) => {
    const hangul = /[\uac00-\ud7a3]/;
    const found: string[] = [];
    for (const element of document.querySelectorAll(selector)) {
      let lastTop: number | null = null;
      let lastChar = '';
      let lastBlock: Element | null = null;
      const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        // Lines are compared within one block (a paragraph, a heading): the next block starts on a line of its own.
        let block = node.parentElement;
        while (block && block !== element && getComputedStyle(block).display.startsWith('inline')) {
          block = block.parentElement;
        }
        if (block !== lastBlock) [lastTop, lastChar, lastBlock] = [null, '', block];
        const text = node.textContent ?? '';
        for (let i = 0; i < text.length; i++) {
          const range = document.createRange();
          range.setStart(node, i);
          range.setEnd(node, i + 1);
          const box = range.getClientRects()[0];
          if (!box) continue; // collapsed white space
          if (lastTop !== null && box.top > lastTop + 2 && hangul.test(lastChar) && hangul.test(text[i]!)) {
            found.push(`${lastChar}|${text.slice(i, i + 8)} in ${element.className || element.tagName}`);
          }
          lastTop = box.top;
          lastChar = text[i]!;
        }
      }
    }
    return found;
  }, selector);

describe('the demo shop at 360 px', () => {
  for (const lang of ['ko', 'en'] as const) {
    it(`${lang}: Korean wraps between words, the language link stays whole, the page has its favicon`, async () => {
      const { context, page } = await openShop(browser, product, { lang, viewport: { width: 360, height: 740 } });
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 360), 'no sideways scrolling');
      assert.deepEqual(await breaksInsideWords(page, 'header, .banner, .order__main, .panel'), []);
      const link = page.locator('header a[hreflang]');
      assert.equal(await link.evaluate((a) => a.getClientRects().length), 1, 'the language link on one line');
      const icon = await page.locator('link[rel=icon]').evaluate(async (link: HTMLLinkElement) => {
        const image = new Image();
        image.src = link.href;
        await image.decode();
        return { scheme: new URL(link.href).protocol, width: image.naturalWidth };
      });
      assert.deepEqual(icon, { scheme: 'data:', width: 32 }, 'an inline SVG that the browser draws');
      await screenshot(page, `demo-page-360-${lang}`);
      await page.locator('section.panel').first().scrollIntoViewIfNeeded();
      await screenshot(page, `demo-page-360-${lang}-panel`);
      await context.close();
    });
  }
});
