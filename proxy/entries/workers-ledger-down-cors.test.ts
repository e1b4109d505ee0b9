// The Workers entry while its ledger cannot be opened (a fresh isolate during a database outage): a shop page on an
// allowed origin must still read the 503 UPSTREAM_UNAVAILABLE answer, as it does on Node, Deno and Bun, where the same
// outage is answered by the app (with its CORS headers). Unreadable, the widget takes it for no answer at all (NETWORK:
// "it may have been made", a console line blaming ALLOWED_ORIGINS).
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it, mock } from 'node:test';
import { mintGrant } from '../auth/grant.ts';
import worker from './workers.ts';

const SECRET = 'workers-ledger-down-secret-0123456789-abcdef';
const SHOP = 'https://shop.example';

const closedPort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 1));
    });
  });

const context = () => {
  const kept: Promise<unknown>[] = [];
  return { kept, waitUntil: (promise: Promise<unknown>) => void kept.push(promise) };
};

describe('the Workers entry, its ledger not reachable', () => {
  it('answers a preflight and a refund from an allowed origin with CORS headers, as the other entries do', async () => {
    const port = await closedPort();
    const bindings = {
      IMP_KEY: 'k',
      IMP_SECRET: 's',
      REFUND_TOKEN_SECRET: SECRET,
      ALLOWED_ORIGINS: SHOP,
      DATABASE_URL: `postgres://u:p@127.0.0.1:${port}/refunds?connect_timeout=1`,
    };
    const lines = mock.method(console, 'log', () => undefined);
    try {
      const preflightCtx = context();
      const preflight = await worker.fetch(
        new Request('https://refunds.example/payments/cancel', {
          method: 'OPTIONS',
          headers: {
            Origin: SHOP,
            'Access-Control-Request-Method': 'POST',
            'Access-Control-Request-Headers': 'authorization,content-type,idempotency-key',
          },
        }),
        bindings,
        preflightCtx,
      );
      await Promise.all(preflightCtx.kept);
      assert.equal(preflight.status, 204, 'a preflight needs no ledger');
      assert.equal(preflight.headers.get('Access-Control-Allow-Origin'), SHOP);

      const grant = await mintGrant(SECRET, { merchantUid: 'ORDER-1' });
      const ctx = context();
      const res = await worker.fetch(
        new Request('https://refunds.example/payments/cancel', {
          method: 'POST',
          headers: {
            Origin: SHOP,
            Authorization: `Bearer ${grant}`,
            'Content-Type': 'application/json',
            'Idempotency-Key': 'k-1',
          },
          body: JSON.stringify({ merchant_uid: 'ORDER-1', reason: 'changed my mind' }),
        }),
        bindings,
        ctx,
      );
      await Promise.all(ctx.kept);
      assert.equal(res.status, 503);
      assert.equal(res.headers.get('Access-Control-Allow-Origin'), SHOP, 'the page can read why');
      const body = (await res.json()) as { ok: boolean; error: { code: string; message: string } };
      assert.equal(body.error.code, 'UPSTREAM_UNAVAILABLE');
      assert.match(body.error.message, /sent no refund/);
    } finally {
      lines.mock.restore();
    }
  });
});
