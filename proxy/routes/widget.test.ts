import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createHarness, type Harness } from '../test-support/harness.ts';
import type { WidgetFile, WidgetScript } from './widget.ts';

let h: Harness | undefined;
afterEach(async () => h?.close());

const built: Record<WidgetFile, WidgetScript> = {
  'refund-button.js': { body: 'customElements.define("refund-button", class extends HTMLElement {});', etag: '"w"' },
  'refund-desk.js': { body: 'customElements.define("refund-desk", class extends HTMLElement {});', etag: '"d"' },
};

describe('GET /refund-desk.js', () => {
  it('serves the staff console as /refund-button.js is served: CORS, caching, its own ETag, 304', async () => {
    const asked: (WidgetFile | undefined)[] = [];
    h = await createHarness({
      loadWidget: async (file?: WidgetFile) => {
        asked.push(file);
        return built[file ?? 'refund-button.js'];
      },
    });
    const res = await h.app.request('/refund-desk.js', { headers: { Origin: 'https://admin.shop.example' } });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), built['refund-desk.js'].body);
    assert.match(res.headers.get('Content-Type') ?? '', /^text\/javascript/);
    assert.equal(res.headers.get('Access-Control-Allow-Origin'), '*');
    assert.match(res.headers.get('Cache-Control') ?? '', /max-age=\d+/);
    assert.equal(res.headers.get('ETag'), '"d"');
    const again = await h.app.request('/refund-desk.js', { headers: { 'If-None-Match': '"d"' } });
    assert.equal(again.status, 304);
    const widget = await h.app.request('/refund-button.js');
    assert.equal(await widget.text(), built['refund-button.js'].body, 'the widget is still the widget');
    assert.deepEqual(asked, ['refund-desk.js', 'refund-desk.js', 'refund-button.js']);
  });

  it('says how to build it when it has not been built', async () => {
    h = await createHarness({
      loadWidget: async (file?: WidgetFile) => (file === 'refund-desk.js' ? null : built[file!]),
    });
    const res = await h.app.request('/refund-desk.js');
    assert.equal(res.status, 500);
    assert.match(
      ((await res.json()) as { error: { message: string } }).error.message,
      /refund-desk\.js.*npm run build/,
    );
  });
});
