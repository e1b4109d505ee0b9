/**
 * @module The admin API's refund list at scale: `GET /admin/refunds?limit=50` (the first page, a deep page by cursor,
 * one order's attempts, one status) through the proxy with 1,000 against 1,000,000 attempts in the ledger, on each
 * backend. Target: the large ledger within 1.2x of the small one (p50).
 */
import { encodeCursor } from '../proxy/admin/cursor.ts';
import { attemptAt, fillAttempts } from './support/attempts.ts';
import type { Child } from './support/children.ts';
import { createLedger, type Ledger } from './support/ledger.ts';
import { type Answer, jsonField, type LoadResult, runLoad } from './support/load.ts';
import { type Part, startProxy } from './support/stack.ts';
import { firstFailure, fmtCount, fmtMs, summarize, type Table } from './support/stats.ts';

const TARGET_RATIO = 1.2;
const ROUNDS = 8;
const PAGE = 50;
const ADMIN_KEY = 'bench-admin-key-0123456789abcdefghijklmnop';

/** A small deterministic PRNG (mulberry32), so every run asks for the same orders. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
};

interface Shape {
  readonly name: string;
  readonly describe: string;
  /** The query string of the n-th request on a ledger of `size` attempts. */
  readonly query: (size: number, pick: () => number) => string;
  /** How many rows the page must hold. */
  readonly rows: (size: number) => number;
}

const SHAPES: readonly Shape[] = [
  { name: 'first page', describe: 'the newest 50', query: () => '', rows: () => PAGE },
  {
    name: 'deep page',
    describe: 'the 50 after a cursor halfway down the list',
    query: (size) => `&cursor=${encodeCursor(attemptAt(Math.floor(size / 2), size))}`,
    rows: () => PAGE,
  },
  {
    name: 'merchant_uid=',
    describe: "one order's attempts (2 of them), an order drawn at random",
    query: (size, pick) => `&merchant_uid=${attemptAt(Math.floor(pick() * size), size).merchant_uid}`,
    rows: () => 2,
  },
  {
    // Rejected (6% of all) fills a page of 50 at 1,000 attempts too: a rarer status would compare 30 rows with 50.
    name: 'status=rejected',
    describe: 'the newest 50 rejected ones (6% of all)',
    query: () => '&status=rejected',
    rows: () => PAGE,
  },
];

interface Sized {
  readonly size: number;
  readonly ledger: Ledger;
  proxy: Child | null;
  readonly runs: LoadResult[][];
}

const listed =
  (expected: number) =>
  (answer: Answer): string | null => {
    const data = jsonField(answer.body, 'data');
    if (answer.status === 200 && Array.isArray(data) && data.length === expected) return null;
    return `HTTP ${answer.status}, ${Array.isArray(data) ? data.length : 'no'} rows (expected ${expected}): ${answer.body.slice(0, 200)}`;
  };

export const adminList: Part = async (ctx) => {
  const sizes = ctx.quick ? [1_000, 100_000] : [1_000, 1_000_000];
  // Requests per shape and size (a multiple of ROUNDS); few, since a deep page on PostgreSQL takes most of a second.
  const perShape = ctx.quick ? 40 : 200;
  const warm = perShape / 10;
  const rows: string[][] = [];
  const verdicts: string[][] = [];

  for (const backend of ctx.backends) {
    const sized: Sized[] = [];
    try {
      // Both ledgers are built first and measured in alternating runs, so drift in the machine hits both alike.
      for (const size of sizes) {
        ctx.progress(`admin: ${backend}: filling ${fmtCount(size)} attempts`);
        const server = backend === 'postgres' ? await ctx.postgres() : null;
        const ledger = await createLedger(backend, `bench_admin_${size}`, server);
        const entry: Sized = { size, ledger, proxy: null, runs: SHAPES.map(() => []) };
        sized.push(entry);
        await fillAttempts(ledger.target, size);
        // The admin API never calls i'mport: nothing listens on the discard port.
        entry.proxy = await startProxy({
          mode: 'proxy',
          ledger: ledger.target,
          iamportUrl: 'http://127.0.0.1:9',
          adminKeys: [ADMIN_KEY],
        });
      }
      ctx.progress(`admin: ${backend}: measuring`);
      for (const entry of sized) {
        for (const shape of SHAPES) await listRun(entry, shape, warm, random(1));
      }
      const picks = sized.map((entry) => random(entry.size));
      for (let round = 0; round < ROUNDS; round++) {
        for (const [s, entry] of sized.entries()) {
          for (const [k, shape] of SHAPES.entries()) {
            entry.runs[k]?.push(await listRun(entry, shape, perShape / ROUNDS, picks[s] ?? Math.random));
          }
        }
      }
      for (const entry of sized) {
        rows.push([
          backend,
          fmtCount(entry.size),
          ...entry.runs.flatMap((runs) => {
            const summary = summarize(...runs);
            return [fmtMs(summary.p50), fmtMs(summary.p99)];
          }),
        ]);
      }
      const [small, large] = sized;
      if (small && large) {
        verdicts.push([
          backend,
          ...SHAPES.flatMap((_, k) => {
            const failure = firstFailure(...(small.runs[k] ?? []), ...(large.runs[k] ?? []));
            const ratio = summarize(...(large.runs[k] ?? [])).p50 / summarize(...(small.runs[k] ?? [])).p50;
            return [`${ratio.toFixed(2)}x`, failure ? `invalid: ${failure}` : ratio <= TARGET_RATIO ? 'met' : 'missed'];
          }),
        ]);
      }
    } finally {
      for (const entry of sized) await entry.proxy?.stop();
      for (const entry of sized) await entry.ledger.dispose();
    }
  }

  const [small, large] = sizes.map(fmtCount);
  return [
    {
      title: `Admin API: \`GET /admin/refunds?limit=${PAGE}\` with ${small} and ${large} attempts stored (concurrency 1)`,
      columns: ['ledger', 'attempts', ...SHAPES.flatMap((shape) => [`${shape.name} p50 ms`, `${shape.name} p99 ms`])],
      rows,
      notes: [
        ...SHAPES.map((shape) => `${shape.name}: ${shape.describe}.`),
        'Attempts are bulk-inserted (random-looking ids, two per order, pairs sharing a millisecond), then ANALYZE',
        `(VACUUM ANALYZE on PostgreSQL). ${fmtCount(perShape)} requests per shape and size, JSON, with an admin key; both sizes`,
        `run side by side, one proxy each, in ${ROUNDS} alternating runs after an untimed warm-up.`,
      ],
    },
    {
      title: `Admin API: ${large} against ${small} attempts (p50)`,
      columns: ['ledger', ...SHAPES.flatMap((shape) => [`${shape.name} ratio`, `${shape.name}: ≤ ${TARGET_RATIO}x`])],
      rows: verdicts,
    } satisfies Table,
  ];
};

const listRun = (entry: Sized, shape: Shape, count: number, pick: () => number): Promise<LoadResult> => {
  const url = entry.proxy?.url ?? '';
  return runLoad({
    count,
    concurrency: 1,
    maxMs: 120_000,
    exchange: () => ({
      method: 'GET',
      url: `${url}/admin/refunds?limit=${PAGE}${shape.query(entry.size, pick)}`,
      headers: { Authorization: `Bearer ${ADMIN_KEY}` },
    }),
    check: listed(shape.rows(entry.size)),
  });
};
