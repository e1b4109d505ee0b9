/**
 * @module guardStore(): marks every failure of the ledger as LedgerUnavailableError, so the app can answer a clear
 * 503 ("nothing was refunded") instead of a bare 500 when the database is down. Nothing reaches i'mport before the
 * ledger has answered (the order lease is the first thing a refund takes).
 */
import type { Store } from './store.ts';

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
          throw new LedgerUnavailableError(String(property), { cause: error });
        }
      };
    },
  });
