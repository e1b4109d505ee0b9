// withLease(): the lease is held for the work and its tail, the value comes back before the tail ends, and the
// lease is let go whatever happens.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createBackground, type TrackedBackground } from '../background.ts';
import { createSqliteStore } from '../store/sqlite.ts';
import type { Store } from '../store/store.ts';
import { LEASE_BUSY, withLease } from './lease.ts';

let store: Store;
let background: TrackedBackground;
let logs: Record<string, unknown>[];
let ids = 0;

const deps = (leaseWaitMs = 2_000) => ({
  store,
  background,
  now: Date.now,
  sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
  randomId: () => `holder-${(ids += 1)}`,
  leaseWaitMs,
  leaseTtlMs: 6_000,
  log: (line: Record<string, unknown>) => void logs.push(line),
});

/** Whether someone else could take the lease right now (taking and giving it back if so). */
const isFree = async (name: string) => {
  const free = await store.acquireLease(name, 'probe', 6_000, Date.now());
  if (free) await store.releaseLease(name, 'probe');
  return free;
};

beforeEach(async () => {
  store = createSqliteStore({ path: ':memory:' });
  await store.migrate();
  background = createBackground();
  logs = [];
});
afterEach(async () => {
  await background.settled();
  await store.close();
});

describe('withLease()', () => {
  it('returns the value while the tail still runs, and releases the lease only after the tail', async () => {
    let endTail = () => {};
    const tailDone = new Promise<void>((resolve) => (endTail = resolve));
    const value = await withLease(deps(), 'order:A', async () => ({ value: 42, tail: () => tailDone }));
    assert.equal(value, 42);
    assert.equal(await isFree('order:A'), false, 'held while the tail runs');
    endTail();
    await background.settled();
    assert.equal(await isFree('order:A'), true, 'released after the tail');
  });

  it('makes the next holder wait for the tail, so it sees what the tail wrote', async () => {
    const written: string[] = [];
    await withLease(deps(), 'order:B', async () => ({
      value: 'first',
      tail: async () => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        written.push('tail');
      },
    }));
    const second = await withLease(deps(), 'order:B', async () => ({ value: [...written] }));
    assert.deepEqual(second, ['tail']);
  });

  it('releases the lease when the tail fails, and logs the failure', async () => {
    await withLease(deps(), 'order:C', async () => ({
      value: 1,
      tail: async () => {
        throw new Error('ledger gone');
      },
    }));
    await background.settled();
    assert.equal(await isFree('order:C'), true);
    assert.match(String(logs.at(-1)?.error), /ledger gone/);
  });

  it('releases the lease before passing on an error from the work', async () => {
    await assert.rejects(
      withLease(deps(), 'order:D', async () => {
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(await isFree('order:D'), true);
  });

  it('with take: hands what it read to the work, and gives the lease back when reading after taking it fails', async () => {
    const read = await withLease(
      deps(),
      'order:F',
      async (snapshot: string) => ({ value: snapshot }),
      async (holder) => ((await store.acquireLease('order:F', holder, 6_000, Date.now())) ? 'what was read' : null),
    );
    assert.equal(read, 'what was read');
    const failing = async (holder: string): Promise<string | null> => {
      await store.acquireLease('order:G', holder, 6_000, Date.now());
      throw new Error('read failed');
    };
    await assert.rejects(
      withLease(deps(), 'order:G', async (snapshot: string) => ({ value: snapshot }), failing),
      /read failed/,
    );
    assert.equal(await isFree('order:G'), true);
  });

  it('answers LEASE_BUSY when the lease stays taken past the wait', async () => {
    assert.equal(await store.acquireLease('order:E', 'someone', 6_000, Date.now()), true);
    assert.equal(await withLease(deps(30), 'order:E', async () => ({ value: 1 })), LEASE_BUSY);
  });
});
