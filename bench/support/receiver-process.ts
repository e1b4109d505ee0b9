/**
 * @module Child process: the merchant's webhook receiver for the benchmark, a plain node:http server that answers 204
 * at once and notes when each event arrived (its body read in full), keyed by the event's merchant_uid, on the clock
 * every bench process shares (`sharedNow()`). It does not verify signatures: the tests do, and here it would be timed
 * too. It runs in a process of its own, as a merchant's server is another machine: in the load generator's process,
 * reading events delayed the client's reading of the refunds' answers, which the cost table then charged to webhooks.
 * Commands: count, waitFor, arrivals.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveCommands } from './children.ts';
import { sharedNow } from './receiver.ts';

const merchantUidOfBody = (body: string): string | null => {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null || !('data' in parsed)) return null;
    const data: unknown = parsed.data;
    if (typeof data !== 'object' || data === null || !('merchant_uid' in data)) return null;
    return typeof data.merchant_uid === 'string' ? data.merchant_uid : null;
  } catch {
    return null;
  }
};

const arrivals = new Map<string, number>();
let received = 0;
let waiters: { total: number; resolve: () => void }[] = [];
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const at = sharedNow();
    res.writeHead(204).end();
    const uid = merchantUidOfBody(Buffer.concat(chunks).toString('utf8'));
    // The first arrival counts: a retry of the same event would measure the retry schedule, not delivery.
    if (uid !== null && !arrivals.has(uid)) arrivals.set(uid, at);
    received += 1;
    for (const waiter of waiters.filter((w) => received >= w.total)) waiter.resolve();
    waiters = waiters.filter((w) => received < w.total);
  });
});
server.keepAliveTimeout = 60_000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo; // listening on TCP, so an AddressInfo

serveCommands(
  `http://127.0.0.1:${port}/webhooks`,
  {
    count: () => received,
    /** True once `total` events have arrived, false if `ms` passed first. */
    waitFor: ({ total, ms }: { total: number; ms: number }) =>
      received >= total
        ? true
        : new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => {
              waiters = waiters.filter((w) => w.resolve !== done);
              resolve(false);
            }, ms);
            const done = () => {
              clearTimeout(timer);
              resolve(true);
            };
            waiters.push({ total, resolve: done });
          }),
    arrivals: (uids: string[]) => uids.map((uid) => arrivals.get(uid) ?? null),
  },
  () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
);
