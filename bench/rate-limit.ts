/**
 * @module The rate limiter's cost per request with 1,000 to 1,000,000 distinct keys (client IPs) in one window: first
 * each request with a key not seen before (a client writing a new X-Forwarded-For value every time), then each key
 * once more (clients coming back). BENCH_RATE_LIMIT_MODULE=<file> measures another rateLimit() with the same export
 * (an earlier version, to compare); its imports must resolve from where it lies.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Context } from 'hono';
import type { rateLimit as shipped } from '../proxy/middleware/rate-limit.ts';
import type { Part } from './support/stack.ts';
import { fmtCount, median, type Table } from './support/stats.ts';

/** The last requests of the first pass, timed on their own: the cost once the limiter already holds that many keys. */
const TAIL = 1_000;

interface Run {
  /** ns per request over the whole first pass (a new key each time). */
  readonly newKeys: number;
  /** ns per request over its last TAIL requests. */
  readonly newKeysTail: number;
  /** ns per request over the second pass (every key again, in the same order). */
  readonly again: number;
}

/** A key per client, as the proxy writes them (`ip:` and an IPv4 address). */
const keysFor = (count: number): string[] =>
  Array.from({ length: count }, (_, i) => `ip:10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);

const measure = async (rateLimit: typeof shipped, keys: readonly string[]): Promise<Run> => {
  let current = '';
  // All in one window, never over the limit: the limiter's bookkeeping alone, not a 429's exception.
  const limiter = rateLimit({ limit: 1e9, windowMs: 60_000, now: () => 1_767_225_600_000, key: () => current });
  const c = new Context(new Request('http://bench.test/payments/x'));
  const next = async () => undefined;
  const timed = async (from: number, to: number): Promise<number> => {
    const started = process.hrtime.bigint();
    for (let i = from; i < to; i++) {
      current = keys[i] ?? '';
      await limiter(c, next);
    }
    return Number(process.hrtime.bigint() - started);
  };
  const head = await timed(0, keys.length - TAIL);
  const tail = await timed(keys.length - TAIL, keys.length);
  const again = await timed(0, keys.length);
  return { newKeys: (head + tail) / keys.length, newKeysTail: tail / TAIL, again: again / keys.length };
};

const fmtNs = (ns: number): string => (ns >= 10_000 ? fmtCount(Math.round(ns)) : ns.toFixed(0));

export const rateLimiter: Part = async (ctx) => {
  const other = process.env.BENCH_RATE_LIMIT_MODULE;
  const module: { rateLimit: typeof shipped } = await import(
    other ? pathToFileURL(resolve(other)).href : '../proxy/middleware/rate-limit.ts'
  );
  const name = other ?? 'proxy/middleware/rate-limit.ts';
  ctx.progress(`ratelimit: warm-up (${name})`);
  await measure(module.rateLimit, keysFor(20_000));
  const rows: string[][] = [];
  // Past maxKeys (100,000) only for the shipped limiter: one that walks its map per new key would take hours there.
  for (const count of other ? [1_000, 100_000] : [1_000, 100_000, 1_000_000]) {
    // Small runs are over in microseconds: take the median of many.
    const repeats = count <= 1_000 ? (ctx.quick ? 5 : 101) : ctx.quick || count > 100_000 ? 1 : 5;
    const keys = keysFor(count);
    const runs: Run[] = [];
    for (let r = 0; r < repeats; r++) {
      ctx.progress(`ratelimit: ${fmtCount(count)} keys, run ${r + 1} of ${repeats}`);
      runs.push(await measure(module.rateLimit, keys));
    }
    rows.push([
      name,
      fmtCount(count),
      fmtNs(median(runs.map((run) => run.newKeys))),
      fmtNs(median(runs.map((run) => run.newKeysTail))),
      fmtNs(median(runs.map((run) => run.again))),
      String(repeats),
    ]);
  }
  const table: Table = {
    title: 'Rate limiter: ns per request with 1,000 to 1,000,000 distinct keys in one window',
    columns: [
      'limiter',
      'distinct keys',
      'new key each request',
      `new key, last ${fmtCount(TAIL)}`,
      'each key again',
      'runs (median)',
    ],
    rows,
    notes: [
      'rateLimit() called directly (one Hono Context, a next() that does nothing), limit never reached, all in one',
      'minute. "New key each request": a fresh limiter given that many keys it has not seen, one request each (a',
      `client writing a new X-Forwarded-For value every time); "last ${fmtCount(TAIL)}": the end of that pass, when the`,
      'limiter already holds nearly all of them. "Each key again": then every key once more, in the same order.',
      'With 1,000,000 keys the shipped limiter holds at most 100,000 (maxKeys) and forgets the older half each time it',
      'is full, so the second pass meets none of its keys again.',
    ],
  };
  return [table];
};
