// housekeep() against a real (in-memory SQLite) ledger and an injected clock: what goes, what stays, what is logged.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createSqliteStore } from '../store/sqlite.ts';
import type { Store } from '../store/store.ts';
import { housekeep, KEY_LIFETIME_MS, LEASE_LEFTOVER_MS } from './housekeeping.ts';

const T0 = 1_767_225_600_000;
const HOUR = 3600 * 1000;

let store: Store | undefined;
afterEach(async () => store?.close());

const openStore = async (): Promise<Store> => {
  store = createSqliteStore({ path: ':memory:' });
  await store.migrate();
  return store;
};

const claim = (s: Store, key: string, created_at: number) =>
  s.claimIdempotencyKey({ key, merchant_uid: 'ORD-1', request_hash: 'h', created_at });

describe('housekeep', () => {
  it('purges idempotency keys past their lifetime and leases long expired, and keeps the rest', async () => {
    const s = await openStore();
    await claim(s, 'old-key', T0);
    await claim(s, 'young-key', T0 + 2 * HOUR);
    assert.equal(await s.acquireLease('order:old', 'h1', 10_000, T0), true);
    assert.equal(await s.acquireLease('order:recent', 'h1', 10_000, T0 + KEY_LIFETIME_MS), true);
    const now = T0 + KEY_LIFETIME_MS + 1;
    const logs: Record<string, unknown>[] = [];

    await housekeep({ store: s, now: () => now, log: (line) => logs.push(line) });

    assert.equal((await claim(s, 'old-key', now)).created, true, 'the old key is free again');
    assert.equal((await claim(s, 'young-key', now)).created, false, 'a key within its lifetime stays');
    // Taken at a time before their expiry: only a lease whose row is gone is free then.
    assert.equal(await s.acquireLease('order:old', 'h2', 1, T0), true, 'the long-expired lease is gone');
    assert.equal(
      await s.acquireLease('order:recent', 'h2', 1, T0),
      false,
      'a lease expired less than an hour ago stays',
    );
    assert.deepEqual(logs, [{ level: 'info', msg: 'housekeeping', idempotency_keys_purged: 1, leases_purged: 1 }]);
  });

  it('leaves a live lease alone, and logs nothing when nothing went', async () => {
    const s = await openStore();
    const now = T0 + 100 * HOUR;
    assert.equal(await s.acquireLease('order:live', 'h1', LEASE_LEFTOVER_MS, now - HOUR + 1), true);
    const logs: Record<string, unknown>[] = [];

    await housekeep({ store: s, now: () => now, log: (line) => logs.push(line) });

    assert.equal(await s.acquireLease('order:live', 'h2', 1, now), false, 'still held by h1');
    assert.deepEqual(logs, []);
  });

  it('logs a failure and does not throw (the next round tries again)', async () => {
    const s = await openStore();
    await s.close();
    const logs: Record<string, unknown>[] = [];

    await housekeep({ store: s, now: () => T0, log: (line) => logs.push(line) });

    assert.equal(logs.length, 1);
    assert.equal(logs[0]?.msg, 'housekeeping failed');
    store = undefined;
  });
});
