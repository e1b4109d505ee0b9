/**
 * @module withLease(): runs work while holding a named lease in the ledger, waiting a bounded time for it.
 * The lease is short and renewed while the work runs, so a process that dies holding it (a crash, a SIGKILL)
 * blocks its order for seconds, not minutes.
 */
import type { RefundDeps } from './deps.ts';

/** The lease could not be had within the wait; the caller answers REFUND_IN_PROGRESS. */
export const LEASE_BUSY = Symbol('lease busy');

export const withLease = async <T>(
  deps: Pick<RefundDeps, 'store' | 'now' | 'sleep' | 'randomId' | 'leaseWaitMs' | 'leaseTtlMs' | 'log'>,
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
  // Renew well before expiry while the work (an i'mport call, perhaps a slow one) runs.
  const renew = setInterval(() => {
    deps.store.acquireLease(name, holder, deps.leaseTtlMs, deps.now()).then(
      (kept) => kept || deps.log({ level: 'error', msg: 'lost a lease while working', lease: name }),
      (error: unknown) => deps.log({ level: 'error', msg: 'could not renew a lease', lease: name, error: String(error) }),
    );
  }, deps.leaseTtlMs / 3);
  try {
    return await work();
  } finally {
    clearInterval(renew);
    await deps.store.releaseLease(name, holder);
  }
};
