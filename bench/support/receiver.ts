/**
 * @module The merchant's webhook receiver for the benchmark: a plain node:http server in the bench process that
 * answers 204 at once and notes when each event arrived (performance.now(), the same clock the load generator reads),
 * keyed by the event's merchant_uid. It does not verify signatures: the tests do, and here it would be timed too.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A `whsec_` secret of 32 random bytes, as `npm run webhook-secret` prints. */
export const benchWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

export interface Receiver {
  readonly url: string;
  /** When an event for this order arrived (its body read in full), or undefined while none has. */
  arrivedAt(merchantUid: string): number | undefined;
  /** Events received so far. */
  count(): number;
  /** Resolves once `total` events have arrived, or rejects after `ms`. */
  waitFor(total: number, ms: number): Promise<void>;
  close(): Promise<void>;
}

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

export const startReceiver = async (): Promise<Receiver> => {
  const arrivals = new Map<string, number>();
  let received = 0;
  let waiters: { total: number; resolve: () => void }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const at = performance.now();
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
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    arrivedAt: (uid) => arrivals.get(uid),
    count: () => received,
    waitFor: (total, ms) =>
      received >= total
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`${received} of ${total} events within ${ms} ms`)), ms);
            waiters.push({
              total,
              resolve: () => {
                clearTimeout(timer);
                resolve();
              },
            });
          }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
