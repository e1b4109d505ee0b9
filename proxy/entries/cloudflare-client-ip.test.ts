// The Workers entry's client IP: CF-Connecting-IP parsed as an address (junk is no IP at all), X-Forwarded-For never.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createHarness, type Harness } from '../test-support/harness.ts';
import { cloudflareClientIp } from './cloudflare-client-ip.ts';

let h: Harness;
afterEach(async () => h?.close());

describe('cloudflareClientIp', () => {
  /** The client IP the request log wrote for each set of headers, in order. */
  const loggedIps = async (...requests: Record<string, string>[]) => {
    h = await createHarness({ clientIp: cloudflareClientIp });
    for (const headers of requests) await h.app.request('/health', { headers });
    return h.logs.filter((line) => line.msg === 'request').map((line) => line.ip);
  };

  it('takes CF-Connecting-IP in canonical form', async () => {
    const ips = await loggedIps({ 'CF-Connecting-IP': '203.0.113.7' }, { 'CF-Connecting-IP': '2001:0DB8:0:0::1' });
    assert.deepEqual(ips, ['203.0.113.7', '2001:db8::1']);
  });

  it("takes a value that is not an address as no IP, never as the client's text", async () => {
    assert.deepEqual(
      await loggedIps({ 'CF-Connecting-IP': `evil-${'x'.repeat(8000)}` }, { 'CF-Connecting-IP': '1.2.3.4, 5.6.7.8' }),
      [null, null],
    );
  });

  it('never reads X-Forwarded-For, which any client writes', async () => {
    assert.deepEqual(await loggedIps({ 'X-Forwarded-For': '198.51.100.1' }), [null]);
  });

  it('gives one budget to a /64 on the payment routes', async () => {
    h = await createHarness({ rateLimit: { perIp: 1, perOrder: 0 }, clientIp: cloudflareClientIp });
    const first = await h.view('CF-1', { headers: { 'CF-Connecting-IP': '2001:db8:5:6::1' } });
    const second = await h.view('CF-2', { headers: { 'CF-Connecting-IP': '2001:db8:5:6::2' } });
    assert.deepEqual([first.res.status, second.res.status], [404, 429]);
  });
});
