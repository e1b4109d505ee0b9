/**
 * @module Request mode's approval against a direct refund: `POST /admin/refund-requests/:id/approve` (the request made
 * beforehand, untimed) beside the widget's `POST /payments/cancel`, on one proxy, for a card and a virtual-account
 * order, at concurrency 1 and 8, on each ledger backend. Target: an approval's p50 within 1.2x of a refund's.
 */
import { join } from 'node:path';
import { countCalls, OPERATIONS } from './support/approval-calls.ts';
import type { Child } from './support/children.ts';
import { createLedger } from './support/ledger.ts';
import { type LoadResult, runLoad } from './support/load.ts';
import { type PayMethod, refunded } from './support/orders.ts';
import {
  ADMIN_KEY,
  adminApprove,
  approved,
  DATA_KEY,
  prepareRefunds,
  prepareRequests,
  widgetRefund,
} from './support/requests.ts';
import { type Part, startFake, startProxy } from './support/stack.ts';
import { firstFailure, fmtCount, fmtMs, summarize, type Table } from './support/stats.ts';

const TARGET_RATIO = 1.2;
/** Set: the proxy's CPU profile of each side's timed runs goes here, one file a run (CPU figures then include it). */
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR;
/** Each row alternates refund and approval runs this many times, so drift in the machine hits both alike. */
const ROUNDS = 8;
const PAY_METHODS: readonly PayMethod[] = ['card', 'vbank'];

interface Side {
  readonly name: 'refund' | 'approval';
  /** The i-th timed exchange of this side. */
  readonly exchange: (i: number) => ReturnType<typeof widgetRefund> | ReturnType<typeof adminApprove>;
  readonly check: typeof refunded;
  readonly runs: LoadResult[];
  /** The proxy process's CPU time over this side's timed runs, µs. */
  cpuUs: number;
}

