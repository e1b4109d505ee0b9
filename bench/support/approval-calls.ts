/**
 * @module What one refund and one approval ask of the ledger and of i'mport: a proxy with its Store's calls counted
 * serves a few of each, one at a time (untimed), and the calls are divided by the operations. Where an approval's
 * extra time goes, without a profiler.
 */
import type { Child } from './children.ts';
import type { LedgerTarget } from './ledger.ts';
import { runLoad } from './load.ts';
import { type PayMethod, refunded } from './orders.ts';
import {
  ADMIN_KEY,
  adminApprove,
  approved,
  DATA_KEY,
  prepareRefunds,
  prepareRequests,
  widgetRefund,
} from './requests.ts';
import { startProxy } from './stack.ts';

/**
 * Operations per side: enough that a background pass landing in a run shows as a fraction, not a whole call, and that
 * the ledger's time per operation is not one slow call (a WAL checkpoint runs inside whichever commit crosses its size).
 */
export const OPERATIONS = 100;
const IAMPORT_ROUTES = ['token', 'payment', 'find', 'cancel', 'vbank'] as const;

const perOperation = (counts: Readonly<Record<string, number>>): string =>
  Object.entries(counts)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, n]) => `${name} ${Number((n / OPERATIONS).toFixed(2))}`)
    .join(', ') || '–';

const total = (counts: Readonly<Record<string, number>>): number =>
  Object.values(counts).reduce((sum, n) => sum + n, 0) / OPERATIONS;

/** The Store calls' wall time per operation, by method, largest first: where an operation waits on the ledger. */
const msPerOperation = (ms: Readonly<Record<string, number>>): string =>
  Object.entries(ms)
    .sort(([, a], [, b]) => b - a)
    .map(([name, total]) => `${name} ${(total / OPERATIONS).toFixed(3)}`)
    .join(', ') || '–';

/**
 * One row per payment method and side: ledger, payment, side, Store calls per operation (all, by method), their wall time
 * per operation in ms (all, by method), i'mport's calls.
 */
export const countCalls = async (
  backend: string,
  ledger: LedgerTarget,
  fake: Child,
  payMethods: readonly PayMethod[],
): Promise<string[][]> => {
  const proxy = await startProxy({
    mode: 'proxy',
    ledger,
    iamportUrl: fake.url,
    adminKeys: [ADMIN_KEY],
    dataKey: DATA_KEY,
    countStoreCalls: true,
  });
  const rows: string[][] = [];
  try {
    const iamportCounts = async () =>
      Object.fromEntries(
        await Promise.all(IAMPORT_ROUTES.map(async (route) => [route, await fake.call<number>('count', route)])),
      ) as Record<string, number>;
    for (const payMethod of payMethods) {
      const refundPrefix = `cr${payMethod}`;
      const askPrefix = `ca${payMethod}`;
      for (const prefix of [refundPrefix, askPrefix]) {
        await fake.call('seed', { prefix, count: OPERATIONS, payMethod });
      }
      const grants = await prepareRefunds(proxy.url, refundPrefix, OPERATIONS);
      const ids = await prepareRequests(proxy.url, askPrefix, OPERATIONS, payMethod);
      const sides = [
        {
          name: 'refund',
          exchange: (i: number) => widgetRefund(proxy.url, refundPrefix, i, grants[i] ?? '', payMethod),
          check: refunded,
        },
        { name: 'approval', exchange: (i: number) => adminApprove(proxy.url, ids[i] ?? ''), check: approved },
      ];
      for (const side of sides) {
        // What the preparation left running (a refund's tail after its answer) is over before counting starts.
        await new Promise((resolve) => setTimeout(resolve, 200));
        await proxy.call('storeCalls');
        const before = await iamportCounts();
        const run = await runLoad({ count: OPERATIONS, concurrency: 1, maxMs: 60_000, ...side });
        await new Promise((resolve) => setTimeout(resolve, 200));
        const store = await proxy.call<{ calls: Record<string, number>; ms: Record<string, number>; busyMs: number }>(
          'storeCalls',
        );
        const after = await iamportCounts();
        const iamport = Object.fromEntries(
          IAMPORT_ROUTES.map((route) => [route, (after[route] ?? 0) - (before[route] ?? 0)]),
        );
        rows.push([
          backend,
          payMethod,
          side.name,
          run.firstFailure ? `invalid: ${run.firstFailure}` : String(Number(total(store.calls).toFixed(2))),
          perOperation(store.calls),
          (store.busyMs / OPERATIONS).toFixed(3),
          msPerOperation(store.ms),
          perOperation(iamport),
        ]);
      }
    }
  } finally {
    await proxy.stop();
  }
  return rows;
};
