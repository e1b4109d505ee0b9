/**
 * @module The ledger's clock, for the times instances judge against each other: when an order's lease and an outbox
 * event's hold run out. Each instance writes those times from its own clock and compares them with its own clock; two
 * instances whose clocks differ by more than a lease's margin (about 4 s: a 6 s lease renewed every 2 s) would each
 * take the other's lease for expired, and send a second refund of the order beside the first. On PostgreSQL, where
 * instances may run on several machines, the store reads the database server's clock (at start-up, then at most once
 * a minute, in a trip it makes anyway) and shifts those times by how far this instance's clock is from it, so every
 * instance judges them on the server's clock. A difference under a second is left as it is: it is harmless, and
 * instances on one machine (the SQLite ledger's, and tests with a clock of their own) see the times exactly as given.
 */
import type { SqlDriver, SqlRow, SqlStatement } from './sql-driver.ts';

/** Below this, an instance's clock is taken to agree with the database's. */
const SKEW_IGNORED_MS = 1000;
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

/** The clock for `driver`'s ledger; `localNow` is this instance's clock (the one its callers pass times from). */
export const createLedgerClock = (driver: SqlDriver, localNow: () => number): LedgerClock => {
  if (driver.dialect !== 'postgres') return sameClock(driver);
  let skewMs = 0;
  let readAt = Number.NEGATIVE_INFINITY;
  /** Learns the skew from the server's reading taken between `sentAt` and `answeredAt`. */
  const learn = (rows: SqlRow[] | undefined, sentAt: number, answeredAt: number) => {
    readAt = answeredAt;
    const serverMs = Number(rows?.[0]?.now_ms);
    if (!Number.isFinite(serverMs) || answeredAt - sentAt > SLOW_TRIP_MS) return;
    const measured = serverMs - (sentAt + answeredAt) / 2;
    skewMs = Math.abs(measured) < SKEW_IGNORED_MS ? 0 : Math.round(measured);
  };
  return {
    at: (localMs) => localMs + skewMs,
    async sequence(statements) {
      if (localNow() - readAt < SKEW_REREAD_MS) return driver.sequence(statements);
      const sentAt = localNow();
      const rows = await driver.sequence([...statements, READ_CLOCK]);
      learn(rows.pop(), sentAt, localNow());
      return rows;
    },
    async read() {
      const sentAt = localNow();
      learn(await driver.query(READ_CLOCK.sql), sentAt, localNow());
    },
  };
};
