/**
 * @module createCoalescer(): one run of some work per key at a time, shared by the callers it can answer truthfully
 * (the webhook's lookups: a burst of notifications for one payment costs two i'mport calls, not one each). A run
 * answers only those who asked before it started: a notification that arrives once a lookup is under way may tell of
 * a change that lookup could not see, so it waits for the next run, which every caller arriving meanwhile shares.
 * Nothing is kept once a key's runs are over; past `maxKeys` keys at once, a new key runs without sharing.
 */

export interface CoalescerOptions {
  /** The most keys with a run under way or waiting at once. */
  readonly maxKeys: number;
}

export interface Coalescer<T> {
  /**
   * The result of a run of `work` for this key that starts after this call: the one waiting for its turn, or a new
   * one after the run under way (if any). A failed run fails only its own callers.
   */
  run(key: string, work: () => Promise<T>): Promise<T>;
}

interface Slot<T> {
  /** The run that has not started yet: whoever asks now shares it. */
  waiting: Promise<T> | null;
  /** Settles when the last run asked for so far has ended. */
  tail: Promise<void>;
  /** Runs started or waiting. */
  runs: number;
}

const ignore = () => undefined;

export const createCoalescer = <T>({ maxKeys }: CoalescerOptions): Coalescer<T> => {
  const slots = new Map<string, Slot<T>>();
  return {
    run(key, work) {
      const found = slots.get(key);
      if (found?.waiting) return found.waiting;
      if (!found && slots.size >= maxKeys) return Promise.resolve().then(work);
      const slot: Slot<T> = found ?? { waiting: null, tail: Promise.resolve(), runs: 0 };
      slots.set(key, slot);
      slot.runs += 1;
      const result = slot.tail.then(() => {
        slot.waiting = null; // under way from here: a later caller needs the run after this one
        return work();
      });
      slot.waiting = result;
      slot.tail = result.then(ignore, ignore).then(() => {
        slot.runs -= 1;
        if (slot.runs === 0 && slots.get(key) === slot) slots.delete(key);
      });
      return result;
    },
  };
};
