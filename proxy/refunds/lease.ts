/** @module withLease(): runs work while holding a named lease in the ledger, waiting a bounded time for it. */
import type { RefundDeps } from './deps.ts';

/** The lease could not be had within the wait; the caller answers REFUND_IN_PROGRESS. */
export const LEASE_BUSY = Symbol('lease busy');

export const withLease = async <T>(
  deps: Pick<RefundDeps, 'store' | 'now' | 'sleep' | 'randomId' | 'leaseWaitMs' | 'leaseTtlMs'>,
  name: string,
  work: () => Promise<T>,
): Promise<T | typeof LEASE_BUSY> => {
  const holder = deps.randomId();
  const deadline = deps.now() + deps.leaseWaitMs;
  let pause = 5;
  while (!(await deps.store.acquireLease(name, holder, deps.leaseTtlMs, deps.now()))) {
    if (deps.now() >= deadline) return LEASE_BUSY;
    // Jittered backoff so many waiters do not poll the database in step.
    await deps.sleep(pause + Math.random() * pause);
    pause = Math.min(pause * 2, 100);
  }
  try {
    return await work();
  } finally {
    await deps.store.releaseLease(name, holder);
  }
};
