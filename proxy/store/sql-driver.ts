/** @module The little the ledger needs from a SQL database; sqlite.ts and postgres.ts each adapt a driver to it. */

export type SqlDialect = 'sqlite' | 'postgres';

/** A bound parameter. No booleans: better-sqlite3 cannot bind them, so statements write TRUE/FALSE literally. */
export type SqlValue = string | number | null;

/** One result row by column name, as the driver decoded it; sql-store.ts checks each value before using it. */
export type SqlRow = Readonly<Record<string, unknown>>;

export interface SqlExecutor {
  /** Runs one statement with `?` placeholders and returns its rows (a SELECT, or a write with RETURNING). */
  query(sql: string, params?: readonly SqlValue[]): Promise<SqlRow[]>;
  /** Runs one statement with `?` placeholders and returns how many rows it inserted, updated or deleted. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
}

/** One statement with its parameters, for SqlDriver.sequence(). */
export interface SqlStatement {
  readonly sql: string;
  readonly params: readonly SqlValue[];
}

export interface SqlDriver extends SqlExecutor {
  readonly dialect: SqlDialect;
  /**
   * Runs statements one after another on one connection, each on its own (committed as if sent singly), and returns
   * each one's rows. PostgreSQL receives them together, pipelined: one round trip for all. A statement that fails
   * makes the call reject once all have run; the others are not undone.
   */
  sequence(statements: readonly SqlStatement[]): Promise<SqlRow[][]>;
  /**
   * Runs `fn` in one transaction on one connection: committed when it resolves, rolled back when it throws.
   * SQLite begins it IMMEDIATE (the write lock is taken up front). Inside `fn`, use only `tx`: the driver
   * itself may wait for this transaction to end.
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /**
   * Closes the connections once their statements have run, waiting at most `graceSeconds` (5 unless given; 0: at
   * once, as for a connection that never opened and is still being retried).
   */
  close(graceSeconds?: number): Promise<void>;
}
