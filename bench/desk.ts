/**
 * @module The staff console: dist/refund-desk.js gzipped, and in headless Chromium the time from the script starting
 * to load to the queue's first page on screen, with 10 and with 1,000 open refund requests in the ledger. The queue
 * pages (20 rows a page), so the second should cost what the first does.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type Browser, chromium } from 'playwright-core';
import { mintStaffGrant } from '../proxy/auth/staff-grant.ts';
// @ts-expect-error: a plain-JS script of the repo, without type declarations
import { CHROME_ARGS, findChrome } from '../scripts/find-chrome.mjs';
import type { Child } from './support/children.ts';
import { createLedger, type Ledger, openStore } from './support/ledger.ts';
import { GRANT_SECRET } from './support/orders.ts';
import { type Part, startFake, startProxy } from './support/stack.ts';
import { fmtCount, fmtMs, median, type Table } from './support/stats.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BUNDLE = `${ROOT}dist/refund-desk.js`;
/** What the console shows of the queue before "load more". */
const PAGE = 20;

/** `count` open requests, one order each, a minute apart (the queue reads them oldest first). */
const seedRequests = async (ledger: Ledger, count: number): Promise<void> => {
  const store = openStore(ledger.target);
  await store.migrate();
  const start = Date.now() - count * 60_000;
  for (let i = 0; i < count; i++) {
    await store.insertRequest({
      id: `rr_bench${String(i).padStart(7, '0')}`,
      merchant_uid: `desk-${i}`,
      amount: 10_000 + i,
      reason: '사이즈가 맞지 않아요',
      refund_bank: null,
      refund_account_masked: null,
      refund_secret: null,
      imp_uid: null,
      cancels_seen: null,
      idempotency_key: null,
      grant_subject: `desk-${i}`,
      tax_free_amount: null,
      vat_amount: null,
      grant_jti: null,
      grant_max_amount: null,
      created_at: start + i * 60_000,
    });
  }
  await store.close();
};

