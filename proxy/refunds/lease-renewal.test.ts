// withLease()'s renewal at once after a slow take (c3de763): the take may write a lease with little or none of its TTL
// left, and another instance may take the order's lease before the renewal lands. The renewal must then fail, so the
// work (a refund read under the take) is not run on what another holder may have changed meanwhile.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createBackground, type TrackedBackground } from '../background.ts';
import { createSqliteStore } from '../store/sqlite.ts';
import type { Store } from '../store/store.ts';
import { LEASE_BUSY, withLease } from './lease.ts';

const TTL = 6_000;
let store: Store;
let background: TrackedBackground;
let logs: Record<string, unknown>[];
let clock: number;

beforeEach(async () => {
  store = createSqliteStore({ path: ':memory:' });
  await store.migrate();
  background = createBackground();
  logs = [];
  clock = 1_000_000;
});
afterEach(async () => {
  await background.settled();
  await store.close();
});

/**
 * The store with each of its lease calls (the take, then the renewals, whichever of its lease methods each uses)
 * made through `around`, given the call's number (from 1) and the call itself.
 */
const leaseCallsThrough = (around: (call: number, made: () => Promise<unknown>) => Promise<unknown>): Store => {
  let calls = 0;
  return new Proxy(store, {
    get(target, key, receiver) {
      const method = Reflect.get(target, key, receiver);
      if (key !== 'acquireLease' && key !== 'renewLease') return method;
      return (...args: unknown[]) => {
        calls += 1;
        return around(calls, () => method.apply(target, args));
      };
    },
  });
};

/**
 * The store as this instance sees it: its first lease call (the take) lands TTL + 1 ms after it was asked for (it
 * waited behind a lock), and `beforeRenewal` runs on the ledger before its second one (the renewal) lands.
 */
const slowTake = (beforeRenewal: () => Promise<void>): Store =>
  leaseCallsThrough(async (call, made) => {
    if (call === 2) await beforeRenewal();
    const taken = await made();
    if (call === 1) clock += TTL + 1;
    return taken;
  });

/** The store with each of its lease calls landing `landsAfter(n)` ms after it was asked for (n: the call's number). */
const slowLeases = (landsAfter: (call: number) => number): Store =>
  leaseCallsThrough(async (call, made) => {
    const taken = await made();
    clock += landsAfter(call);
    return taken;
  });

const deps = (s: Store) => ({
  store: s,
  background,
  now: () => clock,
  sleep: async () => undefined,
  randomId: () => 'here',
  leaseWaitMs: 0,
  leaseTtlMs: TTL,
  log: (line: Record<string, unknown>) => void logs.push(line),
});

describe('withLease() after a take that outlived its lease', () => {
  it('does not run the work when another holder took the lease meanwhile and still holds it', async () => {
    const s = slowTake(async () => {
      assert.equal(await store.acquireLease('order:A', 'other', TTL, clock), true, 'the lease had run out');
    });
    let ran = false;
    const result = await withLease(deps(s), 'order:A', async () => {
      ran = true;
      return { value: 'worked' };
    });
    assert.equal(result, LEASE_BUSY);
    assert.equal(ran, false);
  });

  it('does not run the work when another holder took the lease, did its work and released it meanwhile', async () => {
    const s = slowTake(async () => {
      // Another instance's whole refund of the order: it takes the expired lease, works, and gives it back.
      assert.equal(await store.acquireLease('order:B', 'other', TTL, clock), true, 'the lease had run out');
      await store.releaseLease('order:B', 'other');
    });
    let ran = false;
    const result = await withLease(deps(s), 'order:B', async () => {
      ran = true;
      return { value: 'worked' };
    });
    assert.equal(
      ran,
      false,
      'the work ran on what the take read, though another holder had the lease (and the order) in between',
    );
    assert.equal(result, LEASE_BUSY);
  });

  it('gives the lease back and passes the error on when the renewal fails', async () => {
    const s = leaseCallsThrough(async (call, made) => {
      if (call === 2) throw new Error('ledger down');
      const taken = await made();
      clock += TTL / 3;
      return taken;
    });
    await assert.rejects(
      withLease(deps(s), 'order:C', async () => ({ value: 'worked' })),
      /ledger down/,
    );
    assert.equal(await store.acquireLease('order:C', 'other', TTL, clock), true, 'released');
  });
});

describe('withLease() when the renewal after a slow take is slow too', () => {
  it('renews again, so the work starts with most of a TTL left', async () => {
    // The take lands after its TTL, the renewal a millisecond short of its own: renewed once, the lease would run out
    // 1 ms into the work, and another instance could take the order while this one refunds it.
    const s = slowLeases((call) => (call === 1 ? TTL + 1 : call === 2 ? TTL - 1 : 0));
    const result = await withLease(deps(s), 'order:D', async () => {
      clock += 2;
      return { value: await store.acquireLease('order:D', 'other', TTL, clock) };
    });
    assert.equal(result, false, 'another holder took the lease of an order under work');
  });

  it('gives the lease back and does no work when every renewal is as slow', async () => {
    const s = slowLeases(() => TTL / 3);
    let ran = false;
    const result = await withLease(deps(s), 'order:E', async () => {
      ran = true;
      return { value: 'worked' };
    });
    assert.equal(result, LEASE_BUSY);
    assert.equal(ran, false);
    assert.equal(await store.acquireLease('order:E', 'other', TTL, clock), true, 'given back, not left to run out');
    assert.ok(logs.some((l) => l.msg === 'the ledger was too slow to keep a lease'));
  });
});
