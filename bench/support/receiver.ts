/**
 * @module The merchant's webhook receiver for the benchmark, started in a process of its own
 * (bench/support/receiver-process.ts), and the clock its arrivals and the load generator's answers are both read on.
 */
import { randomBytes } from 'node:crypto';
import { startChild } from './children.ts';

/** A `whsec_` secret of 32 random bytes, as `npm run webhook-secret` prints. */
export const benchWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

/**
 * Milliseconds on a clock every process on this machine reads alike: the wall clock at the process's start (taken
 * with the monotonic clock's resolution) plus the monotonic time since. performance.now() alone starts at each
 * process's own start.
 */
export const sharedNow = (): number => performance.timeOrigin + performance.now();

export interface Receiver {
  readonly url: string;
  /** When each order's event arrived (its body read in full; `sharedNow()`), or null while none has. */
  arrivals(merchantUids: readonly string[]): Promise<(number | null)[]>;
  /** Events received so far. */
  count(): Promise<number>;
  /** True once `total` events have arrived, false when `ms` passed first. */
  waitFor(total: number, ms: number): Promise<boolean>;
  close(): Promise<void>;
}

export const startReceiver = async (): Promise<Receiver> => {
  const child = await startChild('receiver-process.ts', {});
  return {
    url: child.url,
    arrivals: (merchantUids) => child.call('arrivals', merchantUids),
    count: () => child.call('count'),
    waitFor: (total, ms) => child.call('waitFor', { total, ms }),
    close: () => child.stop(),
  };
};
