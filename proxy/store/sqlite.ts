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

// Connections to one file inside one process take turns through a shared queue. better-sqlite3 blocks the
// thread while SQLite waits out busy_timeout, so a connection waiting for another one's open transaction would
// freeze the event loop that transaction needs in order to commit. Other processes are left to busy_timeout.
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

function createSqliteDriver({ path, busyTimeoutMs = 5000 }: SqliteStoreOptions): SqlDriver {
  const inMemory = path === ':memory:' || path === '';
  if (!inMemory) mkdirSync(dirname(resolve(path)), { recursive: true });
  const db = new Database(path);
  // busy_timeout first, so that even switching to WAL waits for a process that is opening the same file.
  db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
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

  // Async only in shape: each call runs to completion synchronously, and a throw becomes a rejection.
  const direct: SqlExecutor = {
    query: async (text, params = []) => prepare(text).all(...params),
    run: async (text, params = []) => prepare(text).run(...params).changes,
  };

  return {
    dialect: 'sqlite',
    sequence: (statements) =>
      queue.turn(async () => {
        const failures: unknown[] = [];
        const rows = statements.map(({ sql, params }) => {
          try {
            const statement = prepare(sql);
            if (statement.reader) return statement.all(...params);
            statement.run(...params);
            return [];
          } catch (error) {
            failures.push(error);
            return [];
          }
        });
        if (failures.length > 0) throw failures[0];
        return rows;
      }),
    query: (text, params) => queue.turn(() => direct.query(text, params)),
    run: (text, params) => queue.turn(() => direct.run(text, params)),
    transaction: (fn) =>
      queue.turn(async () => {
        db.exec('BEGIN IMMEDIATE');
        try {
          const result = await fn(direct);
          db.exec('COMMIT');
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
