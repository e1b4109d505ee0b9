// The Workers entry's configuration from wrangler.toml's [vars]: a value written without quotes (RATE_LIMIT_PER_IP =
// 120, HEALTH_DETAILS = true) reaches the Worker as a number or a boolean (a JSON binding), not as text. Such a setting
// must be read as the same text in an environment variable is on Node, not dropped in silence for its default.
import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { useTempSchema } from '../test-support/postgres-schema.ts';
import worker from './workers.ts';

const url = useTempSchema('refund_workers_vars', 'proxy/entries/workers-typed-vars.test.ts');

const context = () => {
  const kept: Promise<unknown>[] = [];
  return { kept, waitUntil: (promise: Promise<unknown>) => void kept.push(promise) };
};

if (url) {
  describe('the Workers entry, [vars] written without quotes', () => {
    it('reads a number and a boolean var as Node reads the same text (HEALTH_DETAILS, RATE_LIMIT_PER_IP)', async () => {
      const bindings = {
        IMP_KEY: 'k',
        IMP_SECRET: 's',
        REFUND_TOKEN_SECRET: 'workers-typed-vars-secret-0123456789-abcdef',
        DATABASE_URL: url,
        ALLOWED_ORIGINS: 'https://shop.example',
        HEALTH_DETAILS: true,
        RATE_LIMIT_PER_IP: 1,
      };
      const lines = mock.method(console, 'log', () => undefined);
      try {
        const ctx = context();
        const res = await worker.fetch(new Request('https://refunds.example/health'), bindings, ctx);
        await Promise.all(ctx.kept);
        assert.equal(res.status, 200);
        const health = (await res.json()) as Record<string, unknown>;
        assert.equal(health.mode, 'live', 'HEALTH_DETAILS = true shows the details');
        assert.equal(health.iamport, 'https://api.iamport.kr');

        const view = async () => {
          const c = context();
          const r = await worker.fetch(
            new Request('https://refunds.example/payments/ORDER-1', {
              headers: { 'CF-Connecting-IP': '198.51.100.7', Origin: 'https://shop.example' },
            }),
            bindings,
            c,
          );
          await Promise.all(c.kept);
          return r.status;
        };
        assert.equal(await view(), 401, 'the first is let through (and refused for want of a grant)');
        assert.equal(await view(), 429, 'RATE_LIMIT_PER_IP = 1: the second within the minute is limited');
      } finally {
        lines.mock.restore();
      }
    });
  });
}
