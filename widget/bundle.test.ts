/**
 * @module The built file, as a page loads it: dist/refund-button.js (web-test-runner.config.mjs builds it first).
 * The other tests run the sources through esbuild; this one catches a bundle that Vite broke (unlowered decorators,
 * a tree-shaken registration, a template the minifier mangled).
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

  before(async () => {
    const loaded = await fetch(BUNDLE).catch(() => undefined);
    if (!loaded?.ok) throw new Error(`${BUNDLE} is missing: run \`npx vite build\` (the test config builds it).`);
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
    const source = await (await fetch(BUNDLE)).text();
    expect(source.split('\n').length, 'minified').to.be.below(5);
    expect(source).to.not.include('@property'); // no decorator left unlowered
    expect(source).to.not.include('Lit is in dev mode');
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
    const button = (label: string) => [...root.querySelectorAll('button')].find((b) => b.textContent!.trim() === label)!;
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
