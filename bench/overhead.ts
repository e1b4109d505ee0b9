/**
 * @module Proxy overhead: a refund through the proxy against the same cancel sent straight to the fake gateway, in
 * the same run, at concurrency 1 and 32, on each gateway (i'mport, PortOne V2) and each ledger backend. Target: the
 * proxy adds at most 2 ms at p50.
 */
import type { Child } from './support/children.ts';
import { PROFILES } from './support/gateway-profile.ts';
import { createLedger, seedLedger } from './support/ledger.ts';
import { type LoadResult, runLoad } from './support/load.ts';
import { mintGrants, proxyRefund, refunded } from './support/orders.ts';
import { type Part, startProxy } from './support/stack.ts';
import { firstFailure, fmtCount, fmtMs, fmtRps, summarize, type Table } from './support/stats.ts';

const TARGET_MS = 2;
/** Each stage alternates straight and proxied runs this many times, so drift in the machine hits both alike. */
const ROUNDS = 8;

export const overhead: Part = async (ctx) => {
  const stages = [
    { name: 'warm', concurrency: 8, count: ctx.quick ? 40 : 200, timed: false },
    { name: 'c1', concurrency: 1, count: ctx.quick ? 100 : 2_000, timed: true },
    { name: 'c32', concurrency: 32, count: ctx.quick ? 640 : 4_000, timed: true },
  ] as const;
  const rows: string[][] = [];

  for (const profile of ctx.gateways.map((name) => PROFILES[name])) {
    for (const backend of ctx.backends) {
      const label = `overhead: ${profile.name}: ${backend}`;
      ctx.progress(`${label}: seeding`);
      const server = backend === 'postgres' ? await ctx.postgres() : null;
      const ledger = await createLedger(backend, 'bench_overhead', server);
      const fake = await profile.start();
      let proxy: Child | null = null;
      try {
        // Every refund gets its own order: refunds of one order take turns on its lease, which is not what we measure.
        for (const stage of stages) {
          await fake.seed(`p${stage.name}`, stage.count);
          await fake.seed(`d${stage.name}`, stage.count);
          await seedLedger(ledger.target, `p${stage.name}`, stage.count, profile.ledgerRecordOf);
        }
        proxy = await startProxy({ mode: 'proxy', ledger: ledger.target, ...fake.proxyTarget });
        const proxyUrl = proxy.url;

        for (const stage of stages) {
          ctx.progress(`${label}: ${stage.name}`);
          const grants = await mintGrants(`p${stage.name}`, stage.count);
          const chunk = Math.ceil(stage.count / ROUNDS);
          const straight: LoadResult[] = [];
          const proxied: LoadResult[] = [];
          let proxyCpuUs = 0;
          for (let round = 0; round < ROUNDS; round++) {
            const from = round * chunk;
            const count = Math.min(chunk, stage.count - from);
            const common = { count, concurrency: stage.concurrency, maxMs: 60_000 };
            straight.push(
              await runLoad({
                ...common,
                exchange: (i) => fake.directCancel(`d${stage.name}`, from + i),
                check: profile.cancelled,
              }),
            );
            const cpuBefore = await proxy.call<number>('cpu');
            proxied.push(
              await runLoad({
                ...common,
                exchange: (i) => proxyRefund(proxyUrl, `p${stage.name}`, from + i, grants[from + i] ?? ''),
                check: refunded,
              }),
            );
            proxyCpuUs += (await proxy.call<number>('cpu')) - cpuBefore;
          }
          if (!stage.timed) continue;
          const s = summarize(...straight);
          const p = summarize(...proxied);
          const failure = firstFailure(...straight, ...proxied);
          const added = p.p50 - s.p50;
          rows.push([
            profile.name,
            backend,
            String(stage.concurrency),
            fmtCount(p.n),
            fmtMs(s.p50),
            fmtMs(s.p99),
            fmtRps(s.rps),
            fmtMs(p.p50),
            fmtMs(p.p99),
            fmtRps(p.rps),
            fmtMs(proxyCpuUs / 1000 / p.n),
            fmtMs(added),
            fmtMs(p.p99 - s.p99),
            failure ? `invalid: ${failure}` : added <= TARGET_MS ? 'met' : 'missed',
          ]);
        }
      } finally {
        await proxy?.stop();
        await fake.stop();
        await ledger.dispose();
      }
    }
  }

  const table: Table = {
    title: 'Proxy overhead: a refund through the proxy against the same cancel sent straight to the fake gateway',
    columns: [
      'gateway',
      'ledger',
      'concurrency',
      'refunds',
      'straight p50 ms',
      'straight p99 ms',
      'straight req/s',
      'proxy p50 ms',
      'proxy p99 ms',
      'proxy req/s',
      'proxy CPU ms per refund',
      'added p50 ms',
      'added p99 ms',
      `target: adds ≤ ${TARGET_MS} ms at p50`,
    ],
    rows,
    notes: [
      'Straight: the cancel the proxy sends, sent by the bench to the fake gateway (its own process, HTTP on loopback):',
      ...ctx.gateways.map((name) => PROFILES[name].straightNote),
      "Proxy: the widget's refund (grant, Idempotency-Key, Origin) to the proxy (its own process, wired as `npm start`,",
      'request log on, on that gateway), which sends that same cancel to the fake. Each refund is a partial one of its',
      `own order, already in the ledger. Runs alternate straight/proxy ${ROUNDS} times per row, after an untimed`,
      'warm-up of both.',
      "Proxy CPU: the proxy process's user + system time over its timed runs, divided by the refunds; one core can",
      'serve at most 1,000 ÷ that many refunds per second, and with 32 refunds always in flight a refund waits for',
      'the other 31, so p50 at concurrency 32 cannot be below about 32 × that figure.',
    ],
  };
  return [table];
};
