/**
 * @module The ledger's clock, for the times instances judge against each other: when an order's lease and an outbox
 * event's hold run out. Each instance writes those times from its own clock and compares them with its own clock; two
 * instances whose clocks differ by more than a lease's margin (about 4 s: a 6 s lease renewed every 2 s) would each
 * take the other's lease for expired, and send a second refund of the order beside the first. On PostgreSQL, where
 * instances may run on several machines, the store reads the database server's clock (at start-up, then at most once
 * a minute, in a trip it makes anyway) and shifts those times by how far this instance's clock is from it, so every
 * instance judges them on the server's clock. A difference under a second is left as it is, so that instances on one
 * machine (the SQLite ledger's, and tests with a clock of their own) see the times exactly as given: two instances may
 * then disagree by up to twice SKEW_IGNORED_MS, which what they judge leaves room for (a lease's renewals; a webhook
 * POST ends that much before its hold does, proxy/webhooks/dispatcher.ts).
 * Between readings the instance's clock may step (an NTP correction, a VM resumed): with a monotonic clock beside it
 * (performance.now in production) a step is taken out of the times at once, and the server's clock read again in the
 * next trip, so an instance whose clock jumped 6 s forward does not see another's lease or hold as run out.
 */
import type { SqlDriver, SqlRow, SqlStatement } from './sql-driver.ts';

/** Below this, an instance's clock is taken to agree with the database's. */
export const SKEW_IGNORED_MS = 1000;
/** How often the database's clock is read again. */
const SKEW_REREAD_MS = 60_000;
/** A reading whose trip took longer says too little of when the server read its clock: it is not used. */
const SLOW_TRIP_MS = 500;

const READ_CLOCK: SqlStatement = {
  sql: 'SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT) AS now_ms',
  params: [],
};

export interface LedgerClock {
  /** `localMs`, a time of this instance's clock, on the ledger's clock. */
  at(localMs: number): number;
  /**
   * driver.sequence(statements), with a reading of the database's clock added to the same trip when one is due;
   * each statement's rows, as sequence answers them.
   */
  sequence(statements: readonly SqlStatement[]): Promise<SqlRow[][]>;
  /** Reads the database's clock now (start-up). */
  read(): Promise<void>;
}

/** SQLite's: one machine, one clock. */
const sameClock = (driver: SqlDriver): LedgerClock => ({
  at: (localMs) => localMs,
  sequence: (statements) => driver.sequence(statements),
  read: async () => undefined,
});

/**
 * The clock for `driver`'s ledger; `localNow` is this instance's clock (the one its callers pass times from).
 * `monotonic`: a clock that never steps (performance.now), against which a step of `localNow` is seen; without it
 * (tests, whose clock moves by steps on purpose: time passing) `localNow` is taken as it comes, between readings.
 */
export const createLedgerClock = (driver: SqlDriver, localNow: () => number, monotonic?: () => number): LedgerClock => {
  if (driver.dialect !== 'postgres') return sameClock(driver);
  const still = monotonic ?? localNow;
  /** The server's clock less this instance's, at the last reading used. */
  let measuredMs = 0;
  /**
   * That reading's time on both clocks: how far `localNow` stepped since is how far it moved beyond `still`. Until a
   * reading is used (the start-up one may be too slow to tell anything, or fail), the clocks as they stand now: this
   * instance's clock is taken to agree with the server's and to have stepped nowhere. From zeros, `stepped()` was the
   * whole of `localNow() - still()` (the epoch, less the process's uptime), so every lease and hold this instance wrote
   * had run out decades ago, and another instance took its order beside it (a second refund, found by a review).
   */
  let base = { local: localNow(), still: still() };
  /** When a reading was last answered, on `still`. */
  let readAt = Number.NEGATIVE_INFINITY;
  const stepped = () => localNow() - base.local - (still() - base.still);
  /** Learns the skew from the server's reading taken between `sentAt` and `answeredAt`; whether it could. */
  const learn = (rows: SqlRow[] | undefined, sentAt: number, answeredAt: number): boolean => {
    const serverMs = Number(rows?.[0]?.now_ms);
    if (!Number.isFinite(serverMs) || answeredAt - sentAt > SLOW_TRIP_MS) return false;
    measuredMs = serverMs - (sentAt + answeredAt) / 2;
    base = { local: answeredAt, still: monotonic ? monotonic() : answeredAt };
    return true;
  };
  /**
   * Reads the server's clock by `ask` (its row), and learns from it; a trip that failed, or too slow to use, is tried
   * again next time.
   */
  const reading = async (ask: () => Promise<SqlRow[] | undefined>) => {
    const sentAt = localNow();
    const rows = await ask();
    if (learn(rows, sentAt, localNow())) readAt = still();
  };
  return {
    at: (localMs) => {
      const skew = measuredMs - stepped();
      return Math.abs(skew) < SKEW_IGNORED_MS ? localMs : localMs + Math.round(skew);
    },
    async sequence(statements) {
      // Read again each minute, and at once after a step of this instance's clock was seen.
      if (still() - readAt < SKEW_REREAD_MS && Math.abs(stepped()) < SKEW_IGNORED_MS) {
        return driver.sequence(statements);
      }
      let answered: SqlRow[][] = [];
      await reading(async () => {
        answered = await driver.sequence([...statements, READ_CLOCK]);
        return answered.pop();
      });
      return answered;
    },
    read: () => reading(() => driver.query(READ_CLOCK.sql)),
  };
};
