// rateLimit() through a small app (windows, Retry-After, a bounded memory that forgets the oldest window first), and
// the proxy's per-IP limit: the client behind a trusted reverse proxy, and an IPv6 client counted by its /64.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Hono } from 'hono';
import { clientIp } from '../entries/client-ip.ts';
import { AppError } from '../errors.ts';
import { createHarness, type Harness } from '../test-support/harness.ts';
import { type RateLimitOptions, rateLimit } from './rate-limit.ts';

const WINDOW_MS = 60_000;

/** An app limited per `X-Key` header on a clock the test moves. */
const limitedApp = (options: Partial<RateLimitOptions> = {}) => {
  let t = Date.UTC(2026, 0, 1);
  const app = new Hono()
    .use(
      '*',
      rateLimit({ limit: 2, windowMs: WINDOW_MS, now: () => t, key: (c) => c.req.header('X-Key') ?? null, ...options }),
    )
    .onError((error, c) =>
      error instanceof AppError
        ? c.json({ code: error.code, message: error.message }, 429, error.headers)
        : c.text(String(error), 500),
    )
    .get('/', (c) => c.text('ok'));
  const status = async (key?: string) => (await app.request('/', { headers: key ? { 'X-Key': key } : {} })).status;
  return { app, status, advance: (ms: number) => void (t += ms) };
};

describe('rateLimit()', () => {
  it('allows `limit` requests per key in a window, then answers 429 RATE_LIMITED with the seconds left', async () => {
    const { app, status, advance } = limitedApp();
    assert.equal(await status('a'), 200);
    advance(20_500);
    assert.equal(await status('a'), 200);
    const refused = await app.request('/', { headers: { 'X-Key': 'a' } });
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('Retry-After'), '40', '39.5 s of the window left, rounded up');
    assert.deepEqual(await refused.json(), { code: 'RATE_LIMITED', message: 'Too many requests; try again in 40 s.' });
    assert.equal(await status('b'), 200, 'another key has its own count');
  });

  it('opens a new window, with a fresh count, once the old one has ended', async () => {
    const { app, status, advance } = limitedApp();
    for (const expected of [200, 200, 429]) assert.equal(await status('a'), expected);
    advance(WINDOW_MS - 1);
    const last = await app.request('/', { headers: { 'X-Key': 'a' } });
    assert.equal(last.headers.get('Retry-After'), '1', 'never 0');
    advance(1);
    for (const expected of [200, 200, 429]) assert.equal(await status('a'), expected);
  });

  it('counts nothing with limit 0, or for a request whose key is null', async () => {
    const off = limitedApp({ limit: 0 });
    for (let i = 0; i < 5; i++) assert.equal(await off.status('a'), 200);
    const unkeyed = limitedApp();
    for (let i = 0; i < 5; i++) assert.equal(await unkeyed.status(), 200);
  });

  it('remembers at most maxKeys windows, forgetting the oldest (half) first', async () => {
    const { status } = limitedApp({ limit: 1, maxKeys: 4 });
    for (const key of ['a', 'b', 'c', 'd']) assert.equal(await status(key), 200);
    for (const key of ['a', 'b', 'c', 'd']) assert.equal(await status(key), 429, `${key} is remembered: four keys fit`);
    assert.equal(await status('e'), 200, 'a fifth key: the two oldest windows (a, b) are forgotten');
    assert.equal(await status('c'), 429, 'the newer ones are still remembered');
    assert.equal(await status('d'), 429);
    assert.equal(await status('a'), 200, 'a counts from zero again');
    assert.equal(await status('b'), 200);
  });

  it('makes room from windows that have ended before forgetting one still open', async () => {
    const { status, advance } = limitedApp({ limit: 1, maxKeys: 2 });
    assert.equal(await status('a'), 200);
    advance(30_000);
    assert.equal(await status('b'), 200);
    advance(WINDOW_MS - 30_000); // a's window has ended, b's has not
    assert.equal(await status('c'), 200);
    assert.equal(await status('b'), 429, 'b is still counted');
  });
});

describe('the per-IP limit on the payment routes', () => {
  let h: Harness;
  afterEach(async () => h?.close());

  it('behind one trusted reverse proxy (TRUST_PROXY=1), counts the address it saw, whatever the client wrote before it', async () => {
    // The reverse proxy (the socket's peer) appends the address it saw; everything left of that is the client's own.
    h = await createHarness({ rateLimit: { perIp: 3, perOrder: 0 }, clientIp: clientIp(1, () => '127.0.0.1') });
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      const forwarded = `198.18.${i}.${i + 1}, 203.0.113.9`;
      statuses.push((await h.view(`X-${i}`, { headers: { 'X-Forwarded-For': forwarded } })).res.status);
    }
    assert.deepEqual(statuses, [404, 404, 404, 429, 429]);
    const other = await h.view('X-other', { headers: { 'X-Forwarded-For': '203.0.113.9, 198.51.100.20' } });
    assert.equal(other.res.status, 404, 'another client behind the same proxy has its own budget');
    const ips = h.logs.filter((line) => line.msg === 'request').map((line) => line.ip);
    assert.deepEqual(new Set(ips), new Set(['203.0.113.9', '198.51.100.20']));
  });

  it('counts an IPv6 client by its /64: two addresses of one /64 share a budget, another /64 has its own', async () => {
    let ip = '';
    h = await createHarness({ rateLimit: { perIp: 2, perOrder: 0 }, clientIp: () => ip });
    const view = async (from: string, order: string) => {
      ip = from;
      return (await h.view(order)).res.status;
    };
    assert.equal(await view('2001:db8:1:2::1', 'V-1'), 404);
    assert.equal(await view('2001:db8:1:2:aaaa:bbbb:cccc:dddd', 'V-2'), 404);
    assert.equal(await view('2001:0db8:0001:0002::ffff', 'V-3'), 429, 'a third address of the same /64');
    assert.equal(await view('2001:db8:1:3::1', 'V-4'), 404, 'the next /64');
  });
});
