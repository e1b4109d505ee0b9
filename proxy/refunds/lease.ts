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

/**
 * The lease the work holds: its name and holder, which a write may be made under (Store.insertAttempt's `lease`: only
 * while the ledger still has it this holder's), and `held()`, whether it is still this work's, asked before judging
 * from a slow read and before something that cannot be called back (a refund sent). A lease whose renewals failed (the
 * ledger unreachable from this instance for its TTL) may have run out and been taken by another instance, which then
 * read the order without this work's refund and may have refunded it already.
 */
export interface HeldLease {
  readonly name: string;
  readonly holder: string;
  held(): Promise<boolean>;
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
  work: (taken: true, lease: HeldLease) => Promise<LeaseWork<T>>,
): Promise<T | typeof LEASE_BUSY>;
/**
 * With `take`: the lease is taken by `take(holder)` (a Store.takeOrder, which reads along with taking), answering
 * null while someone else holds it; what it read is handed to the work.
 */
export function withLease<T, S>(
  deps: LeaseDeps,
  name: string,
  work: (taken: S, lease: HeldLease) => Promise<LeaseWork<T>>,
  take: (holder: string) => Promise<S | null>,
): Promise<T | typeof LEASE_BUSY>;
export async function withLease<T, S>(
  deps: LeaseDeps,
  name: string,
  work: (taken: S | true, lease: HeldLease) => Promise<LeaseWork<T>>,
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
  // When the last take or renewal that kept the lease was asked for: it is ours for its TTL from then. `broken`: it was
  // not ours all along (a renewal found another holder, or came after it could have run out: taken again, perhaps
  // after another holder took and released it).
  let keptAt = askedAt;
  let broken = false;
  const kept = (at: number): void => {
    if (at - keptAt >= deps.leaseTtlMs) broken = true;
    keptAt = Math.max(keptAt, at);
  };
  const renew = setInterval(() => {
    const at = deps.now();
    deps.store.acquireLease(name, holder, deps.leaseTtlMs, at).then(
      (still) => {
        if (still) kept(at);
        else {
          broken = true;
          deps.log({ level: 'error', msg: 'lost a lease while working', lease: name });
        }
      },
      (error: unknown) =>
        deps.log({ level: 'error', msg: 'could not renew a lease', lease: name, error: String(error) }),
    );
  }, deps.leaseTtlMs / 3);
  const release = async (): Promise<void> => {
    clearInterval(renew);
    await deps.store.releaseLease(name, holder);
  };
  // Kept recently enough: still ours for half its TTL at least. Not kept for its whole TTL: it may have run out and been
  // taken meanwhile, whatever the ledger shows now. In between, the ledger says (renewLease: only a row still this
  // holder's), and a lease it cannot confirm is taken for lost.
  const held = async (): Promise<boolean> => {
    const at = deps.now();
    if (broken || at - keptAt >= deps.leaseTtlMs) return false;
    if (at - keptAt < deps.leaseTtlMs / 2) return true;
    try {
      if (!(await deps.store.renewLease(name, holder, deps.leaseTtlMs, at))) return false;
    } catch {
      return false;
    }
    kept(at);
    return !broken;
  };
  let done: LeaseWork<T>;
  try {
    done = await work(taken, { name, holder, held });
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
