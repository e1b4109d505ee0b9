/**
 * @module The ledgers the benchmark runs on: a fresh SQLite file, or a fresh database on the throwaway PostgreSQL;
 * seeded through the Store like the proxy would, or filled in bulk straight into the payments table.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import postgres from 'postgres';
import { createPostgresStore } from '../../proxy/store/postgres.ts';
import { createSqliteStore } from '../../proxy/store/sqlite.ts';
import type { PaymentRecord, Store } from '../../proxy/store/store.ts';
import { ledgerRecordOf, PAID_AT } from './orders.ts';

export type Backend = 'sqlite' | 'postgres';

export type LedgerTarget =
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'postgres'; readonly url: string };

export interface Ledger {
  readonly target: LedgerTarget;
  /** Deletes the file or drops the database. */
  dispose(): Promise<void>;
}

export const openStore = (target: LedgerTarget): Store =>
  target.kind === 'sqlite' ? createSqliteStore({ path: target.path }) : createPostgresStore({ url: target.url });

const tempDirs = new Set<string>();
// An interrupted bench must not leave a ledger file (up to a few hundred MB) behind.
process.once('exit', () => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

const admin = (serverUrl: string) => postgres(serverUrl, { max: 1, onnotice: () => {} });

/** A fresh, migrated, empty ledger; `name` (lowercase letters, digits, _) names the database or the temp dir. */
export const createLedger = async (backend: Backend, name: string, serverUrl: string | null): Promise<Ledger> => {
  let ledger: Ledger;
  if (backend === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), `bench-${name}-`));
    tempDirs.add(dir);
    ledger = {
      target: { kind: 'sqlite', path: join(dir, 'ledger.sqlite') },
      dispose: async () => {
        rmSync(dir, { recursive: true, force: true });
        tempDirs.delete(dir);
      },
    };
  } else {
    if (!serverUrl) throw new Error('a PostgreSQL ledger needs a server');
    const sql = admin(serverUrl);
    await sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await sql.unsafe(`CREATE DATABASE ${name}`);
    await sql.end();
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    ledger = {
      target: { kind: 'postgres', url: url.href },
      dispose: async () => {
        const sql = admin(serverUrl);
        await sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await sql.end();
      },
    };
  }
  const store = openStore(ledger.target);
  await store.migrate();
  await store.close();
  return ledger;
};

/**
 * Stores orders `prefix-0 …` as the proxy does after the gateway answers (Store.upsertPayment), ten at a time; as
 * i'mport's payments unless `recordOf` says otherwise.
 */
export const seedLedger = async (
  target: LedgerTarget,
  prefix: string,
  count: number,
  recordOf: (prefix: string, i: number) => PaymentRecord = ledgerRecordOf,
): Promise<void> => {
  const store = openStore(target);
  try {
    const now = Date.now();
    for (let from = 0; from < count; from += 10) {
      const batch = Array.from({ length: Math.min(10, count - from) }, (_, k) => recordOf(prefix, from + k));
      await Promise.all(batch.map((record) => store.upsertPayment(record, now)));
    }
  } finally {
    await store.close();
  }
};

/** Filler order i's merchant_uid. */
export const fillerUidOf = (i: number): string => `fill-${i}`;

// imp_uids look like i'mport's (imp_ + 12 digits) and arrive in no particular order: i ↦ i·k + c (mod 10^12) with
// k coprime to 10 is a bijection, so there are no collisions, and the primary key index is built as in real use.
const IMP_K = 2_654_435_761;
const IMP_C = 12_345;

/**
 * Adds `count` paid card payments (`fill-0 …`) straight into the payments table in one statement or transaction,
 * then ANALYZE (VACUUM ANALYZE on PostgreSQL), as a database in use would be. Columns as in migrations.ts.
 */
export const fillPayments = async (target: LedgerTarget, count: number): Promise<void> => {
  const now = Date.now();
  if (target.kind === 'sqlite') {
    const db = new Database(target.path);
    try {
      const insert = db.prepare(
        `INSERT INTO payments (imp_uid, merchant_uid, pay_method, pg_provider, name, amount, cancel_amount, currency,
           status, paid_at, receipt_url, cancel_history, needs_sync, updated_at)
         VALUES (?, ?, 'card', 'html5_inicis', 'Filler order', ?, 0, 'KRW', 'paid', ${PAID_AT}, ?, '[]', 0, ${now})`,
      );
      db.transaction(() => {
        for (let i = 0; i < count; i++) {
          const impUid = `imp_${String((i * IMP_K + IMP_C) % 1e12).padStart(12, '0')}`;
          insert.run(impUid, fillerUidOf(i), 10_000 + (i % 50) * 1_000, `https://fake-iamport.test/receipts/${impUid}`);
        }
      })();
      db.exec('ANALYZE');
    } finally {
      db.close();
    }
    return;
  }
  const sql = admin(target.url);
  try {
    await sql.unsafe(
      `INSERT INTO payments (imp_uid, merchant_uid, pay_method, pg_provider, name, amount, cancel_amount, currency,
         status, paid_at, receipt_url, cancel_history, needs_sync, updated_at)
       SELECT imp, 'fill-' || i, 'card', 'html5_inicis', 'Filler order', 10000 + (i % 50) * 1000, 0, 'KRW', 'paid',
         ${PAID_AT}, 'https://fake-iamport.test/receipts/' || imp, '[]', FALSE, ${now}
       FROM (SELECT i, 'imp_' || lpad(((i::bigint * ${IMP_K} + ${IMP_C}) % 1000000000000)::text, 12, '0') AS imp
             FROM generate_series(0, ${count - 1}) AS i) AS filler`,
    );
    // VACUUM too: a table in use gets vacuumed; a fresh one would have autovacuum busy during the measurement.
    await sql.unsafe('VACUUM ANALYZE');
  } finally {
    await sql.end();
  }
};
