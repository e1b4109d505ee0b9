/**
 * @module The token cache: getToken calls per 1,000 refunds with the proxy's cache against a client that fetches a
 * token for every call, and what that saves per refund when every i'mport call takes 50 ms.
 */
import type { Child } from './support/children.ts';
import { createLedger, type Ledger, seedLedger } from './support/ledger.ts';
import { runLoad } from './support/load.ts';
import { mintGrants, proxyRefund, refunded } from './support/orders.ts';
import { type Part, startFake, startProxy } from './support/stack.ts';
import { firstFailure, fmtCount, fmtMs, summarize, type Table } from './support/stats.ts';

/** A realistic round trip to api.iamport.kr from a server in Korea, applied to every call the fake answers. */
const DELAY_MS = 50;

export const tokenCache: Part = async (ctx) => {
  const refunds = ctx.quick ? 100 : 1_000;
  const delayed = ctx.quick ? 10 : 40;
  const fake = await startFake();
  const ledgers: Ledger[] = [];
  const proxies: Child[] = [];
  try {
    // The cache lives in the i'mport client, not the ledger: SQLite only. One proxy (and ledger) per variant.
    const variants = [
      { name: 'token cache (the proxy as shipped)', tokenCache: 'on' },
      { name: 'a token for every call (no cache)', tokenCache: 'off' },
    ] as const;
    const rows: string[][] = [];
    const saved: number[] = [];
    for (const [v, variant] of variants.entries()) {
      ctx.progress(`token: ${variant.tokenCache}`);
      const ledger = await createLedger('sqlite', `bench_token_${variant.tokenCache}`, null);
      ledgers.push(ledger);
      const [count, slow] = [`t${v}`, `s${v}`]; // order prefixes: the counted refunds, the delayed ones
      await fake.call('seed', { prefix: count, count: refunds });
      await fake.call('seed', { prefix: slow, count: delayed + 1 });
      await seedLedger(ledger.target, count, refunds);
      await seedLedger(ledger.target, slow, delayed + 1);
      const proxy = await startProxy({
        mode: 'proxy',
        ledger: ledger.target,
        iamportUrl: fake.url,
        tokenCache: variant.tokenCache,
      });
      proxies.push(proxy);

      // 1. getToken calls while 1,000 refunds go through, one after another, from a proxy that just started.
      const grants = await mintGrants(count, refunds);
      const before = await fake.call<number>('count', 'token');
      const counted = await runLoad({
        count: refunds,
        concurrency: 1,
        maxMs: 120_000,
        exchange: (i) => proxyRefund(proxy.url, count, i, grants[i] ?? ''),
        check: refunded,
      });
      const calls = (await fake.call<number>('count', 'token')) - before;

      // 2. Refund latency when every i'mport call (getToken too) takes DELAY_MS; order 0 warms up untimed.
      const slowGrants = await mintGrants(slow, delayed + 1);
      await fake.call('inject', { kind: 'delay', ms: DELAY_MS, route: 'any', times: 1e9 });
      const warm = await runLoad({
        count: 1,
        concurrency: 1,
        maxMs: 10_000,
        exchange: () => proxyRefund(proxy.url, slow, 0, slowGrants[0] ?? ''),
        check: refunded,
      });
      const timed = await runLoad({
        count: delayed,
        concurrency: 1,
        maxMs: 60_000,
        exchange: (i) => proxyRefund(proxy.url, slow, i + 1, slowGrants[i + 1] ?? ''),
        check: refunded,
      });
      await fake.call('clearFaults');

      const s = summarize(timed);
      saved.push(s.p50);
      const failure = firstFailure(counted, warm, timed);
      rows.push([
        variant.name,
        failure ? `invalid: ${failure}` : fmtCount(calls),
        fmtCount(s.n),
        fmtMs(s.p50),
        fmtMs(s.p99),
      ]);
    }
    const [cached, uncached] = saved;
    rows.push(['saved by the cache', '', '', fmtMs((uncached ?? Number.NaN) - (cached ?? Number.NaN)), '']);
    const table: Table = {
      title: "Token cache: getToken calls per 1,000 refunds, and refund latency when i'mport takes 50 ms a call",
      columns: [
        "i'mport client",
        `getToken calls in ${fmtCount(refunds)} refunds`,
        `refunds (${DELAY_MS} ms i'mport)`,
        'p50 ms',
        'p99 ms',
      ],
      rows,
      notes: [
        `Calls counted by the fake over ${fmtCount(refunds)} refunds at concurrency 1, from a freshly started proxy (SQLite`,
        `ledger). Latency: ${delayed} refunds at concurrency 1 with a ${DELAY_MS} ms delay on every fake i'mport call, after one`,
        'untimed refund. "No cache" is the same client given a clock that makes every cached token look due for refresh.',
      ],
    };
    return [table];
  } finally {
    for (const proxy of proxies) await proxy.stop();
    await fake.stop();
    for (const ledger of ledgers) await ledger.dispose();
  }
};
