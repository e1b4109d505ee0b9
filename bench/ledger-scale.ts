/**
 * @module The ledger at scale: refund-view lookup and refund latency through the proxy with 1,000 against
 * 1,000,000 payments stored, on each backend. Target: the large ledger within 1.2x of the small one (p50).
 */
import { mintGrant } from '../proxy/auth/grant.ts';
import type { Child } from './support/children.ts';
import { createLedger, fillerUidOf, fillPayments, type Ledger, seedLedger } from './support/ledger.ts';
import { type LoadResult, runLoad } from './support/load.ts';
import { GRANT_SECRET, merchantUidOf, mintGrants, proxyRefund, proxyView, refunded, viewed } from './support/orders.ts';
import { type Part, startFake, startProxy } from './support/stack.ts';
import { firstFailure, fmtCount, fmtMs, type Summary, summarize, type Table } from './support/stats.ts';

const TARGET_RATIO = 1.2;
const ROUNDS = 8;

/** A small deterministic PRNG (mulberry32), so every run looks up the same orders. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
};

interface Sized {
  readonly size: number;
  readonly ledger: Ledger;
  proxy: Child | null;
  /** Orders to look up (any stored order, the warm-up's first), with their grants. */
  readonly lookups: { uid: string; grant: string }[];
  readonly lookupRuns: LoadResult[];
  readonly refundRuns: LoadResult[];
}

export const ledgerScale: Part = async (ctx) => {
  const sizes = ctx.quick ? [1_000, 100_000] : [1_000, 1_000_000];
  const targets = ctx.quick ? 32 : 400; // orders refunded (a multiple of 2 × ROUNDS), in the fake and the ledger
  const lookups = ctx.quick ? 200 : 2_000;
  const warm = lookups / 10; // lookups of other orders first, untimed
  const rows: string[][] = [];
  const verdicts: string[][] = [];

  for (const backend of ctx.backends) {
    const fake = await startFake();
    const sized: Sized[] = [];
    try {
      await fake.call('seed', { prefix: 'lt', count: targets });
      // Both ledgers are built first and measured in alternating runs, so drift in the machine hits both alike.
      for (const size of sizes) {
        ctx.progress(`ledger: ${backend}: filling ${fmtCount(size)} payments`);
        const server = backend === 'postgres' ? await ctx.postgres() : null;
        const ledger = await createLedger(backend, `bench_ledger_${size}`, server);
        const entry: Sized = { size, ledger, proxy: null, lookups: [], lookupRuns: [], refundRuns: [] };
        sized.push(entry);
        await fillPayments(ledger.target, size - targets);
        await seedLedger(ledger.target, 'lt', targets);
        const pick = random(size);
        for (let i = 0; i < warm + lookups; i++) {
          const n = Math.floor(pick() * size);
          const uid = n < targets ? merchantUidOf('lt', n) : fillerUidOf(n - targets);
          // A grant of its own for every lookup: the proxy remembers grants it has verified, and with 1,000 orders
          // most lookups would repeat one, which would time the grant cache rather than the ledger.
          entry.lookups.push({
            uid,
            grant: await mintGrant(GRANT_SECRET, { merchantUid: uid, ttlSeconds: 3600, jti: `lookup-${i}` }),
          });
        }
        entry.proxy = await startProxy({ mode: 'proxy', ledger: ledger.target, iamportUrl: fake.url });
      }
      ctx.progress(`ledger: ${backend}: measuring`);
      const grants = await mintGrants('lt', targets);
      for (const entry of sized) await lookupRun(entry, 0, warm);
      const chunk = lookups / ROUNDS;
      const refundChunk = targets / ROUNDS / sizes.length;
      for (let round = 0; round < ROUNDS; round++) {
        for (const [s, entry] of sized.entries()) {
          entry.lookupRuns.push(await lookupRun(entry, warm + round * chunk, chunk));
          const from = (round * sizes.length + s) * refundChunk;
          const url = entry.proxy?.url ?? '';
          entry.refundRuns.push(
            await runLoad({
              count: refundChunk,
              concurrency: 1,
              maxMs: 60_000,
              exchange: (i) => proxyRefund(url, 'lt', from + i, grants[from + i] ?? ''),
              check: refunded,
            }),
          );
        }
      }
      const results = sized.map((e) => ({
        size: e.size,
        lookup: summarize(...e.lookupRuns),
        refund: summarize(...e.refundRuns),
      }));
      for (const { size, lookup, refund } of results) {
        rows.push([
          backend,
          fmtCount(size),
          fmtMs(lookup.p50),
          fmtMs(lookup.p99),
          fmtMs(refund.p50),
          fmtMs(refund.p99),
        ]);
      }
      const [small, large] = results;
      if (small && large) {
        const failure = firstFailure(...sized.flatMap((e) => [...e.lookupRuns, ...e.refundRuns]));
        verdicts.push([
          backend,
          ...ratio(large.lookup, small.lookup, failure),
          ...ratio(large.refund, small.refund, failure),
        ]);
      }
    } finally {
      for (const entry of sized) await entry.proxy?.stop();
      await fake.stop();
      for (const entry of sized) await entry.ledger.dispose();
    }
  }

  const [small, large] = sizes.map(fmtCount);
  return [
    {
      title: `Ledger at scale: latency through the proxy with ${small} and ${large} payments stored (concurrency 1)`,
      columns: ['ledger', 'payments stored', 'lookup p50 ms', 'lookup p99 ms', 'refund p50 ms', 'refund p99 ms'],
      rows,
      notes: [
        `Lookup: \`GET /payments/:merchant_uid\` of ${fmtCount(lookups)} orders drawn at random from all stored, each with a grant`,
        'of its own (so no lookup is helped by the proxy remembering a grant it verified before);',
        `refund: a partial refund of ${fmtCount(targets / sizes.length)} distinct orders per size. Filler payments are`,
        'bulk-inserted (random-looking imp_uids), then ANALYZE (VACUUM ANALYZE on PostgreSQL). Both sizes run side',
        `by side, one proxy each, in ${ROUNDS} alternating runs after an untimed warm-up.`,
      ],
    },
    {
      title: `Ledger at scale: ${large} against ${small} payments (p50)`,
      columns: ['ledger', 'lookup ratio', `lookup: ≤ ${TARGET_RATIO}x`, 'refund ratio', `refund: ≤ ${TARGET_RATIO}x`],
      rows: verdicts,
    } satisfies Table,
  ];
};

const lookupRun = (entry: Sized, from: number, count: number): Promise<LoadResult> => {
  const url = entry.proxy?.url ?? '';
  return runLoad({
    count,
    concurrency: 1,
    maxMs: 60_000,
    exchange: (i) => {
      const lookup = entry.lookups[from + i];
      return proxyView(url, lookup?.uid ?? '', lookup?.grant ?? '');
    },
    check: viewed,
  });
};

const ratio = (large: Summary, small: Summary, failure: string | null): [string, string] => {
  const r = large.p50 / small.p50;
  return [`${r.toFixed(2)}x`, failure ? `invalid: ${failure}` : r <= TARGET_RATIO ? 'met' : 'missed'];
};
