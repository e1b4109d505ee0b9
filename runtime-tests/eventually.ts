/**
 * @module eventually(): waits for what a proxy on another runtime does after its answer (a webhook's effect on the
 * ledger, a delivery reaching a receiver), by asking again until it shows or the deadline passes.
 */
import assert from 'node:assert/strict';

/** Long enough for a delivery's first attempt, a retry after 1 s and the next pass, on a loaded machine. */
const DEADLINE_MS = 10_000;

/** Calls `check` until it returns something, then returns that; fails with `what` after the deadline. */
export const eventually = async <T>(what: string, check: () => Promise<T | undefined>): Promise<T> => {
  const deadline = performance.now() + DEADLINE_MS;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (performance.now() > deadline) assert.fail(`within ${DEADLINE_MS} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};
