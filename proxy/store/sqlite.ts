/** @module The embedded backend: adapts better-sqlite3 to SqlDriver. The only module that imports better-sqlite3. */

import { mkdirSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { SqlDriver, SqlExecutor, SqlRow, SqlValue } from './sql-driver.ts';
import { createSqlStore } from './sql-store.ts';
import type { Store } from './store.ts';

export interface SqliteStoreOptions {
  /** A file path (its directory is created when missing), or ':memory:'. */
  readonly path: string;
  /** How long a write waits for another process holding the file's write lock before it fails. */
  readonly busyTimeoutMs?: number;
}

interface Queue {
  tail: Promise<unknown>;
  users: number;
}

// Connections to one file inside one process take turns through a shared queue: a transaction awaits between its
// statements, and another connection of the same process has nothing to gain from trying the file's lock meanwhile.
// Another process's lock is waited out on a timer (untilFree), never in SQLite's busy handler, which blocks the thread.
const queues = new Map<string, Queue>();

function joinQueue(key: string | null) {
  const queue = (key === null ? undefined : queues.get(key)) ?? { tail: Promise.resolve(), users: 0 };
  if (key !== null) queues.set(key, queue);
  queue.users += 1;
  return {
    turn<T>(fn: () => Promise<T>): Promise<T> {
      const result = queue.tail.then(fn);
      queue.tail = result.catch(() => undefined);
      return result;
    },
    leave() {
      queue.users -= 1;
      if (key !== null && queue.users === 0) queues.delete(key);
    },
  };
}

/** Refused for another connection's lock (SQLITE_BUSY and its extended codes, as better-sqlite3 reports them). */
const isBusy = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
};

/**
 * Runs `step` (one statement, or BEGIN/COMMIT) until it is not refused for another process's lock, for up to `ms`:
 * waiting on a timer, not in SQLite's own busy handler, which sleeps the thread and with it every request this process
 * is serving (and the keep-alive sockets it should be closing or answering). A refused statement did nothing, so running
 * it again is safe.
 */
const untilFree = async <T>(ms: number, step: () => T): Promise<T> => {
  const deadline = Date.now() + ms;
  for (let wait = 1; ; wait = Math.min(wait * 2, 50)) {
    try {
      return step();
    } catch (error) {
      if (!isBusy(error) || Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
};

/** What the WAL file is cut back to after a checkpoint, once a large write has grown it past that. */
const WAL_SIZE_LIMIT_BYTES = 16 * 1024 * 1024;

function createSqliteDriver({ path, busyTimeoutMs = 5000 }: SqliteStoreOptions): SqlDriver {
  const inMemory = path === ':memory:' || path === '';
  if (!inMemory) mkdirSync(dirname(resolve(path)), { recursive: true });
  const db = new Database(path);
  // busy_timeout first, so that even switching to WAL waits for a process that is opening the same file.
  db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // The WAL grows to hold the largest write between checkpoints (a purge of many expired keys, a big import) and stays
  // that size for good unless limited: cut back to this once a checkpoint has emptied it.
  db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  // From here on another process's lock is waited out by untilFree(), with the event loop free.
  db.pragma('busy_timeout = 0');
  const free = <T>(step: () => T): Promise<T> => untilFree(busyTimeoutMs, step);
  const queue = joinQueue(inMemory ? null : realpathSync(path));

  const statements = new Map<string, Database.Statement<SqlValue[], SqlRow>>();
  const prepare = (text: string) => {
    let statement = statements.get(text);
    if (!statement) {
      statement = db.prepare<SqlValue[], SqlRow>(text);
      statements.set(text, statement);
    }
    return statement;
  };

  // Each statement runs to completion synchronously once it runs; another process's lock is waited out first (free()).
  const direct: SqlExecutor = {
    query: (text, params = []) => free(() => prepare(text).all(...params)),
    run: (text, params = []) => free(() => prepare(text).run(...params).changes),
  };

  return {
    dialect: 'sqlite',
    sequence: (statements) =>
      queue.turn(async () => {
        const failures: unknown[] = [];
        const rows: SqlRow[][] = [];
        // One at a time, each waited out on its own: one refused after the one before it ran must not run that one again.
        for (const { sql, params } of statements) {
          try {
            const step = (): SqlRow[] => {
              const statement = prepare(sql); // preparing reads the schema, which may be refused for a lock too
              if (statement.reader) return statement.all(...params);
              statement.run(...params);
              return [];
            };
            rows.push(await free(step));
          } catch (error) {
            failures.push(error);
            rows.push([]);
          }
        }
        if (failures.length > 0) throw failures[0];
        return rows;
      }),
    query: (text, params) => queue.turn(() => direct.query(text, params)),
    run: (text, params) => queue.turn(() => direct.run(text, params)),
    transaction: (fn) =>
      queue.turn(async () => {
        await free(() => db.exec('BEGIN IMMEDIATE'));
        try {
          const result = await fn(direct);
          await free(() => db.exec('COMMIT')); // a COMMIT refused leaves the transaction open, to be committed again
          return result;
        } catch (error) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw error;
        }
      }),
    close: () =>
      queue.turn(async () => {
        if (!db.open) return;
        db.close();
        queue.leave();
      }),
  };
}

export function createSqliteStore(options: SqliteStoreOptions): Store {
  return createSqlStore(createSqliteDriver(options));
}
