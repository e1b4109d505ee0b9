/**
 * @module The widget: dist/refund-button.js gzipped (built first if missing), and in headless Chromium the time from
 * the script starting to load to the button's first render and to a ready dialog (payment loaded, form shown).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type Browser, chromium } from 'playwright-core';
// @ts-expect-error: a plain-JS script of the repo, without type declarations
import { CHROME_ARGS, findChrome } from '../scripts/find-chrome.mjs';
import type { Child } from './support/children.ts';
import { createLedger, type Ledger, seedLedger } from './support/ledger.ts';
import { merchantUidOf, mintGrants } from './support/orders.ts';
import { type Part, startFake, startProxy } from './support/stack.ts';
import { fmtCount, fmtMs, median, type Table } from './support/stats.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BUNDLE = `${ROOT}dist/refund-button.js`;

interface Timing {
  /** Script element added → the button is in the element's shadow root. */
  readonly render: number;
  /** Script element added → the dialog is open with the form (the payment came back from the proxy). */
  readonly ready: number;
  /** The script's own download, from its Resource Timing entry. */
  readonly download: number;
  /** The dialog's request for the payment (CORS preflight included), from its Resource Timing entry. */
  readonly payment: number;
}

export const widget: Part = async (ctx) => {
  const repeats = ctx.quick ? 3 : 15;
  if (!existsSync(BUNDLE)) {
    ctx.progress('widget: building dist/refund-button.js');
    const build = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('vite build failed');
  }
  const source = readFileSync(BUNDLE);
  const gzipped = gzipSync(source, { level: 9 }).length;

  const fake = await startFake();
  let ledger: Ledger | null = null;
  let proxy: Child | null = null;
  let shop: Server | null = null;
  let browser: Browser | null = null;
  const timings: Timing[] = [];
  try {
    ledger = await createLedger('sqlite', 'bench_widget', null);
    await fake.call('seed', { prefix: 'w', count: 1 });
    await seedLedger(ledger.target, 'w', 1);
    const [grant = ''] = await mintGrants('w', 1);
    shop = await serveShop(merchantUidOf('w', 0), grant);
    const shopOrigin = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`; // listening on TCP, so an AddressInfo
    proxy = await startProxy({
      mode: 'proxy',
      ledger: ledger.target,
      iamportUrl: fake.url,
      allowedOrigins: [shopOrigin],
      widgetFile: BUNDLE,
    });
    browser = await chromium.launch({
      executablePath: findChrome(),
      args: CHROME_ARGS,
    });
    // One untimed round first (Chromium's own first-use costs), then each round in a fresh context: a cold cache.
    for (let round = 0; round <= repeats; round++) {
      ctx.progress(`widget: round ${round}/${repeats}`);
      const context = await browser.newContext();
      // tsx compiles with esbuild's keepNames, which wraps named functions in __name(): the page needs it too.
      await context.addInitScript('globalThis.__name = (fn) => fn');
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(String(error)));
      await page.goto(`${shopOrigin}/`);
      const timing = await page.evaluate(measureInPage, { src: `${proxy.url}/refund-button.js`, timeoutMs: 10_000 });
      await context.close();
      if (errors.length) throw new Error(`page errors: ${errors.join('\n')}`);
      if (round > 0) timings.push(timing);
    }
  } finally {
    await browser?.close();
    await new Promise((done) => (shop ? shop.close(done) : done(undefined)));
    await proxy?.stop();
    await fake.stop();
    await ledger?.dispose();
  }

  const spread = (pick: (t: Timing) => number) => {
    const values = timings.map(pick);
    return [fmtMs(median(values)), `${fmtMs(Math.min(...values))}–${fmtMs(Math.max(...values))}`];
  };
  const size: Table = {
    title: 'Widget size: dist/refund-button.js',
    columns: ['raw bytes', 'gzip -9 bytes', 'gzip -9 KB'],
    rows: [[fmtCount(source.length), fmtCount(gzipped), (gzipped / 1024).toFixed(2)]],
    notes: ['gzip level 9 by node:zlib, as `scripts/check-widget-size.mjs` measures it.'],
  };
  const speed: Table = {
    title: `Widget in headless Chromium: from script load to first render and to a ready dialog (${repeats} page loads)`,
    columns: ['from the script element being added to', 'median ms', 'min–max ms'],
    rows: [
      ['the script downloaded (Resource Timing)', ...spread((t) => t.download)],
      ['the button rendered', ...spread((t) => t.render)],
      ['the dialog ready (clicked at first render; payment loaded, form shown)', ...spread((t) => t.ready)],
      ['(of which the payment request, preflight included)', ...spread((t) => t.payment)],
    ],
    notes: [
      'The shop page (one origin) adds `<script type="module" src>` pointing at the proxy (another origin, serving the',
      'built file), with `<refund-button>` already in the page. Each load is a fresh browser context (cold cache). The',
      'dialog loads the order from the proxy (CORS preflight + GET; the order is in the SQLite ledger). Marks are',
      '`performance.now()` in the page; render = the button in the shadow root, seen by a MutationObserver.',
    ],
  };
  return [size, speed];
};

/** The merchant's page: a refund button for one order, and no script yet (the benchmark adds it). */
const serveShop = (merchantUid: string, grant: string): Promise<Server> =>
  new Promise((resolve) => {
    const page = `<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>shop</title></head>
<body><refund-button merchant-uid="${merchantUid}" token="${grant}"></refund-button></body></html>`;
    const server = createServer((req, res) => {
      if (req.url !== '/') return void res.writeHead(404).end();
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(page);
    });
    server.listen(0, '127.0.0.1', () => resolve(server));
  });

/** Runs in the page (serialised by Playwright): loads the script, waits for the render, opens the dialog. */
const measureInPage = async ({ src, timeoutMs }: { src: string; timeoutMs: number }): Promise<Timing> => {
  const element = document.querySelector('refund-button');
  if (!element) throw new Error('no <refund-button> on the page');
  /** performance.now() when `done()` first holds, checked now and on every change under `root`. */
  const when = (root: Node, done: () => boolean) =>
    new Promise<number>((resolve, reject) => {
      if (done()) return resolve(performance.now());
      const timer = setTimeout(() => {
        observer.disconnect();
        reject(new Error('the widget did not get there in time'));
      }, timeoutMs);
      const observer = new MutationObserver(() => {
        if (!done()) return;
        const at = performance.now();
        observer.disconnect();
        clearTimeout(timer);
        resolve(at);
      });
      observer.observe(root, { childList: true, subtree: true, attributes: true });
    });

  const script = document.createElement('script');
  script.type = 'module';
  script.src = src;
  const start = performance.now();
  document.head.append(script);
  await customElements.whenDefined('refund-button');
  const root = element.shadowRoot;
  if (!root) throw new Error('<refund-button> has no shadow root');
  const button = () => root.querySelector<HTMLElement>('[part~=button]');
  const rendered = await when(root, () => button() !== null);
  button()?.click();
  const ready = await when(root, () =>
    Boolean(root.querySelector('dialog')?.open && root.querySelector('[part~=form]')),
  );
  const took = (entry: PerformanceEntry | undefined) =>
    entry instanceof PerformanceResourceTiming ? entry.responseEnd - entry.startTime : Number.NaN;
  const payment = performance.getEntriesByType('resource').find((entry) => entry.name.includes('/payments/'));
  const download = took(performance.getEntriesByName(src)[0]);
  return { render: rendered - start, ready: ready - start, download, payment: took(payment) };
};
