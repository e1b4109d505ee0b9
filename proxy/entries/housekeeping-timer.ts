/**
 * @module scheduleHousekeeping(): how the long-lived entries (Node, Deno, Bun) keep the ledger tidy: one round of
 * housekeeping right after start, then one every HOUSEKEEPING_INTERVAL_MS. Workers runs the same round from its
 * cron trigger instead (workers.ts).
 */
import { HOUSEKEEPING_INTERVAL_MS, type HousekeepingDeps, housekeep } from '../refunds/housekeeping.ts';

/** A repeating timer; injected so a test can fire it. */
export interface IntervalTimer {
  start(tick: () => void, ms: number): unknown;
  stop(handle: unknown): void;
}

/**
 * setInterval, unref'd so that housekeeping alone never keeps a process alive. Node and Bun timers unref themselves;
 * Deno passes Deno.unrefTimer.
 */
export const unrefdInterval = (unref = (handle: unknown) => (handle as { unref?: () => void }).unref?.()) => ({
  start: (tick: () => void, ms: number) => {
    const handle = setInterval(tick, ms);
    unref(handle);
    return handle;
  },
  stop: (handle: unknown) => clearInterval(handle as ReturnType<typeof setInterval>),
});

export interface HousekeepingSchedule {
  /** Clears the timer and waits for a round in progress; call it before the ledger closes. */
  stop(): Promise<void>;
}

export const scheduleHousekeeping = (
  deps: HousekeepingDeps,
  timer: IntervalTimer = unrefdInterval(),
): HousekeepingSchedule => {
  let running: Promise<void> | null = null;
  let stopped = false;
  const round = (): void => {
    // A round still running when the next is due (a slow database) is not doubled.
    if (stopped || running) return;
    running = housekeep(deps).finally(() => {
      running = null;
    });
  };
  const handle = timer.start(round, HOUSEKEEPING_INTERVAL_MS);
  round();
  return {
    async stop() {
      stopped = true;
      timer.stop(handle);
      await running;
    },
  };
};
