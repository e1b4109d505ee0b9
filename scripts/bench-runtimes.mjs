#!/usr/bin/env node
/**
 * @module `npm run bench:runtimes` (node --import tsx scripts/bench-runtimes.mjs): the proxy on Node, workerd, Deno
 * and Bun in one run, each started by the runtime tests' harness against the same fake i'mport implementation and one
 * PostgreSQL (DATABASE_URL, else a throwaway server), one runtime at a time. For each runtime it measures:
 *
 *   start    spawn until the first 200 on GET /health (the ledger migrated), median of START_RUNS cold starts
 *   idle RSS resident memory of the runtime's processes, a second after start, before any refund
 *   refund   latency of POST /payments/cancel, one at a time, each a full refund of its own order (lease, ledger,
 *            i'mport lookup and cancel, audit), after WARMUP unmeasured ones; p50 and p99 of REFUNDS
 *   RSS after  resident memory again, SETTLE seconds after the last refund (idle again: what it keeps after work)
 *
 * Prints a Markdown table for docs/BENCHMARKS.md. Rate limits are off so the refunds are not throttled.
 * Options: --refunds N (default 300), --starts N (default 5), --settle S (default 30), --only node,bun.
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { mintGrant } from '../proxy/auth/grant.ts';
import { createFakeIamport } from '../proxy/gateways/iamport/fake/fake-iamport.ts';
import { serveFakeIamport } from '../proxy/gateways/iamport/fake/serve-node.ts';
import {
  buildBundles,
  GRANT_SECRET,
  proxyEnv,
  ROOT,
  RUNTIMES,
  rssBytes,
  startLedgerServer,
  startProxy,
} from '../runtime-tests/harness.ts';

const { values } = parseArgs({
  options: {
    refunds: { type: 'string', default: '300' },
    starts: { type: 'string', default: '5' },
    settle: { type: 'string', default: '30' },
    only: { type: 'string' },
  },
});
const REFUNDS = Number(values.refunds);
const START_RUNS = Number(values.starts);
const SETTLE_S = Number(values.settle);
const WARMUP = 20;
const runtimes = values.only ? values.only.split(',') : RUNTIMES;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
/** Nearest-rank percentile. */
const percentile = (xs, p) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

/** What ran, by runtime: its version and the file it ran. */
const binVersion = (name) =>
  spawnSync(join(ROOT, 'node_modules/.bin', name), ['--version'], { encoding: 'utf8' })
    .stdout.trim()
    .split('\n')[0];
const labels = {
  node: `Node ${process.versions.node} (dist/node.js)`,
  workerd: `${binVersion('workerd')} (raw workerd, dist/worker.js)`,
  deno: `${binVersion('deno')
    .replace(/^deno/, 'Deno')
    .replace(/ \(.*$/, '')} (dist/deno.js)`,
  bun: `Bun ${binVersion('bun')} (dist/bun.js)`,
};

const benchRuntime = async (runtime, ledgers) => {
  const fake = createFakeIamport();
  const served = await serveFakeIamport(fake);
  const ledger = await ledgers.ledger(`bench_${runtime}`);
  const env = { ...proxyEnv(served.url, ledger.url), RATE_LIMIT_PER_IP: '0', RATE_LIMIT_PER_ORDER: '0' };
  try {
    const starts = [];
    for (let i = 0; i < START_RUNS - 1; i += 1) {
      const proxy = await startProxy(runtime, env);
      starts.push(proxy.startMs);
      await proxy.stop();
    }
    const proxy = await startProxy(runtime, env);
    starts.push(proxy.startMs);
    try {
      await sleep(1000);
      const idleRss = rssBytes(proxy.pid);
      const orders = [];
      for (let i = 0; i < WARMUP + REFUNDS; i += 1) {
        const merchantUid = `B-${runtime}-${i}`;
        fake.addPayment({ merchant_uid: merchantUid, amount: 10000 });
        orders.push({ merchantUid, grant: await mintGrant(GRANT_SECRET, { merchantUid }) });
      }
      const latencies = [];
      for (const [i, { merchantUid, grant }] of orders.entries()) {
        const started = performance.now();
        const res = await fetch(`${proxy.url}/payments/cancel`, {
          method: 'POST',
          headers: {
            Authorization: `Bearer ${grant}`,
            'Content-Type': 'application/json',
            'CF-Connecting-IP': '203.0.113.9',
          },
          body: JSON.stringify({ merchant_uid: merchantUid, reason: 'bench' }),
        });
        const body = await res.text();
        const ms = performance.now() - started;
        if (res.status !== 200) throw new Error(`${runtime}: refund ${merchantUid} answered ${res.status} ${body}`);
        if (i >= WARMUP) latencies.push(ms);
      }
      await sleep(SETTLE_S * 1000);
      const rssAfter = rssBytes(proxy.pid);
      return {
        runtime,
        start: median(starts),
        starts,
        idleRss,
        rssAfter,
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
      };
    } finally {
      await proxy.stop();
    }
  } finally {
    await served.close();
    await ledger.drop();
  }
};

await buildBundles();
const ledgers = await startLedgerServer();
const results = [];
try {
  for (const runtime of runtimes) {
    process.stderr.write(`benchmarking ${runtime}…\n`);
    results.push(await benchRuntime(runtime, ledgers));
  }
} finally {
  await ledgers.stop();
}

const cpu = cpus();
console.log(
  `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, load average ${loadavg()[0].toFixed(2)} at the end; ` +
    `${REFUNDS} refunds per runtime after ${WARMUP} warm-up, ${START_RUNS} starts, RSS after: ${SETTLE_S} s after the last\n`,
);
console.log(
  '| runtime | start to first 200 on /health (median) | idle RSS | RSS after the refunds | refund p50 | refund p99 |',
);
console.log('|---|---:|---:|---:|---:|---:|');
const fmt = (ms) => `${ms.toFixed(1)} ms`;
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
for (const r of results) {
  console.log(
    `| ${labels[r.runtime] ?? r.runtime} | ${Math.round(r.start)} ms (${r.starts.map((s) => Math.round(s)).join(', ')}) | ${mb(r.idleRss)} | ${mb(r.rssAfter)} | ${fmt(r.p50)} | ${fmt(r.p99)} |`,
  );
}
