/** @module The server backend: adapts the `postgres` driver (porsager) to SqlDriver. */
import postgres from 'postgres';
import type { SqlDriver, SqlExecutor } from './sql-driver.ts';
import { createSqlStore } from './sql-store.ts';
import type { Store } from './store.ts';

export interface PostgresStoreOptions {
  /** e.g. postgres://user@host:5432/db; extra query parameters (search_path=…) become session settings. */
  readonly url: string;
  /**
   * Connections in the pool; 4 unless given. The driver pipelines statements on a busy connection, so a few serve many
   * requests at once, and each connection more is one more server process competing for the database's CPU:
   * `npm run bench -- view` served about 15% more views with 4 than with 10.
   */
  readonly max?: number;
  /** This instance's clock, which the database server's is read against (ledger-clock.ts); Date.now unless given. */
  readonly now?: () => number;
}

const numbered = new Map<string, string>();

/** `?` → `$1, $2, …`; statements.ts promises no `?` outside placeholders. */
function numberPlaceholders(text: string): string {
  let result = numbered.get(text);
  if (result === undefined) {
    let n = 0;
    result = text.replace(/\?/g, () => `$${(n += 1)}`);
    numbered.set(text, result);
  }
  return result;
}

export function createPostgresDriver({ url, max = 4 }: PostgresStoreOptions): SqlDriver {
  const sql = postgres(url, {
    max,
    // CREATE TABLE IF NOT EXISTS reports "already exists, skipping" as a notice on every start; nothing to act on.
    onnotice: () => {},
    types: {
      // BIGINT comes as a string by default (it can exceed 2^53); ledger values are epoch ms, far below that.
      int8: { to: 20, from: [20], serialize: (value: number) => String(value), parse: (raw: string) => Number(raw) },
    },
  });

  const executorOn = (connection: Pick<postgres.TransactionSql<{ int8: number }>, 'unsafe'>): SqlExecutor => ({
    query: async (text, params = []) =>
      await connection.unsafe(numberPlaceholders(text), [...params], { prepare: true }),
    run: async (text, params = []) =>
      (await connection.unsafe(numberPlaceholders(text), [...params], { prepare: true })).count,
  });

  return {
    dialect: 'postgres',
    ...executorOn(sql),
    async sequence(statements) {
      // One statement needs no order kept: the pool's own connection, without holding one back from the others.
      const [only] = statements;
      if (statements.length === 1 && only) return [await executorOn(sql).query(only.sql, only.params)];
      // A reserved connection runs its queries in the order they were issued, and the driver writes them together.
      const connection = await sql.reserve();
      try {
        const results = await Promise.allSettled(statements.map((s) => executorOn(connection).query(s.sql, s.params)));
        const failed = results.find((r) => r.status === 'rejected');
        if (failed) throw failed.reason;
        return results.map((r) => (r.status === 'fulfilled' ? r.value : []));
      } finally {
        connection.release();
      }
    },
    async transaction(fn) {
      // Boxed because the driver's return type unwraps arrays, which a generic result cannot be checked against.
      const box = await sql.begin(async (tx) => ({ value: await fn(executorOn(tx)) }));
      return box.value;
    },
    close: (graceSeconds = 5) => sql.end({ timeout: graceSeconds }),
  };
}

export function createPostgresStore(options: PostgresStoreOptions): Store {
  return createSqlStore(createPostgresDriver(options), options.now ? { now: options.now } : {});
}
