/**
 * @module withLease(): runs work while holding a named lease in the ledger, waiting a bounded time for it.
 * The lease is short and renewed while the work runs, so a process that dies holding it (a crash, a SIGKILL)
 * blocks its order for seconds, not minutes.
 */
import type { RefundDeps } from './deps.ts';

/** The lease could not be had within the wait; the caller answers REFUND_IN_PROGRESS. */
export const LEASE_BUSY = Symbol('lease busy');

/**
 * What work under a lease hands back: its result, and optionally writes that must still happen while the lease is
 * held but that the caller need not wait for (storing an answer for its Idempotency-Key, say).
 */
export interface LeaseWork<T> {
  readonly value: T;
  readonly tail?: () => Promise<unknown>;
}

/** Renewals at once after a slow take, each of which waited a third of the TTL too, before the work is given up. */
const MAX_RENEWALS_BEFORE_WORK = 3;

type LeaseDeps = Pick<
  RefundDeps,
  'store' | 'now' | 'sleep' | 'randomId' | 'leaseWaitMs' | 'leaseTtlMs' | 'log' | 'background'
>;

/**
 * Holds the lease for `work`. Once the work resolves, its value is returned at once; its tail, then the release of
 * the lease, follow in order, so whoever takes the lease next sees everything the tail wrote. If the work throws,
 * the lease is released before the error is passed on.
 */
export function withLease<T>(
  deps: LeaseDeps,
  name: string,
  work: () => Promise<LeaseWork<T>>,
): Promise<T | typeof LEASE_BUSY>;
/**
 * With `take`: the lease is taken by `take(holder)` (a Store.takeOrder, which reads along with taking), answering
 * null while someone else holds it; what it read is handed to the work.
 */
export function withLease<T, S>(
  deps: LeaseDeps,
  name: string,
  work: (taken: S) => Promise<LeaseWork<T>>,
  take: (holder: string) => Promise<S | null>,
): Promise<T | typeof LEASE_BUSY>;
export async function withLease<T, S>(
  deps: LeaseDeps,
  name: string,
  work: (taken: S | true) => Promise<LeaseWork<T>>,
  take?: (holder: string) => Promise<S | null>,
): Promise<T | typeof LEASE_BUSY> {
  const holder = deps.randomId();
  const deadline = deps.now() + deps.leaseWaitMs;
  const tryTake = async (): Promise<S | true | null> => {
    if (!take) return (await deps.store.acquireLease(name, holder, deps.leaseTtlMs, deps.now())) || null;
    try {
      return await take(holder);
    } catch (error) {
      // The lease may have been taken before what followed it failed: give it back rather than block the order.
      await deps.store.releaseLease(name, holder).catch(() => undefined);
      throw error;
    }
  };
  let pause = 5;
  let taken: S | true | null;
  let askedAt = deps.now();
  while ((taken = await tryTake()) === null) {
    if (deps.now() >= deadline) return LEASE_BUSY;
    // Jittered backoff so many waiters do not poll the database in step.
    await deps.sleep(pause + Math.random() * pause);
    pause = Math.min(pause * 2, 100);
    askedAt = deps.now();
  }
  // The lease runs out TTL after it was asked for, not after it was written: a take that waited (another process's
  // write lock on a SQLite file, this process's ledger calls queued ahead of it) may hold a lease with little or none of
  // its TTL left, which another instance would take before the first renewal. Renewed at once then, and again while a
  // renewal itself waited as long (its TTL, too, counts from when it was asked for); lost meanwhile, the work is not
  // done (nothing was sent yet). A ledger that slow on every try is given up on after a few, the lease given back.
  for (let renewals = 0; deps.now() - askedAt >= deps.leaseTtlMs / 3; renewals += 1) {
    if (renewals === MAX_RENEWALS_BEFORE_WORK) {
      await deps.store.releaseLease(name, holder).catch(() => undefined);
      deps.log({ level: 'warn', msg: 'the ledger was too slow to keep a lease', lease: name });
      return LEASE_BUSY;
    }
    askedAt = deps.now();
    let kept = false;
    try {
      // renewLease, not acquireLease: a lease another holder took and released meanwhile is gone from the ledger, and
      // taking it afresh would run the work on what the take read before that holder's work.
      kept = await deps.store.renewLease(name, holder, deps.leaseTtlMs, askedAt);
    } catch (error) {
      await deps.store.releaseLease(name, holder).catch(() => undefined);
      throw error;
    }
    if (!kept) {
      deps.log({ level: 'warn', msg: 'a lease ran out while it was being taken', lease: name });
      return LEASE_BUSY;
    }
  }
  // Renew well before expiry while the work (an i'mport call, perhaps a slow one) and its tail run. acquireLease here,
  // where the renewal before the work is renewLease: work under way cannot be called back, so a lease lost meanwhile
  // (run out, taken and released by another) is taken again if free, keeping whoever comes next out while it runs.
  const renew = setInterval(() => {
    deps.store.acquireLease(name, holder, deps.leaseTtlMs, deps.now()).then(
      (kept) => kept || deps.log({ level: 'error', msg: 'lost a lease while working', lease: name }),
      (error: unknown) =>
        deps.log({ level: 'error', msg: 'could not renew a lease', lease: name, error: String(error) }),
    );
  }, deps.leaseTtlMs / 3);
  const release = async (): Promise<void> => {
    clearInterval(renew);
    await deps.store.releaseLease(name, holder);
  };
  let done: LeaseWork<T>;
  try {
    done = await work(taken);
  } catch (error) {
    await release();
    throw error;
  }
  // A failed tail or release costs only time: a pending key is settled by its next use, and the lease expires.
  const { tail } = done;
  const finish = async (): Promise<void> => {
    try {
      if (tail) await tail();
    } finally {
      await release();
    }
  };
  deps.background.keep(
    finish().catch((error: unknown) =>
      deps.log({ level: 'error', msg: 'could not finish under a lease', lease: name, error: String(error) }),
    ),
  );
  return done.value;
}
