/** @module Tests of the proxy calls: how answers, odd answers and no answers become outcomes. */
import { expect } from '@open-wc/testing';
import { type Connection, cancelPayment, createIdempotencyKey, loadPayment } from './request.ts';

const connect = (answer: () => Response | Promise<Response>): Connection => ({
  endpoint: 'https://proxy.test/',
  token: 'grant',
  signal: new AbortController().signal,
  fetch: async () => answer(),
});

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

describe('request', () => {
  it('reads an error answer with its fresh balance and Retry-After (seconds or a date)', async () => {
    const code = 'CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN';
    const body = { ok: false, error: { code, message: 'changed' }, cancelable_amount: 5000 };
    const request = { merchant_uid: 'o', reason: 'r' };
    const outcome = await cancelPayment(
      connect(() => json(body, 409, { 'Retry-After': '7' })),
      request,
      'k',
    );
    expect(outcome).to.deep.equal({
      ok: false,
      error: { code, message: 'changed', cancelable_amount: 5000, retryAfter: 7 },
    });
    const later = new Date(Date.now() + 30_000).toUTCString();
    const slow = { ok: false, error: { code: 'RATE_LIMITED', message: 'slow' } };
    const limited = await loadPayment(
      connect(() => json(slow, 429, { 'Retry-After': later })),
      'o',
    );
    expect(!limited.ok && limited.error.retryAfter).to.be.within(29, 31);
  });

  it('judges unknown codes and bodies that are not ours by the HTTP status', async () => {
    const newCode = { ok: false, error: { code: 'NEW_CODE', message: 'x' } };
    const unknown = await loadPayment(
      connect(() => json(newCode, 403)),
      'o',
    );
    expect(!unknown.ok && unknown.error.code).to.equal('FORBIDDEN');
    const html = await loadPayment(
      connect(() => new Response('<h1>Bad gateway</h1>', { status: 502 })),
      'o',
    );
    // No answer of the proxy's own: what the call did is not known (a 4xx page kept the request from the proxy).
    const internal = { code: 'INTERNAL', message: 'HTTP 502', cancelable_amount: undefined, retryAfter: 0 };
    expect(!html.ok && html.error).to.deep.equal({ ...internal, unanswered: true });
    const rateLimited = await loadPayment(
      connect(() => new Response('slow down', { status: 429 })),
      'o',
    );
    expect(!rateLimited.ok && rateLimited.error.code).to.equal('RATE_LIMITED');
    expect(!rateLimited.ok && rateLimited.error.unanswered).to.equal(undefined);
    // A reverse proxy's own page for a body over its client_max_body_size.
    const page = '<h1>413 Request Entity Too Large</h1>';
    const tooLarge = await loadPayment(
      connect(() => new Response(page, { status: 413 })),
      'o',
    );
    expect(!tooLarge.ok && tooLarge.error.code).to.equal('PAYLOAD_TOO_LARGE');
  });

  it('calls a failed fetch NETWORK', async () => {
    const offline = () => Promise.reject(new TypeError('Failed to fetch'));
    const outcome = await loadPayment({ ...connect(() => json({})), fetch: offline }, 'o');
    expect(!outcome.ok && outcome.error.code).to.equal('NETWORK');
  });

  it('makes v4 UUIDs, also where crypto.randomUUID is missing (plain http pages)', () => {
    const v4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    expect(createIdempotencyKey()).to.match(v4);
    Object.defineProperty(crypto, 'randomUUID', { value: undefined, configurable: true });
    try {
      const keys = new Set(Array.from({ length: 50 }, createIdempotencyKey));
      expect(keys.size).to.equal(50);
      for (const key of keys) expect(key).to.match(v4);
    } finally {
      delete (crypto as { randomUUID?: unknown }).randomUUID; // uncovers Crypto.prototype.randomUUID again
    }
    expect(crypto.randomUUID).to.be.a('function');
  });
});
