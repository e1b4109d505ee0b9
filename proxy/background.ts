/**
 * @module Work that goes on after an answer was sent: a refund's last writes under its order's lease (withLease's
 * tail). Each entry decides how that work is kept alive: a long-lived server waits for it before closing the ledger
 * at shutdown; on Workers it is handed to ctx.waitUntil with the request's connection.
 */
export interface Background {
  /** Takes work that may still be running when the answer goes out. It must handle its own errors. */
  keep(work: Promise<unknown>): void;
  /**
   * True once kept work should take no further wait (for an order another refund holds, say): the process is shutting
   * down, or (Workers) the request's time for its work is nearly up. Such work leaves what it marked for the next reader.
   */
  stopping?(): boolean;
}

export interface TrackedBackground extends Background {
  /** Resolves once all work kept so far (and any kept meanwhile) has settled. */
  settled(): Promise<void>;
  /** From now on stopping() is true. */
  stop(): void;
}

export const createBackground = (): TrackedBackground => {
  const pending = new Set<Promise<unknown>>();
  let stopping = false;
  return {
    keep(work) {
      const tracked: Promise<unknown> = work.catch(() => undefined).finally(() => pending.delete(tracked));
      pending.add(tracked);
    },
    stopping: () => stopping,
    stop() {
      stopping = true;
    },
    async settled() {
      while (pending.size > 0) await Promise.all(pending);
    },
  };
};

/**
 * At shutdown, once the server takes no more requests: a refund answered just now may still be writing under its
 * order's lease, so that work is let finish before the ledger closes.
 */
export const closeWhenSettled = async (
  background: TrackedBackground,
  ledger: { close(): Promise<void> },
): Promise<void> => {
  background.stop(); // what waits for more (an order held by a refund elsewhere) ends after its current wait
  await background.settled();
  await ledger.close();
};
