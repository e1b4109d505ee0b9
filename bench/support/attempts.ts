/**
 * @module The refund audit at scale for the admin API's benchmark: `count` refund attempts bulk-inserted straight into
 * refund_attempts in one statement (as ledger.ts fills payments), the same rows on both backends, then ANALYZE
 * (VACUUM ANALYZE on PostgreSQL). Columns as in migrations.ts; attemptAt(i) says what row i holds.
 */
import Database from 'better-sqlite3';
import postgres from 'postgres';
import type { LedgerTarget } from './ledger.ts';
import { PAID_AT, SHOP_ORIGIN } from './orders.ts';

/** Attempt 0 started a day after the orders were paid; attempts 2k and 2k+1 share a millisecond, one second apart. */
const BASE_MS = (PAID_AT + 86_400) * 1000;
// Ids look like random ones and arrive in no particular order (i ↦ i·k + c mod 10^12, a bijection; see ledger.ts).
const ID_K = 2_654_435_761;
const ID_C = 777;

/** Each order has two attempts (i and i + count/2), far apart in time. */
const ordersOf = (count: number): number => Math.max(1, Math.floor(count / 2));

/** Row i's position in the listing's order and its order's merchant_uid. */
export const attemptAt = (i: number, count: number) => ({
  started_at: BASE_MS + Math.floor(i / 2) * 1000,
  id: `att_${String((i * ID_K + ID_C) % 1e12).padStart(12, '0')}`,
  merchant_uid: `adm-${i % ordersOf(count)}`,
});

/**
 * The share of each outcome, by i mod 100: 90 succeeded, 6 rejected, 3 failed, 1 unknown (an audit in use: most
 * refunds succeed, a few are refused, fewer fail).
 */
const outcomeSql = (i: string) =>
  `CASE WHEN ${i} % 100 < 90 THEN 'succeeded' WHEN ${i} % 100 < 96 THEN 'rejected'
        WHEN ${i} % 100 < 99 THEN 'failed' ELSE 'unknown' END`;

/** The INSERT … SELECT over `series` (a relation with an integer column i), `pad12` formatting a number. */
const insertSql = (count: number, series: string, pad12: (x: string) => string) => {
  const uid = `'adm-' || (i % ${ordersOf(count)})`;
  const started = `${BASE_MS} + (i / 2) * 1000`;
  return `INSERT INTO refund_attempts (id, merchant_uid, imp_uid, requested_amount, amount, checksum, reason,
      refund_bank, refund_account_masked, grant_subject, grant_jti, client_ip, origin, idempotency_key, started_at,
      outcome, error_code, iamport_code, iamport_message, cancellation_id, refunded, iamport_ms, finished_at)
    SELECT 'att_' || ${pad12(`(i * ${ID_K} + ${ID_C}) % 1000000000000`)}, ${uid}, 'imp_adm_' || (i % ${ordersOf(count)}),
      1000, 1000, 10000, '단순 변심', NULL, NULL, ${uid}, NULL, '203.0.113.7', '${SHOP_ORIGIN}', 'idem-' || i,
      ${started}, ${outcomeSql('i')},
      CASE WHEN i % 100 < 90 THEN NULL WHEN i % 100 < 96 THEN 'ALREADY_CANCELLED' ELSE 'IAMPORT_UNAVAILABLE' END,
      CASE WHEN i % 100 < 90 THEN 0 ELSE 1 END, NULL,
      CASE WHEN i % 100 < 90 THEN 'cancel-' || i ELSE NULL END,
      CASE WHEN i % 100 < 90 THEN 1000 ELSE 0 END, 120, ${started} + 800
    FROM ${series}`;
};

/**
 * Runs `statements` (those for the ledger's dialect) on it over one connection, then ANALYZE (VACUUM ANALYZE on
 * PostgreSQL), so the planner knows the rows as a ledger in use would.
 */
export const runThenAnalyze = async (
  target: LedgerTarget,
  statements: (dialect: LedgerTarget['kind']) => readonly string[],
): Promise<void> => {
  if (target.kind === 'sqlite') {
    const db = new Database(target.path);
    try {
      for (const statement of statements('sqlite')) db.exec(statement);
      db.exec('ANALYZE');
    } finally {
      db.close();
    }
    return;
  }
  const sql = postgres(target.url, { max: 1, onnotice: () => {} });
  try {
    for (const statement of statements('postgres')) await sql.unsafe(statement);
    await sql.unsafe('VACUUM ANALYZE');
  } finally {
    await sql.end();
  }
};

/** Adds attempts 0 … count-1 (see attemptAt) to an empty, migrated ledger. */
export const fillAttempts = (target: LedgerTarget, count: number): Promise<void> =>
  runThenAnalyze(target, (dialect) =>
    dialect === 'sqlite'
      ? [
          insertSql(
            count,
            `(WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${count - 1})
        SELECT i FROM n)`,
            (x) => `printf('%012d', ${x})`,
          ),
        ]
      : [
          insertSql(
            count,
            `(SELECT i::bigint AS i FROM generate_series(0, ${count - 1}) AS i) AS series`,
            (x) => `lpad((${x})::text, 12, '0')`,
          ),
        ],
  );
