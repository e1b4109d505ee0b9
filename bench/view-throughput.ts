/**
 * @module `GET /payments/:merchant_uid` (the refund view) at concurrency 32 on each ledger backend, beside a bare
 * Hono route that answers the same JSON, in the same run. Target: at least 40% of the bare route's throughput.
 */
import type { Child } from './support/children.ts';
import { createLedger, seedLedger } from './support/ledger.ts';
import { type LoadResult, runLoad } from './support/load.ts';
import { merchantUidOf, mintGrants, proxyView, viewed } from './support/orders.ts';
import { type Part, startFake, startProxy } from './support/stack.ts';
import { firstFailure, fmtCount, fmtMs, fmtRps, summarize, type Table } from './support/stats.ts';

const TARGET_SHARE = 0.4;
const CONCURRENCY = 32;
/** Orders the requests cycle through (all in the ledger, so no request reaches i'mport). */
const ORDERS = 1_000;
const ROUNDS = 4;

export const viewThroughput: Part = async (ctx) => {
  const count = ctx.quick ? 2_000 : 20_000;
  const rows: string[][] = [];
  const grants = await mintGrants('v', ORDERS);
  const exchange = (url: string) => (i: number) =>
    proxyView(url, merchantUidOf('v', i % ORDERS), grants[i % ORDERS] ?? '');
  const bare = await startProxy({ mode: 'bare' });
  try {
    for (const backend of ctx.backends) {
      ctx.progress(`view: ${backend}`);
      const server = backend === 'postgres' ? await ctx.postgres() : null;
      const ledger = await createLedger(backend, 'bench_view', server);
      const fake = await startFake();
      let proxy: Child | null = null;
      try {
        await seedLedger(ledger.target, 'v', ORDERS);
        proxy = await startProxy({ mode: 'proxy', ledger: ledger.target, iamportUrl: fake.url });
        const load = (url: string, n: number) =>
          runLoad({ count: n, concurrency: CONCURRENCY, maxMs: 60_000, exchange: exchange(url), check: viewed });
        await load(bare.url, 2_000); // warm-up, untimed
        await load(proxy.url, 2_000);
        const bareRuns: LoadResult[] = [];
        const proxyRuns: LoadResult[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          bareRuns.push(await load(bare.url, count / ROUNDS));
          proxyRuns.push(await load(proxy.url, count / ROUNDS));
        }
        const b = summarize(...bareRuns);
        const p = summarize(...proxyRuns);
        const failure = firstFailure(...bareRuns, ...proxyRuns);
        const share = p.rps / b.rps;
        rows.push([backend, 'bare Hono route', fmtCount(b.n), fmtRps(b.rps), fmtMs(b.p50), fmtMs(b.p99), '100%', '']);
        rows.push([
          backend,
          'the proxy',
          fmtCount(p.n),
          fmtRps(p.rps),
          fmtMs(p.p50),
          fmtMs(p.p99),
          `${Math.round(share * 100)}%`,
          failure ? `invalid: ${failure}` : share >= TARGET_SHARE ? 'met' : 'missed',
        ]);
      } finally {
        await proxy?.stop();
        await fake.stop();
        await ledger.dispose();
      }
    }
  } finally {
    await bare.stop();
  }
  const table: Table = {
    title: 'Refund view: `GET /payments/:merchant_uid` at concurrency 32, beside a bare Hono route',
    columns: [
      'ledger',
      'route',
      'requests',
      'req/s',
      'p50 ms',
      'p99 ms',
      'of bare',
      `target: ≥ ${TARGET_SHARE * 100}%`,
    ],
    rows,
    notes: [
      `Both are @hono/node-server processes on loopback, measured in ${ROUNDS} alternating runs after an untimed warm-up.`,
      `The proxy checks the grant (HS256), Origin, rate limits, reads the ledger and logs the request, for ${fmtCount(ORDERS)}`,
      "orders already in its ledger (no i'mport call). The bare route answers a fixed refund view of the same shape.",
      'The load generator runs on the same 2 cores.',
    ],
  };
  return [table];
};
