// The long-lived entries' housekeeping: a round at start, one per tick, never two at once, stopped before the ledger.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HOUSEKEEPING_INTERVAL_MS } from '../refunds/housekeeping.ts';
import { createSqliteStore } from '../store/sqlite.ts';
import type { Store } from '../store/store.ts';
import { type IntervalTimer, scheduleHousekeeping, unrefdInterval } from './housekeeping-timer.ts';

const DAY = 24 * 3600 * 1000;

/** A timer the test fires by hand. */
const handTimer = () => {
  const timer = {
    tick: null as (() => void) | null,
    ms: 0,
    stopped: false,
    start(tick: () => void, ms: number) {
      timer.tick = tick;
      timer.ms = ms;
      return 'handle';
    },
    stop(handle: unknown) {
      assert.equal(handle, 'handle');
      timer.stopped = true;
    },
  } satisfies IntervalTimer & Record<string, unknown>;
  return timer;
};

/** A log that tells when the next purge was logged. */
const purgeLog = () => {
  const purged: number[] = [];
  let next: (() => void) | null = null;
  return {
    purged,
    log: (line: Record<string, unknown>) => {
      if (typeof line.idempotency_keys_purged === 'number') purged.push(line.idempotency_keys_purged);
      next?.();
    },
    nextLine: () => new Promise<void>((resolve) => (next = resolve)),
  };
};

const claim = (store: Store, key: string, createdAt: number) =>
  store.claimIdempotencyKey({ key, merchant_uid: 'HK-1', request_hash: 'h', created_at: createdAt });

describe('scheduleHousekeeping', () => {
  it('purges expired idempotency keys once at start and again at each tick, every hour', async () => {
    const store = createSqliteStore({ path: ':memory:' });
    await store.migrate();
    const now = Date.now();
    await claim(store, 'old-1', now - 2 * DAY);
    await claim(store, 'fresh', now);
    const timer = handTimer();
    const { purged, log, nextLine } = purgeLog();
    const logged = nextLine();
    const schedule = scheduleHousekeeping({ store, now: () => now, log }, timer);
    await logged;
    assert.equal(timer.ms, HOUSEKEEPING_INTERVAL_MS);
    await claim(store, 'old-2', now - 2 * DAY);
    const again = nextLine();
    timer.tick!();
    await again;
    assert.deepEqual(purged, [1, 1]);
    assert.equal((await claim(store, 'old-1', now)).created, true, 'the expired key is gone');
    assert.equal((await claim(store, 'fresh', now)).created, false, 'a key within its 24 hours stays');
    await schedule.stop();
    assert.equal(timer.stopped, true);
    await store.close();
  });

  it('never runs two rounds at once, and stop() waits for the round in progress', async () => {
    let release = () => {};
    let entered = () => {};
    const inPurge = new Promise<void>((resolve) => (entered = resolve));
    let rounds = 0;
    let finished = 0;
    const ledger = createSqliteStore({ path: ':memory:' });
    await ledger.migrate();
    // The real ledger, with the keys' purge held until the test lets it go (a slow database).
    const store: Store = {
      ...ledger,
      purgeIdempotencyKeys: async (before) => {
        rounds += 1;
        await new Promise<void>((resolve) => {
          release = resolve;
          entered();
        });
        finished += 1;
        return ledger.purgeIdempotencyKeys(before);
      },
    };
    const timer = handTimer();
    const schedule = scheduleHousekeeping({ store, now: Date.now, log: () => {} }, timer);
    await inPurge;
    timer.tick!();
    const stopped = schedule.stop();
    release();
    await stopped;
    assert.equal(rounds, 1, 'the tick found the first round still running');
    assert.equal(finished, 1, 'stop() waited for it');
    timer.tick!();
    assert.equal(rounds, 1, 'nothing runs after stop()');
    await ledger.close();
  });

  it("uses an unref'd interval by default, so housekeeping alone never keeps a process alive", () => {
    const timer = unrefdInterval();
    const handle = timer.start(() => {}, HOUSEKEEPING_INTERVAL_MS) as ReturnType<typeof setInterval>;
    try {
      assert.equal(handle.hasRef(), false);
    } finally {
      timer.stop(handle);
    }
  });
});
