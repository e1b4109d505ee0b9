/**
 * @module The hourly look's read of the refund audit at scale: Store.unansweredRefundsToLook (the payments of the last
 * day's refunds that got no answer and were settled from the gateway's history, read again in case a cancel lands on
 * them late) with 1,000 and 1,000,000 attempts stored, on each backend. It runs in the proxy's own process once an
 * hour; on SQLite its time is time the process does nothing else. No target: what it reads grows with the day's
 * refunds that got no answer (it picks among them at random), not with the audit's older history, which the indexes
 * leave unread; the figures say what an hour's look costs at a volume far past a shop's.
 */
import { attemptAt, fillAttempts, runThenAnalyze } from './support/attempts.ts';
import { createLedger, type Ledger, type LedgerTarget, openStore } from './support/ledger.ts';
import type { Part } from './support/stack.ts';
import { fmtCount, fmtMs, percentile, type Table } from './support/stats.ts';

const ROUNDS = 8;
/** As attention.ts asks: ten looks an hour, ten rows read for each. */
const LIMIT = 100;
const DAY_MS = 86_400_000;
/** The window a cancel may still run in (attention.ts's afterMs): those settled as not made ended past it. */
const WINDOW_MS = 600_000;

/**
 * The filled audit's failed attempts (3% of all) made refunds settled as not made for want of an answer (ended eleven
 * minutes after they began), and one succeeded attempt in a hundred (i mod 100 = 89) one settled as made from the
 * gateway's history (no gateway code): what the look reads.
 */
const UNANSWERED = [
  `UPDATE refund_attempts SET error_code = 'UPSTREAM_UNAVAILABLE', iamport_code = NULL, finished_at = started_at + 660000
    WHERE outcome = 'failed'`,
  `UPDATE refund_attempts SET iamport_code = NULL WHERE outcome = 'succeeded' AND idempotency_key LIKE '%89'`,
];

const markUnanswered = (target: LedgerTarget): Promise<void> => runThenAnalyze(target, () => UNANSWERED);

interface Sized {
  readonly size: number;
  readonly ledger: Ledger;
  readonly times: number[];
  /** Payments listed by the first read: a read that finds none measures nothing. */
  listed: number;
}

export const hourlyLook: Part = async (ctx) => {
  const sizes = ctx.quick ? [1_000, 100_000] : [1_000, 1_000_000];
  const perRound = ctx.quick ? 5 : 25;
  const rows: string[][] = [];
  for (const backend of ctx.backends) {
    const sized: Sized[] = [];
    try {
      for (const size of sizes) {
        ctx.progress(`look: ${backend}: filling ${fmtCount(size)} attempts`);
        const server = backend === 'postgres' ? await ctx.postgres() : null;
        const ledger = await createLedger(backend, `bench_look_${size}`, server);
        sized.push({ size, ledger, times: [], listed: 0 });
        await fillAttempts(ledger.target, size);
        await markUnanswered(ledger.target);
      }
      ctx.progress(`look: ${backend}: measuring`);
      const stores = sized.map((entry) => openStore(entry.ledger.target));
      try {
        const since = sized.map((entry) => attemptAt(entry.size - 1, entry.size).started_at - DAY_MS);
        for (const [s, store] of stores.entries()) {
          sized[s]!.listed = (await store.unansweredRefundsToLook(since[s]!, WINDOW_MS, LIMIT)).length; // warm-up
        }
        for (let round = 0; round < ROUNDS; round++) {
          for (const [s, store] of stores.entries()) {
            for (let k = 0; k < perRound; k++) {
              const started = performance.now();
              await store.unansweredRefundsToLook(since[s]!, WINDOW_MS, LIMIT);
              sized[s]!.times.push(performance.now() - started);
            }
          }
        }
      } finally {
        for (const store of stores) await store.close();
      }
      for (const entry of sized) {
        const sorted = [...entry.times].sort((a, b) => a - b);
        const day = Math.min(entry.size, DAY_MS / 500);
        rows.push([
          backend,
          fmtCount(entry.size),
          fmtCount(day),
          fmtCount(Math.round(day * 0.03)),
          fmtCount(Math.round(day * 0.01)),
          entry.listed === 0 ? 'invalid: nothing listed' : fmtCount(entry.listed),
          fmtMs(percentile(sorted, 50)),
          fmtMs(percentile(sorted, 99)),
          fmtMs(sorted.at(-1) ?? Number.NaN),
        ]);
      }
    } finally {
      for (const entry of sized) await entry.ledger.dispose();
    }
  }
  const [small, large] = sizes.map(fmtCount);
  return [
    {
      title: `The hourly look's read of the audit (Store.unansweredRefundsToLook) with ${small} and ${large} attempts`,
      columns: [
        'ledger',
        'attempts',
        'of the last day',
        'settled as not made (about)',
        'settled as made (about)',
        'payments listed',
        'p50 ms',
        'p99 ms',
        'max ms',
      ],
      rows,
      notes: [
        `The audit of the admin benchmark (two attempts a second, the newest last), its failed attempts made refunds`,
        `settled as not made for want of an answer and one succeeded in a hundred one settled as made from the gateway's`,
        `history. Each read asks for up to ${LIMIT} payments of the last day's, in the process (no proxy): on SQLite the`,
        `proxy's thread waits that long. ${ROUNDS} alternating rounds of ${perRound} reads per size, after one untimed read.`,
      ],
    } satisfies Table,
  ];
};
