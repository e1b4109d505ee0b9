/**
 * @module Housekeeping: the ledger's expired rows removed on a schedule the entries keep (a timer on Node, Deno and
 * Bun; a cron trigger on Workers), never as a side effect of a refund.
 */
import type { Store } from '../store/store.ts';

// Idempotency records are promised for at least 24 hours; they go a little later.
export const KEY_LIFETIME_MS = 25 * 3600 * 1000;

// An expired lease is free to take anyway; its row goes once no instance's clock, however skewed, could call it live.
export const LEASE_LEFTOVER_MS = 3600 * 1000;

/** How often a long-lived entry runs housekeeping. */
export const HOUSEKEEPING_INTERVAL_MS = 3600 * 1000;

export interface HousekeepingDeps {
  readonly store: Pick<Store, 'purgeIdempotencyKeys' | 'purgeExpiredLeases'>;
  /** Epoch ms. */
  readonly now: () => number;
  readonly log: (line: Record<string, unknown>) => void;
}

/** One round of housekeeping; a failure is logged and left for the next round (nothing here is urgent). */
export const housekeep = async (deps: HousekeepingDeps): Promise<void> => {
  try {
    const now = deps.now();
    const keys = await deps.store.purgeIdempotencyKeys(now - KEY_LIFETIME_MS);
    const leases = await deps.store.purgeExpiredLeases(now - LEASE_LEFTOVER_MS);
    if (keys + leases > 0) {
      deps.log({ level: 'info', msg: 'housekeeping', idempotency_keys_purged: keys, leases_purged: leases });
    }
  } catch (error) {
    deps.log({ level: 'warn', msg: 'housekeeping failed', error: String(error) });
  }
};
