/**
 * @module scheduleOutbox(): how the long-lived entries (Node, Deno, Bun) run the proxy's background pass (app.ts): the
 * merchant webhooks' retries, events another instance held when it died, and the attention check (which looks every
 * 30 s of these ticks): a pass right after start, then one every OUTBOX_INTERVAL_MS. Workers runs the same pass from
 * its cron trigger instead (workers.ts).
 */
import type { BackgroundPass } from '../app.ts';
import { type IntervalTimer, unrefdInterval } from './housekeeping-timer.ts';

/** Short beside the first retry's 5 s and a dead holder's 20 s hold, so both are met within seconds. */
export const OUTBOX_INTERVAL_MS = 2_000;

export interface OutboxSchedule {
  /** Clears the timer and waits for a pass in progress; call it before the ledger closes. */
  stop(): Promise<void>;
}

export const scheduleOutbox = (
  outbox: BackgroundPass | null,
  timer: IntervalTimer = unrefdInterval(),
): OutboxSchedule => {
  if (!outbox) return { stop: async () => undefined };
  let running: Promise<unknown> | null = null;
  let stopped = false;
  const pass = (): void => {
    // A pass still running when the next is due (a receiver slow to answer) is not doubled.
    if (stopped || running) return;
    running = outbox.runDue().finally(() => {
      running = null;
    });
  };
  const handle = timer.start(pass, OUTBOX_INTERVAL_MS);
  pass();
  return {
    async stop() {
      stopped = true;
      timer.stop(handle);
      await running;
    },
  };
};