export const approvals: Part = async (ctx) => {
  const stages = [
    { name: 'warm', concurrency: 8, count: ctx.quick ? 16 : 80, timed: false },
    { name: 'c1', concurrency: 1, count: ctx.quick ? 48 : 800, timed: true },
    { name: 'c8', concurrency: 8, count: ctx.quick ? 96 : 1_600, timed: true },
  ] as const;
  const rows: string[][] = [];
  const callRows: string[][] = [];

  for (const backend of ctx.backends) {
    ctx.progress(`approvals: ${backend}: seeding`);
    const server = backend === 'postgres' ? await ctx.postgres() : null;
    const ledger = await createLedger(backend, 'bench_approvals', server);
    const fake = await startFake();
    let proxy: Child | null = null;
    try {
      // Every refund and every request gets an order of its own: one order's refunds take turns on its lease.
      for (const stage of stages) {
        for (const payMethod of PAY_METHODS) {
          for (const side of ['r', 'a']) {
            await fake.call('seed', { prefix: `${side}${payMethod}${stage.name}`, count: stage.count, payMethod });
          }
        }
      }
      proxy = await startProxy({
        mode: 'proxy',
        ledger: ledger.target,
        iamportUrl: fake.url,
        adminKeys: [ADMIN_KEY],
        dataKey: DATA_KEY,
      });
      const { url } = proxy;

      for (const stage of stages) {
        for (const payMethod of PAY_METHODS) {
          ctx.progress(`approvals: ${backend}: ${stage.name} ${payMethod}`);
          const refundPrefix = `r${payMethod}${stage.name}`;
          const askPrefix = `a${payMethod}${stage.name}`;
          const refundGrants = await prepareRefunds(url, refundPrefix, stage.count);
          const requestIds = await prepareRequests(url, askPrefix, stage.count, payMethod);
          const sides: Side[] = [
            {
              name: 'refund',
              exchange: (i) => widgetRefund(url, refundPrefix, i, refundGrants[i] ?? '', payMethod),
              check: refunded,
              runs: [],
              cpuUs: 0,
            },
            {
              name: 'approval',
              exchange: (i) => adminApprove(url, requestIds[i] ?? ''),
              check: approved,
              runs: [],
              cpuUs: 0,
            },
          ];
          const chunk = Math.ceil(stage.count / ROUNDS);
          for (let round = 0; round < ROUNDS; round++) {
            const from = round * chunk;
            const count = Math.min(chunk, stage.count - from);
            // Which side goes first swaps every round: a run just after the other's may find the machine warmer.
            for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
              const cpuBefore = await proxy.call<number>('cpu');
              if (PROFILE_DIR && stage.timed) await proxy.call('profileStart');
              side.runs.push(
                await runLoad({
                  count,
                  concurrency: stage.concurrency,
                  maxMs: 120_000,
                  exchange: (i) => side.exchange(from + i),
                  check: side.check,
                }),
              );
              side.cpuUs += (await proxy.call<number>('cpu')) - cpuBefore;
              if (PROFILE_DIR && stage.timed) {
                const file = `approvals-${backend}-${payMethod}-c${stage.concurrency}-${side.name}-${round}.cpuprofile`;
                await proxy.call('profileStop', join(PROFILE_DIR, file));
              }
            }
          }
          if (!stage.timed) continue;
          const [refund, approval] = sides.map((side) => summarize(...side.runs));
          const [refundCpu, approvalCpu] = sides.map(
            (side) => side.cpuUs / 1000 / Math.max(1, summarize(...side.runs).n),
          );
          if (!refund || !approval) continue;
          const failure = firstFailure(...sides.flatMap((side) => side.runs));
          const ratio = approval.p50 / refund.p50;
          rows.push([
            backend,
            payMethod,
            String(stage.concurrency),
            fmtCount(Math.min(refund.n, approval.n)),
            fmtMs(refund.p50),
            fmtMs(refund.p99),
            fmtMs(approval.p50),
            fmtMs(approval.p99),
            `${ratio.toFixed(2)}x`,
            `${(approval.p99 / refund.p99).toFixed(2)}x`,
            fmtMs(refundCpu ?? Number.NaN),
            fmtMs(approvalCpu ?? Number.NaN),
            failure ? `invalid: ${failure}` : ratio <= TARGET_RATIO ? 'met' : 'missed',
          ]);
        }
      }
      await proxy.stop();
      proxy = null;
      ctx.progress(`approvals: ${backend}: counting calls`);
      callRows.push(...(await countCalls(backend, ledger.target, fake, PAY_METHODS)));
    } finally {
      await proxy?.stop();
      await fake.stop();
      await ledger.dispose();
    }
  }

  const table: Table = {
    title: "Request mode: an approval's latency beside a direct refund's, on one proxy",
    columns: [
      'ledger',
      'payment',
      'concurrency',
      'each side',
      'refund p50 ms',
      'refund p99 ms',
      'approval p50 ms',
      'approval p99 ms',
      'p50 approval/refund',
      'p99 approval/refund',
      'proxy CPU ms per refund',
      'proxy CPU ms per approval',
      `target: p50 ≤ ${TARGET_RATIO}x`,
    ],
    rows,
    notes: [
      "Refund: the widget's `POST /payments/cancel` (grant, Idempotency-Key, Origin), a partial refund of an order of",
      'its own whose view was read first (untimed), so the payment is in the ledger. Approval: `POST /admin/refund-',
      'requests/:id/approve` `{}` with an admin key, of a request made beforehand (untimed, `POST /refund-requests`',
      'with the same body, one order each); timed until its answer says the request is `refunded` and the refund ok.',
      'vbank: a paid virtual account, the refund account in the body; an approval opens the sealed account',
      '(AES-256-GCM, DATA_ENCRYPTION_KEY). One proxy (its own process, wired as `npm start`, request log on, admin API',
      `and request mode on, merchant webhooks off) and the fake i'mport (its own process). Runs alternate refund/approval`,
      `(the first side swapping each round) ${ROUNDS} times per row, after an untimed warm-up of both. CPU: the proxy`,
      "process's user + system time over each side's timed runs, divided by its operations.",
    ],
  };
  const calls: Table = {
    title: "Request mode: what one refund and one approval ask of the ledger and of i'mport",
    columns: [
      'ledger',
      'payment',
      'operation',
      'Store calls',
      'Store calls by method',
      'Store ms',
      'Store ms by method',
      "i'mport calls",
    ],
    rows: callRows,
    notes: [
      `Per operation, over ${OPERATIONS} of each made one at a time (untimed) on another proxy, the same but with its Store's`,
      'method calls counted; tails that run after the answer (storing it for its Idempotency-Key, releasing the lease)',
      "included. A Store call is one method (one trip to the ledger on PostgreSQL for most); i'mport calls as the fake",
      'counted them (a token is fetched once and cached). Store ms: the time with at least one Store call in flight, per',
      "operation (calls at once counted once; on SQLite the ledger's own work, WAL checkpoints included, and the wait for",
      "its turn; on PostgreSQL the round trips); by method, each call's wall time from the call to its promise settling.",
    ],
  };
  return [table, calls];
};
