/** @module The server backend: adapts the `postgres` driver (porsager) to SqlDriver. */
import postgres from 'postgres';
import { connectionGone } from './connection-gone.ts';
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
  /** A clock that never steps, to see a step of `now` by (SqlStoreOptions.monotonic). */
  readonly monotonic?: () => number;
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

/**
 * How long a sequence or a transaction waits to be handed a connection of its own. The driver (postgres 3.4.9,
 * porsager/postgres#1195) can strand a wait for one for good: a connection lost while it waits, opened again by the
 * driver, is never handed over. Without a bound that request was never answered and, after a refund was sent, its
 * order's lease renewed until a restart; bounded, it fails as a ledger that cannot be reached does (before a send: "this
 * request sent no refund"; after: the outcome settled later). Ten seconds is far past any wait a busy pool makes and
 * under the widget's own 30-second wait for an answer.
 */
const RESERVE_TIMEOUT_MS = 10_000;

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

  /** The executor over `unsafe` (the pool's, or a reserved connection's guarded one): `?` placeholders, prepared. */
  const executorOf = (unsafe: Unsafe): SqlExecutor => ({
    query: async (text, params = []) => await unsafe(numberPlaceholders(text), params, true),
    run: async (text, params = []) => (await unsafe(numberPlaceholders(text), params, true)).count,
  });
  const pool = executorOf((text, params, prepare) => sql.unsafe(text, [...params] as DriverParams, { prepare }));

  /**
   * A connection of its own, or a rejection once RESERVE_TIMEOUT_MS have passed without one. One handed over after that
   * (a pool busy for that long) is given back at once, unused, while it is open; a wait the driver stranded never
   * settles, and holds nothing.
   */
  const reserve = async (): Promise<postgres.ReservedSql> => {
    const waiting = sql.reserve();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no ledger connection was free within ${RESERVE_TIMEOUT_MS / 1000} s`)),
        RESERVE_TIMEOUT_MS,
      );
    });
    try {
      return await Promise.race([waiting, timedOut]);
    } catch (error) {
      void waiting.then(
        (late) => late.release(),
        () => undefined,
      );
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };

  /**
   * Runs `work` on a connection of its own, given back to the pool after unless it turned out to be gone. The driver
   * (postgres 3.4.9; porsager/postgres#1154, #1208) writes anything given to a connection it has closed on a timer,
   * which throws past every catch and ends the process: a reserved connection given back after it closed (the pool
   * hands it out again), a ROLLBACK after a statement failed because it closed (its begin() does). So once a statement
   * says the connection is gone, nothing more is written on it (each later statement fails with that error), it is not
   * given back (the driver has set it aside to open again), and `work` is not waited for: statements the driver held
   * back for it never settle.
   */
  const onReserved = async <T>(work: (connection: ReservedExecutor) => Promise<T>): Promise<T> => {
    const connection = await reserve();
    let gone: { readonly error: unknown } | null = null;
    let keep = false;
    let lose: (error: unknown) => void = () => undefined;
    const lost = new Promise<never>((_, reject) => {
      lose = reject;
    });
    lost.catch(() => undefined); // raced below; unwaited when the work ends first
    let failed: { readonly error: unknown } | null = null;
    const unsafe: Unsafe = async (text, params, prepare) => {
      if (gone) throw gone.error;
      try {
        return await connection.unsafe(text, [...params] as DriverParams, { prepare });
      } catch (error) {
        failed ??= { error };
        if (!gone && connectionGone(error)) {
          gone = { error };
          lose(error);
        }
        throw error;
      }
    };
    const executor: ReservedExecutor = {
      ...executorOf(unsafe),
      command: async (text) => void (await unsafe(text, [], false)),
      gone: () => gone !== null,
      failed: () => failed?.error,
      keep: () => {
        keep = true;
      },
    };
    try {
      return await Promise.race([work(executor), lost]);
    } finally {
      if (!gone && !keep) connection.release();
    }
  };

  return {
    dialect: 'postgres',
    ...pool,
    async sequence(statements) {
      // One statement needs no order kept: the pool's own connection, without holding one back from the others.
      const [only] = statements;
      if (statements.length === 1 && only) return [await pool.query(only.sql, only.params)];
      // A reserved connection runs its queries in the order they were issued, and the driver writes them together.
      return onReserved(async (connection) => {
        const results = await Promise.allSettled(statements.map((s) => connection.query(s.sql, s.params)));
        const failed = results.find((r) => r.status === 'rejected');
        if (failed) throw failed.reason;
        return results.map((r) => (r.status === 'fulfilled' ? r.value : []));
      });
    },
    transaction: (fn) =>
      // BEGIN and COMMIT written here, not by the driver's begin(), which writes its ROLLBACK on a connection gone.
      onReserved(async (tx) => {
        await tx.command('BEGIN');
        let value: Awaited<ReturnType<typeof fn>>;
        try {
          value = await fn(tx);
          // A statement that failed aborts the transaction even when `fn` went on (COMMIT would then roll it back
          // and answer as if it had committed): that failure is the transaction's, as the driver's begin() had it.
          const failed = tx.failed();
          if (failed !== undefined) throw failed;
        } catch (error) {
          // A ROLLBACK that fails on a connection still open leaves it in the transaction: kept out of the pool, whose
          // next statements would otherwise run inside it.
          if (!tx.gone()) await tx.command('ROLLBACK').catch(() => tx.keep());
          throw error;
        }
        await tx.command('COMMIT');
        return value;
      }),
    close: (graceSeconds = 5) => sql.end({ timeout: graceSeconds }),
  };
}

type DriverParams = postgres.ParameterOrJSON<never>[];

/** A statement's text (numbered placeholders) sent with its parameters, prepared or not; its rows, with their count. */
type Unsafe = (text: string, params: readonly unknown[], prepare: boolean) => Promise<postgres.RowList<postgres.Row[]>>;

/** A reserved connection's executor: statements, and BEGIN/COMMIT/ROLLBACK, none written once it is gone. */
interface ReservedExecutor extends SqlExecutor {
  command(text: 'BEGIN' | 'COMMIT' | 'ROLLBACK'): Promise<void>;
  /** A statement said the connection is gone. */
  gone(): boolean;
  /** The first statement's error, if one failed. */
  failed(): unknown;
  /** Not given back to the pool at the end. */
  keep(): void;
}

/** The driver's own query for the array types (`fetch_types`), as its failures name it (their `query`). */
const TYPE_FETCH = /\bb\.typarray\b[\s\S]*\bpg_catalog\.pg_type\b/;

const isTypeFetchFailure = (reason: unknown): boolean =>
  typeof reason === 'object' &&
  reason !== null &&
  'query' in reason &&
  typeof reason.query === 'string' &&
  TYPE_FETCH.test(reason.query);

let typeFetchGuarded = false;

/**
 * The driver (postgres 3.4.9; porsager/postgres#1192, #1205, #1223) runs a query of its own on each connection it opens,
 * the array types, and drops its promise: that query failing (cancelled by statement_timeout, its connection ended as
 * it opens by a failover, a restart, pg_terminate_backend, a reset) was an unhandled rejection, which ends a Node, Bun or
 * Deno process. The ledger's own statements on that connection fail or go on by themselves, and the ledger reads no
 * arrays, so that one rejection is let go; any other is thrown on, and still ends the process as it would have.
 */
const surviveTypeFetchFailures = (): void => {
  const host = globalThis.process;
  if (typeFetchGuarded || typeof host?.on !== 'function') return;
  typeFetchGuarded = true;
  host.on('unhandledRejection', (reason) => {
    if (!isTypeFetchFailure(reason)) throw reason;
  });
};

/** The ledger of a long-running process (Node, Bun, Deno); Workers use createPostgresDriver, one per request. */
export function createPostgresStore(options: PostgresStoreOptions): Store {
  surviveTypeFetchFailures();
  const { now, monotonic } = options;
  return createSqlStore(createPostgresDriver(options), {
    ...(now ? { now } : {}),
    ...(monotonic ? { monotonic } : {}),
  });
}
