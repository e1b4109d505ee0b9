/**
 * @module The built file, as an admin page loads it: dist/refund-desk.js (web-test-runner.config.mjs builds it first).
 * The other tests run the sources through esbuild; this one catches a bundle Vite broke, one that pulled in the
 * customer's widget, or one over its budget.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';

const BUNDLE = '/dist/refund-desk.js';
/** The budget of scripts/check-widget-size.mjs, which is the one that counts (gzip -9, in Node). */
const BUDGET = 25 * 1024;

const gzippedSize = async (source: string): Promise<number> => {
  const stream = new Blob([source]).stream().pipeThrough(new CompressionStream('gzip'));
  return (await new Response(stream).arrayBuffer()).byteLength;
};

describe('dist/refund-desk.js', () => {
  const realFetch = window.fetch;
  let source = '';

  before(async () => {
    const loaded = await fetch(BUNDLE).catch(() => undefined);
    if (!loaded?.ok) throw new Error(`${BUNDLE} is missing: run \`npx vite build --mode desk\`.`);
    source = await loaded.text();
    await import(/* @vite-ignore */ BUNDLE);
    window.fetch = async () =>
      new Response(
        JSON.stringify({
          data: [
            { id: 'q1', merchant_uid: 'order-q1', status: 'requested', amount: 9000, reason: '불량', created_at: 1 },
          ],
          next_cursor: null,
        }),
        { headers: { 'Content-Type': 'application/json' } },
      );
  });

  after(() => {
    window.fetch = realFetch;
  });

  it('is one minified module with Lit inside, no imports, nothing for Node, and not the customer widget', async () => {
    expect(customElements.get('refund-desk')).to.be.a('function');
    expect(source.split('\n').length, 'minified').to.be.below(5);
    expect(source).to.not.include('Lit is in dev mode');
    expect(source).to.not.match(/process\.env/);
    expect(source).to.not.match(/(^|[;}\s])import\s*[{*"'`]|\bimport\(/);
    expect(source.match(/customElements\.define/g)).to.have.length(1);
    expect(source, "the widget's element").to.not.include('refund-button');
    expect(await gzippedSize(source)).to.be.below(BUDGET);
  });

  it('renders the queue from the staff API', async () => {
    const el = await fixture<HTMLElement>(
      html`<refund-desk endpoint="https://p.test" token="t" lang="ko"></refund-desk>`,
    );
    await waitUntil(() => el.shadowRoot?.textContent?.includes('order-q1'), 'the queue from the built file');
    expect(el.shadowRoot!.textContent).to.include('9,000원');
  });
});
