/**
 * @module Two proxy instances on one ledger, the first of which can be cut off from it: its lease renewals fail (a
 * PostgreSQL failover, a dropped connection, a SQLite file held locked) while a slow read of i'mport runs under an
 * order's lease, so that lease runs out and the second instance takes the order. The rig of the lease-lost tests.
 */
import assert from 'node:assert/strict';
import { after } from 'node:test';
import { createFakeIamport, type FakeIamport } from '../gateways/iamport/fake/fake-iamport.ts';
import { randomDataKey } from '../requests/account-crypto.ts';
import { createPostgresStore } from '../store/postgres.ts';
import { createSqliteStore } from '../store/sqlite.ts';
import type { Store } from '../store/store.ts';
import { KEY, OTHER_KEY } from './admin-calls.ts';
import {
  createClock,
  createHarness,
  type Harness,
  type TestClock,
  tempSqlitePath,
  WEBHOOKS_ANSWERED,
} from './harness.ts';
import { tempSchema } from './postgres-schema.ts';

/** A ledger to open once per instance. */
type Ledger = () => Store;

/**
 * SQLite, and PostgreSQL when DATABASE_URL is set, each test with a ledger of its own (on PostgreSQL a schema of its
 * own: the hourly look reads every order of its ledger, and one left by an earlier test would take the slow read meant
 * for this test's order).
 */
export const ledgers = (prefix: string): [string, () => Promise<Ledger>][] => {
  const drops: (() => Promise<void>)[] = [];
  after(async () => {
    for (const drop of drops.splice(0)) await drop();
  });
  const sqlite = async (): Promise<Ledger> => {
    const path = tempSqlitePath();
    return () => createSqliteStore({ path });
  };
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) return [['SQLite', sqlite]];
  const postgres = async (): Promise<Ledger> => {
    const schema = tempSchema(databaseUrl, prefix);
    await schema.create();
    drops.push(schema.drop);
    return () => createPostgresStore({ url: schema.url });
  };
  return [
    ['SQLite', sqlite],
    ['PostgreSQL', postgres],
  ];
};

/** `store` as an instance cut off from the ledger sees it while `cut()` is true: its lease renewals fail. */
const cutOff = (store: Store, cut: () => boolean): Store =>
  new Proxy(store, {
    get(target, key, receiver) {
      const method = Reflect.get(target, key, receiver);
      if (key !== 'acquireLease' && key !== 'renewLease') return method;
      return (...args: unknown[]) =>
        cut() ? Promise.reject(new Error('Connection terminated unexpectedly')) : method.apply(target, args);
    },
  });

export interface TwoInstances {
  /** The instance that will be cut off: it waits up to 20 s for i'mport. */
  readonly a: Harness;
  /** The other, which waits up to 15 s for an order's lease. */
  readonly b: Harness;
  readonly fake: FakeIamport;
  readonly clock: TestClock;
  /** From now A's lease renewals fail (its lease runs out about 6 s after its last renewal); `false` ends it. */
  cut(on: boolean): void;
  close(): Promise<void>;
}

/**
 * A and B on `ledger`, sharing one fake i'mport and one clock, with merchant webhooks on (answered), request mode on
 * (a data key) and admin keys.
 */
export const twoInstances = async (ledger: Ledger): Promise<TwoInstances> => {
  const clock = createClock();
  const fake = createFakeIamport({ now: clock.now });
  let cut = false;
  const config = {
    ...WEBHOOKS_ANSWERED.config,
    admin: { keys: [KEY, OTHER_KEY], perKeyPerMinute: 0, generated: false },
    dataKeys: { current: randomDataKey(), previous: null },
  };
  const shared = { ...WEBHOOKS_ANSWERED, config, clock, fake };
  const a = await createHarness({ ...shared, store: cutOff(ledger(), () => cut), timeoutMs: 20_000 });
  const b = await createHarness({ ...shared, store: ledger(), leaseWaitMs: 15_000 });
  return {
    a,
    b,
    fake,
    clock,
    cut: (on) => {
      cut = on;
    },
    close: async () => {
      await a.close();
      await b.close();
    },
  };
};

/** The next read of `route` from i'mport takes 8 s to get there: longer than a lease's 6 s. */
export const slowRead = (fake: FakeIamport, route: 'find' | 'payment'): void =>
  fake.inject({ kind: 'delay', ms: 8_000, route, times: 1 });

/** Until the slow read has reached the fake: A holds the order's lease and waits on i'mport. */
export const slowReadBegun = async (fake: FakeIamport): Promise<void> => {
  const begun = () => fake.calls.some((c) => c.fault === 'delay');
  for (let i = 0; i < 250 && !begun(); i += 1) await new Promise((r) => setTimeout(r, 20));
  assert.ok(begun(), "A's slow read began");
};
