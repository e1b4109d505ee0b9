/**
 * @module The built file, as a page loads it: dist/refund-button.js (web-test-runner.config.mjs builds it first).
 * The other tests run the sources through esbuild; this one catches a bundle that Vite broke (Node-only code let in,
 * a tree-shaken or doubled registration, Lit's dev build, a template the minifier mangled). Its size budget is
 * scripts/check-widget-size.mjs's alone (gzip -9 in Node, a step of `npm test`): a browser's own gzip differs from one
 * Chromium build to another (the one from npm measured this file 9 bytes over a budget it meets), so a check here
 * would pass or fail with the browser that happened to be found.
 */
import { expect, fixture, waitUntil } from '@open-wc/testing';

const BUNDLE = '/dist/refund-button.js';

const view = {
  merchant_uid: 'order-9',
  name: 'Linen shirt',
  amount: 12000,
  cancel_amount: 0,
  cancelable_amount: 12000,
  currency: 'KRW',
  pay_method: 'card',
  pg_provider: 'kcp',
  status: 'paid',
  paid_at: 1_700_000_000,
  refundable: true,
  revocable: false,
  refund_account_required: false,
  refund_tel_required: false,
  payout_estimate: null,
};

const answer = {
  ok: true,
  merchant_uid: 'order-9',
  imp_uid: 'imp_9',
  refunded: 12000,
  cancel_amount: 12000,
  cancelable_amount: 0,
  status: 'cancelled',
  pay_method: 'card',
  pending: false,
};

describe('dist/refund-button.js', () => {
  const realFetch = window.fetch;
  const posts: RequestInit[] = [];
  /** The file's text, read before `fetch` is replaced by the fake proxy below. */
  let source = '';

  before(async () => {
    const loaded = await fetch(BUNDLE).catch(() => undefined);
    if (!loaded?.ok) throw new Error(`${BUNDLE} is missing: run \`npx vite build\` (the test config builds it).`);
    source = await loaded.text();
    await import(/* @vite-ignore */ BUNDLE);
    window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      const body = String(input).endsWith('/payments/cancel') ? answer : view;
      if (init?.method === 'POST') posts.push(init);
      return new Response(JSON.stringify(body), { headers: { 'Content-Type': 'application/json' } });
    };
  });

  after(() => {
    window.fetch = realFetch;
  });

  it('registers <refund-button> from one minified ES module', async () => {
    expect(customElements.get('refund-button')).to.be.a('function');
    expect(source.split('\n').length, 'minified').to.be.below(5);
    expect(source).to.not.include('Lit is in dev mode'); // Lit's production build
  });

  it('holds everything it needs and nothing meant for Node', () => {
    // The offending text and a little around it, so that a failure does not print the whole file.
    const found = (pattern: RegExp) => new RegExp(`.{0,40}(?:${pattern.source}).{0,40}`).exec(source)?.[0];
    // A page has no `process`: a `process.env` check from a dependency would throw on load.
    expect(found(/process\.env/), 'process.env').to.equal(undefined);
    // Neither `node:` modules nor bare specifiers resolve in a page: the file imports nothing, statically or not.
    expect(found(/["'`]node:/), 'node: specifier').to.equal(undefined);
    expect(found(/(?:^|[;}])import\s*[\w{*"'`]/), 'import statement').to.equal(undefined);
    expect(found(/\bimport\s*\(/), 'dynamic import').to.equal(undefined);
    // One registration, behind the check that keeps a second copy of the script from throwing.
    expect(source.split('customElements.define(').length - 1, 'customElements.define calls').to.equal(1);
  });

  it('warns instead of throwing when loaded twice', async () => {
    const warnings: unknown[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => warnings.push(args[0]);
    try {
      await import(/* @vite-ignore */ `${BUNDLE}?again`); // a second copy of the module, evaluated again
    } finally {
      console.warn = warn;
    }
    expect(String(warnings[0])).to.include('already defined');
  });

  it('opens, shows the summary, confirms and refunds', async () => {
    const el = await fixture<HTMLElement>(
      '<refund-button lang="en" merchant-uid="order-9" token="grant-9" endpoint="https://proxy.test"></refund-button>',
    );
    const root = el.shadowRoot!;
    const text = () => (root.querySelector('dialog')?.textContent ?? '').replace(/\s+/g, ' ');
    const button = (label: string) =>
      [...root.querySelectorAll('button')].find((b) => b.textContent!.trim() === label)!;
    expect(root.querySelector('[part=button]')!.textContent!.trim()).to.equal('Request refund');

    root.querySelector<HTMLButtonElement>('[part=button]')!.click();
    await waitUntil(() => text().includes('Linen shirt'), 'summary');
    expect(text()).to.include('Refundable₩12,000');

    const reason = root.querySelector<HTMLSelectElement>('[name=preset]')!;
    reason.value = '0';
    reason.dispatchEvent(new Event('change', { bubbles: true }));
    button('Continue').click();
    await waitUntil(() => text().includes('Refund ₩12,000?'), 'confirm');
    expect(text()).to.include("This can't be undone.");

    button('Refund').click();
    await waitUntil(() => text().includes('Refund complete'), 'done');
    expect(text()).to.include('₩12,000 refunded · ₩0 left');
    expect(posts).to.have.length(1);
    expect(new Headers(posts[0]!.headers).get('Idempotency-Key')).to.match(/^[0-9a-f-]{36}$/);
  });
});
