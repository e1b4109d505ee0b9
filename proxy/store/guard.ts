/**
 * @module guardStore(): marks every failure of the ledger as LedgerUnavailableError, so the app can answer a clear 503
 * ("nothing was refunded") instead of a bare 500 when the database is down; a text PostgreSQL cannot hold is the
 * client's 400 instead. Nothing reaches i'mport before the ledger has answered (the order lease is the first thing a
 * refund takes).
 */
import { AppError } from '../errors.ts';
import type { Store } from './store.ts';

/**
 * PostgreSQL refusing a text value it cannot hold (22021: a NUL character; 22P05: one its encoding lacks): the client's
 * input, which SQLite stores as it is, not the ledger failing. Routes check their fields first and name them; this is
 * for a value that reaches the ledger unchecked (an id in a path), which would otherwise be answered "ledger down".
 */
const UNSTORABLE_TEXT = new Set(['22021', '22P05']);
const isUnstorableText = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && 'code' in error && UNSTORABLE_TEXT.has(String(error.code));

export class LedgerUnavailableError extends Error {
  constructor(
    readonly operation: string,
    options: { cause: unknown },
  ) {
    const cause = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(`the ledger failed during ${operation}: ${cause}`, options);
    this.name = 'LedgerUnavailableError';
  }
}

export const guardStore = (store: Store): Store =>
  new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || property === 'close') return value;
      return async (...args: unknown[]) => {
        try {
          // A Store method: all are async.
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } catch (error) {
          if (error instanceof LedgerUnavailableError) throw error;
          if (isUnstorableText(error)) {
            throw new AppError('INVALID_REQUEST', 'A value sent holds a character that cannot be stored (a NUL).');
          }
          throw new LedgerUnavailableError(String(property), { cause: error });
        }
      };
    },
  });
