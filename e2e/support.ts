/**
 * @module End-to-end support: the product started as `npm start` starts it (sandbox mode: no credentials, fake
 * i'mport on loopback, SQLite ledger), and the Chromium that scripts/find-chrome.mjs finds (CHROME_PATH, a system
 * install, or the one shipped in npm), driven by playwright-core. Nothing is downloaded.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { startChild } from '../proxy/test-support/child-process.ts';
// @ts-expect-error: a plain-JS script of the repo, without type declarations
import { CHROME_ARGS, findChrome } from '../scripts/find-chrome.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
export const ARTIFACTS = join(root, 'test-artifacts', 'e2e');

export interface RunningProduct {
  readonly url: string;
  /** Everything it printed so far. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `dist/node.js` as `npm start` does (after its prestart build) with no credentials, and waits for its URL.
 * `env` adds to its environment what a developer would set on the command line (ALLOWED_ORIGINS, say).
 */
export const startProduct = async ({ env = {} }: { env?: Record<string, string> } = {}): Promise<RunningProduct> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'refund-e2e-'));
  // The build npm start runs first, in the foreground to its end: not a process the tests keep running.
  const prestart = spawnSync(process.execPath, ['scripts/prestart.mjs'], { cwd: root, stdio: 'inherit' });
  if (prestart.status !== 0) throw new Error('the prestart build failed');
  const child = startChild({
    name: 'the product (dist/node.js)',
    command: process.execPath,
    args: ['dist/node.js'],
    cwd: root,
    env: { PORT: '0', DATA_DIR: dataDir, ...env },
  });
  const [, url] = await child.waitForOutput(/Open the demo shop: (http:\/\/\S+?)\/?\s/);
  if (!url) throw new Error(`no URL in:\n${child.output()}`);
  return { url, output: () => child.output(), stop: () => child.stop() };
};

const postJson = (url: string, body: unknown): Promise<Response> =>
  fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

export const launchBrowser = (): Promise<Browser> =>
  chromium.launch({
    executablePath: findChrome(),
    args: CHROME_ARGS,
  });

/**
 * Call at a test file's top level, or in a describe() for its tests alone: the product (with `env` added, as
 * startProduct takes it) and a browser, started before those tests and stopped after them.
 */
export const productAndBrowser = (
  env: Readonly<Record<string, string>> = {},
): { readonly product: RunningProduct; readonly browser: Browser } => {
  const running: { product?: RunningProduct; browser?: Browser } = {};
  before(async () => {
    running.product = await startProduct({ env: { ...env } });
    running.browser = await launchBrowser();
  });
  after(async () => {
    await running.browser?.close();
    await running.product?.stop();
  });
  const started = <T>(what: T | undefined): T => {
    if (what === undefined) throw new Error('used before the before() hook ran');
    return what;
  };
  return {
    get product() {
      return started(running.product);
    },
    get browser() {
      return started(running.browser);
    },
  };
};

/** Resolves once `text` shows inside `where` (5 s at most). */
export const expectText = (where: Locator, text: string): Promise<void> =>
  where.getByText(text, { exact: false }).first().waitFor({ timeout: 5000 });

/** A fresh sandbox (new orders, no faults) and a page on the demo shop. */
export const openShop = async (
  browser: Browser,
  product: RunningProduct,
  {
    lang = 'ko',
    viewport = { width: 1024, height: 900 },
  }: { lang?: 'ko' | 'en'; viewport?: { width: number; height: number } } = {},
): Promise<{ context: BrowserContext; page: Page }> => {
  const reset = await postJson(`${product.url}/sandbox/reset`, {});
  if (!reset.ok) throw new Error(`sandbox reset failed: ${reset.status}`);
  const locale = lang === 'ko' ? 'ko-KR' : 'en-US';
  const context = await browser.newContext({ viewport, locale, reducedMotion: 'reduce' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.goto(`${product.url}/?lang=${lang}`);
  await page.locator('refund-button').first().locator('button').waitFor();
  if (errors.length) throw new Error(`page errors: ${errors.join('\n')}`);
  return { context, page };
};

/** The <refund-button> of one demo order, by the end of its merchant_uid (`card`, `vbank-kcp`, ...). */
export const orderButton = (page: Page, key: string): Locator =>
  page.locator(`li.order[data-merchant-uid$="-${key}"] refund-button`);

/** Queues a sandbox fault for the next i'mport request it matches. */
export const injectFault = async (product: RunningProduct, fault: Record<string, unknown>): Promise<void> => {
  const res = await postJson(`${product.url}/sandbox/faults`, fault);
  if (res.status !== 204) throw new Error(`fault not queued: ${res.status} ${await res.text()}`);
};

/** Drops every queued sandbox fault (i'mport answers normally again). */
export const clearFaults = async (product: RunningProduct): Promise<void> => {
  const res = await fetch(`${product.url}/sandbox/faults`, {
    method: 'DELETE',
    headers: { 'Content-Type': 'application/json' },
  });
  if (res.status !== 204) throw new Error(`faults not cleared: ${res.status} ${await res.text()}`);
};

/** Saves a full-page screenshot under test-artifacts/e2e/. */
export const screenshot = async (page: Page, name: string): Promise<void> => {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false });
};
