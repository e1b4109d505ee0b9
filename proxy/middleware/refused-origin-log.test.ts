// A refused Origin is logged at warn level naming ALLOWED_ORIGINS, once per origin per ten minutes, in bounded memory.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createClock, createHarness, type Harness } from '../test-support/harness.ts';
import { createRefusedOriginLog, REFUSED_ORIGIN_MESSAGE } from './refused-origin-log.ts';

let h: Harness;
afterEach(async () => h?.close());

const MINUTE = 60_000;

const preflight = (origin: string) =>
  h.app.request('/payments/cancel', {
    method: 'OPTIONS',
    headers: { Origin: origin, 'Access-Control-Request-Method': 'POST' },
  });
const warnings = () => h.logs.filter((line) => line.level === 'warn');

describe('refused origins in the log', () => {
  it('warns once for a refused preflight and the refused request after it, naming ALLOWED_ORIGINS', async () => {
    h = await createHarness({ allowedOrigins: ['https://shop.example'] });
    h.fake.addPayment({ merchant_uid: 'RO-1', amount: 1000 });
    const refused = await preflight('https://other.example');
    assert.equal(refused.status, 204);
    assert.equal(refused.headers.get('Access-Control-Allow-Origin'), null, 'the browser blocks the call');
    const request = await h.cancel({ merchant_uid: 'RO-1', reason: 'x' }, { origin: 'https://other.example' });
    assert.equal(request.res.status, 403);
    assert.deepEqual(warnings(), [{ level: 'warn', msg: REFUSED_ORIGIN_MESSAGE, origin: 'https://other.example' }]);
    assert.match(REFUSED_ORIGIN_MESSAGE, /ALLOWED_ORIGINS/);
  });

  it('says nothing for an allowed origin, for PUBLIC_ORIGIN, or for a request without Origin', async () => {
    h = await createHarness({
      allowedOrigins: ['https://shop.example'],
      config: { publicOrigin: 'https://refunds.example' },
    });
    h.fake.addPayment({ merchant_uid: 'RO-2', amount: 1000 });
    await preflight('https://shop.example');
    await preflight('https://refunds.example');
    await h.view('RO-2', { origin: 'https://shop.example' });
    await h.view('RO-2');
    assert.deepEqual(warnings(), []);
  });

  it('warns again for the same origin only after ten minutes, and for each other origin at once', async () => {
    h = await createHarness({ clock: createClock(Date.UTC(2026, 0, 5, 9)), allowedOrigins: [] });
    await preflight('https://a.example');
    // A second short of the window: the harness clock runs on in real time between requests.
    h.clock.advance(10 * MINUTE - 1000);
    await preflight('https://a.example');
    await preflight('https://b.example');
    assert.deepEqual(
      warnings().map((line) => line.origin),
      ['https://a.example', 'https://b.example'],
    );
    h.clock.advance(1000);
    await preflight('https://a.example');
    assert.deepEqual(
      warnings().map((line) => line.origin),
      ['https://a.example', 'https://b.example', 'https://a.example'],
    );
  });

  it('remembers at most maxOrigins origins, forgetting the one warned about longest ago, and cuts a long Origin', () => {
    const lines: Record<string, unknown>[] = [];
    const refused = createRefusedOriginLog({ log: (line) => lines.push(line), now: () => 0, maxOrigins: 2 });
    for (const origin of ['https://a.example', 'https://b.example', 'https://a.example', 'https://c.example']) {
      refused(origin);
    }
    // a and b were remembered; c pushed out a, the oldest, so a is news again while b is still quiet.
    refused('https://b.example');
    refused('https://a.example');
    assert.deepEqual(
      lines.map((line) => line.origin),
      ['https://a.example', 'https://b.example', 'https://c.example', 'https://a.example'],
    );
    refused(`https://${'x'.repeat(10_000)}.example`);
    assert.equal(String(lines.at(-1)?.origin).length, 200);
  });
});