export const desk: Part = async (ctx) => {
  const repeats = ctx.quick ? 3 : 15;
  if (!existsSync(BUNDLE)) {
    ctx.progress('desk: building dist/refund-desk.js');
    const build = spawnSync('npx', ['vite', 'build', '--mode', 'desk', '--logLevel', 'warn'], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    if (build.status !== 0) throw new Error('vite build --mode desk failed');
  }
  const source = readFileSync(BUNDLE);
  const gzipped = gzipSync(source, { level: 9 }).length;

  const fake = await startFake();
  let browser: Browser | null = null;
  const rows: string[][] = [];
  try {
    browser = await chromium.launch({ executablePath: findChrome(), args: CHROME_ARGS });
    for (const count of [10, 1000]) {
      const ledger = await createLedger('sqlite', `bench_desk_${count}`, null);
      let proxy: Child | null = null;
      let shop: Server | null = null;
      try {
        ctx.progress(`desk: ${count} open requests`);
        await seedRequests(ledger, count);
        const grant = await mintStaffGrant(GRANT_SECRET, { sub: 'bench-staff', ttlSeconds: 3600 });
        shop = await serveAdminPage(grant);
        const origin = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`; // TCP, so an AddressInfo
        proxy = await startProxy({
          mode: 'proxy',
          ledger: ledger.target,
          iamportUrl: fake.url,
          allowedOrigins: [origin],
          deskFile: BUNDLE,
        });
        const shown: number[] = [];
        const expected = Math.min(count, PAGE);
        // One untimed round first (Chromium's own first-use costs), then each in a fresh context: a cold cache.
        for (let round = 0; round <= repeats; round++) {
          const context = await browser.newContext();
          await context.addInitScript('globalThis.__name = (fn) => fn'); // tsx's keepNames, as in bench/widget.ts
          const page = await context.newPage();
          const errors: string[] = [];
          page.on('pageerror', (error) => errors.push(String(error)));
          await page.goto(`${origin}/`);
          const ms = await page.evaluate(measureInPage, {
            src: `${proxy.url}/refund-desk.js`,
            endpoint: proxy.url,
            rows: expected,
            timeoutMs: 10_000,
          });
          await context.close();
          if (errors.length) throw new Error(`page errors: ${errors.join('\n')}`);
          if (round > 0) shown.push(ms);
        }
        rows.push([
          fmtCount(count),
          String(expected),
          fmtMs(median(shown)),
          `${fmtMs(Math.min(...shown))}–${fmtMs(Math.max(...shown))}`,
        ]);
      } finally {
        await new Promise((done) => (shop ? shop.close(done) : done(undefined)));
        await proxy?.stop();
        await ledger.dispose();
      }
    }
  } finally {
    await browser?.close();
    await fake.stop();
  }
  const [few, many] = rows.map((row) => Number.parseFloat(row[2] ?? ''));
  const ratio = few && many ? (many / few).toFixed(2) : 'n/a';
  return [
    {
      title: 'Staff console size: dist/refund-desk.js',
      columns: ['raw bytes', 'gzip -9 bytes', 'gzip -9 KB'],
      rows: [[fmtCount(source.length), fmtCount(gzipped), (gzipped / 1024).toFixed(2)]],
      notes: ['gzip level 9 by node:zlib, as `scripts/check-widget-size.mjs` measures it.'],
    },
    {
      title: `Staff console in headless Chromium: from script load to the queue's first page (${repeats} page loads each)`,
      columns: ['open requests in the ledger', 'rows shown', 'median ms', 'min–max ms'],
      rows,
      notes: [
        `1,000 against 10: ${ratio}x. The admin page (one origin) adds \`<script type="module" src>\` pointing at the`,
        'proxy (another origin), with `<refund-desk>` and a staff grant already in the page. Each load is a fresh',
        'browser context (cold cache). The queue asks `/staff/refund-requests?status=requested&order=oldest` for one',
        'page (CORS preflight + GET, SQLite ledger) and renders it; the time ends when its rows are in the shadow root.',
      ],
    } satisfies Table,
  ];
};

/** The merchant's admin page: the console with a staff grant, and no script yet (the benchmark adds it). */
const serveAdminPage = (grant: string): Promise<Server> =>
  new Promise((resolve) => {
    const page = `<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>admin</title></head>
<body><refund-desk token="${grant}"></refund-desk></body></html>`;
    const server = createServer((req, res) => {
      if (req.url !== '/') return void res.writeHead(404).end();
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(page);
    });
    server.listen(0, '127.0.0.1', () => resolve(server));
  });

/** Runs in the page (serialised by Playwright): loads the script, then waits for the queue's first page of rows. */
const measureInPage = async (args: { src: string; endpoint: string; rows: number; timeoutMs: number }) => {
  const element = document.querySelector('refund-desk');
  if (!element) throw new Error('no <refund-desk> on the page');
  element.setAttribute('endpoint', args.endpoint);
  const script = document.createElement('script');
  script.type = 'module';
  script.src = args.src;
  const start = performance.now();
  document.head.append(script);
  await customElements.whenDefined('refund-desk');
  const root = element.shadowRoot;
  if (!root) throw new Error('<refund-desk> has no shadow root');
  const done = () => root.querySelectorAll('.list .row').length >= args.rows;
  const at = await new Promise<number>((resolve, reject) => {
    if (done()) return resolve(performance.now());
    const timer = setTimeout(() => {
      observer.disconnect();
      reject(new Error(`the queue did not show ${args.rows} rows in time`));
    }, args.timeoutMs);
    const observer = new MutationObserver(() => {
      if (!done()) return;
      const now = performance.now();
      observer.disconnect();
      clearTimeout(timer);
      resolve(now);
    });
    observer.observe(root, { childList: true, subtree: true });
  });
  return at - start;
};
