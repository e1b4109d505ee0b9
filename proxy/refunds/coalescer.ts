/**
 * @module createCoalescer(): one run of some work per key, shared by every caller that asks while it runs or within a
 * window after it started (the webhook's lookups: a burst of notifications for one payment costs one i'mport call).
 * Memory is bounded: past `maxKeys`, finished runs are swept and then the oldest run is forgotten.
 */

export interface CoalescerOptions {
  /** How long after a run started its result is still handed out. */
  readonly windowMs: number;
  /** The most keys remembered at once. */
  readonly maxKeys: number;
  /** Epoch ms. */
  readonly now: () => number;
}

export interface Coalescer<T> {
  /** The result of `work` for this key: a run in flight or recent, else a new run. A failed run is not kept. */
  run(key: string, work: () => Promise<T>): Promise<T>;
}

interface Run<T> {
  readonly startedAt: number;
  settled: boolean;
  readonly result: Promise<T>;
}

export const createCoalescer = <T>({ windowMs, maxKeys, now }: CoalescerOptions): Coalescer<T> => {
  const runs = new Map<string, Run<T>>();
  const isLive = (run: Run<T>, t: number) => !run.settled || t - run.startedAt < windowMs;

  const makeRoom = (t: number) => {
    if (runs.size < maxKeys) return;
    for (const [key, run] of runs) if (!isLive(run, t)) runs.delete(key);
    // Still full (a flood of distinct keys): forget the oldest; at worst a later duplicate runs again.
    const oldest = runs.keys().next();
    if (runs.size >= maxKeys && !oldest.done) runs.delete(oldest.value);
  };

  return {
    run(key, work) {
      const t = now();
      const earlier = runs.get(key);
      if (earlier && isLive(earlier, t)) return earlier.result;
      runs.delete(key);
      makeRoom(t);
      const run: Run<T> = { startedAt: t, settled: false, result: Promise.resolve().then(work) };
      runs.set(key, run);
      run.result.then(
        () => {
          run.settled = true;
        },
        () => {
          // A failure (the ledger, say) is shared with those already waiting, never with later callers.
          run.settled = true;
          if (runs.get(key) === run) runs.delete(key);
        },
      );
      return run.result;
    },
  };
};
