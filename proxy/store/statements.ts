/**
 * @module Every statement the ledger runs, in the SQL that SQLite 3.45+ and PostgreSQL 15 both accept.
 * Placeholders are `?` (postgres.ts numbers them), so no statement may contain a `?` anywhere else.
 */
import type { SqlDialect } from './sql-driver.ts';

const PAYMENT_COLUMNS =
  'imp_uid, merchant_uid, pay_method, pg_provider, name, amount, cancel_amount, currency, status, paid_at, ' +
  'receipt_url, cancel_history, tax_free, cancelled_tax_free, needs_sync, updated_at';

const ATTEMPT_START_COLUMNS =
  'id, merchant_uid, imp_uid, requested_amount, amount, checksum, reason, refund_bank, refund_account_masked, ' +
  'grant_subject, grant_jti, client_ip, origin, idempotency_key, started_at, request_id, approved_by, holder_check, ' +
  'late_of';
const ATTEMPT_FINISH_COLUMNS =
  'outcome, error_code, iamport_code, iamport_message, cancellation_id, refunded, iamport_ms, finished_at';
export const ATTEMPT_COLUMNS = `${ATTEMPT_START_COLUMNS}, ${ATTEMPT_FINISH_COLUMNS}`;

const IDEMPOTENCY_COLUMNS =
  '"key", merchant_uid, request_hash, state, attempt_id, response_status, response_body, created_at';

/** The JSON array parameter's members, in each dialect. */
const JSON_MEMBERS: Record<SqlDialect, string> = {
  sqlite: 'SELECT value FROM json_each(?)',
  postgres: 'SELECT json_array_elements_text(CAST(CAST(? AS TEXT) AS json))',
};

/**
 * How an order's payments (`payments p`) are ranked for it, the one it shows first: the payment the order is tied to
 * (tieOrder); before any is paid, a ready one (an unpaid virtual account), then the newest. `order` is the SQL naming
 * the order's merchant_uid (a placeholder, or a column of the outer query).
 */
const shownFirst = (order: string) => `CASE
        WHEN p.imp_uid = (SELECT b.imp_uid FROM order_bindings b WHERE b.merchant_uid = ${order}) THEN 0
        WHEN p.status IN ('paid', 'cancelled') THEN 1 WHEN p.status = 'ready' THEN 2 ELSE 3 END,
      p.updated_at DESC, p.imp_uid DESC`;

/** A statement in each dialect, from what differs between them. */
const perDialect = (of: (dialect: SqlDialect) => string): Record<SqlDialect, string> => ({
  sqlite: of('sqlite'),
  postgres: of('postgres'),
});

const placeholders = (count: number) => Array.from({ length: count }, () => '?').join(', ');

export const sql = {
  /** Proves which database answers: each query only exists in its own dialect. */
  version: {
    sqlite: "SELECT 'SQLite ' || sqlite_version() AS version",
    postgres: 'SELECT version() AS version',
  } satisfies Record<SqlDialect, string>,
  ping: 'SELECT 1 AS ok',

  // The payment the order shows (shownFirst). The order's merchant_uid is given twice.
  getPayment: `SELECT ${PAYMENT_COLUMNS} FROM payments p WHERE p.merchant_uid = ? ORDER BY ${shownFirst('?')} LIMIT 1`,
  // Ties an order to a paid (or cancelled) payment: the first one the ledger learns of. Another payment for the same
  // merchant_uid (a retried checkout, a test payment) takes its place only when the tied one has nothing left at stake:
  // it failed, or it was refunded in full. Sent right after the payment's own row is written.
  tieOrder: `INSERT INTO order_bindings (merchant_uid, imp_uid, bound_at) VALUES (?, ?, ?)
    ON CONFLICT (merchant_uid) DO UPDATE SET imp_uid = excluded.imp_uid, bound_at = excluded.bound_at
    WHERE order_bindings.imp_uid <> excluded.imp_uid AND EXISTS (
      SELECT 1 FROM payments tied WHERE tied.imp_uid = order_bindings.imp_uid
        AND (tied.status = 'failed' OR (tied.status = 'cancelled' AND tied.cancel_amount >= tied.amount)))`,
  tiedImpUid: 'SELECT imp_uid FROM order_bindings WHERE merchant_uid = ?',
  getPaymentByImpUid: `SELECT ${PAYMENT_COLUMNS} FROM payments WHERE imp_uid = ?`,
  // The currency of each order named (a JSON array of merchant_uids, one parameter whatever their number), off the
  // payments' merchant_uid index: the lists' rows carry no currency of their own. Every payment of those orders, ranked
  // per order as getPayment ranks them (shownFirst): the caller keeps each order's first. On PostgreSQL the
  // parameter is cast to text first: the driver would send a parameter it infers as json encoded once more.
  orderCurrencies: perDialect(
    (dialect) => `SELECT p.merchant_uid, p.currency FROM payments p
    WHERE p.merchant_uid IN (${JSON_MEMBERS[dialect]})
    ORDER BY p.merchant_uid, ${shownFirst('p.merchant_uid')}`,
  ),
  // The currency of each payment named (a JSON array of imp_uids): a refund's own payment, whichever the order shows.
  paymentCurrencies: perDialect(
    (dialect) => `SELECT imp_uid, currency FROM payments WHERE imp_uid IN (${JSON_MEMBERS[dialect]})`,
  ),
  // The WHERE makes an update that would lower cancel_amount, or bring a paid (or refunded) payment back to `ready`
  // (unpaid: no money ever goes back to not having been paid), a no-op: then nothing is returned and the caller reads
  // the row as it stands. i'mport's answers can arrive out of order; the ledger never moves back. A `failed` one may
  // become `ready` again: PortOne V2 takes a new attempt under the same paymentId (a virtual account issued after a
  // failed card), so a stale copy of an i'mport account revoked meanwhile can still land (its revocation then refused).
  upsertPayment: `INSERT INTO payments (${PAYMENT_COLUMNS}) VALUES (${placeholders(14)}, FALSE, ?)
    ON CONFLICT (imp_uid) DO UPDATE SET
      merchant_uid = excluded.merchant_uid, pay_method = excluded.pay_method, pg_provider = excluded.pg_provider,
      name = excluded.name, amount = excluded.amount, cancel_amount = excluded.cancel_amount,
      currency = excluded.currency, status = excluded.status, paid_at = excluded.paid_at,
      receipt_url = excluded.receipt_url, cancel_history = excluded.cancel_history, tax_free = excluded.tax_free,
      cancelled_tax_free = excluded.cancelled_tax_free, needs_sync = FALSE,
      updated_at = excluded.updated_at
    WHERE excluded.cancel_amount >= payments.cancel_amount
      AND NOT (excluded.status = 'ready' AND payments.status IN ('paid', 'cancelled'))
    RETURNING ${PAYMENT_COLUMNS}`,
  markNeedsSync: 'UPDATE payments SET needs_sync = TRUE, updated_at = ? WHERE imp_uid = ?',

  // One statement, so the database decides the race: a free name is inserted, an expired (or own) lease is
  // taken over, and a live lease of another holder leaves no row to return.
  acquireLease: `INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
    ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
    WHERE leases.expires_at <= ? OR leases.holder = excluded.holder
    RETURNING holder`,
  // Only a lease its holder still has: a row another holder took, or took and released (deleted), is not written again.
  renewLease: 'UPDATE leases SET expires_at = ? WHERE name = ? AND holder = ?',
  releaseLease: 'DELETE FROM leases WHERE name = ? AND holder = ?',
  leaseHolder: 'SELECT holder FROM leases WHERE name = ? AND holder = ?',
  purgeExpiredLeases: 'DELETE FROM leases WHERE expires_at < ?',

  insertAttempt: `INSERT INTO refund_attempts (${ATTEMPT_COLUMNS}) VALUES (${placeholders(27)})`,
  // The same, only while the named lease is still the holder's (Store.insertAttempt's `lease`); SQLite only (its one
  // writer at a time makes the lease's read and the insert one step of the file). PostgreSQL: sql-store.ts.
  insertAttemptUnderLease: `INSERT INTO refund_attempts (${ATTEMPT_COLUMNS}) SELECT ${placeholders(27)}
    WHERE EXISTS (SELECT 1 FROM leases WHERE name = ? AND holder = ?)`,
  // Only an open or unknown outcome may be written: a finished attempt is audit history and stays as it is.
  finishAttempt: `UPDATE refund_attempts SET outcome = ?, error_code = ?, iamport_code = ?, iamport_message = ?,
      cancellation_id = ?, refunded = ?, iamport_ms = ?, finished_at = ?
    WHERE id = ? AND (outcome IS NULL OR outcome = 'unknown')
    RETURNING request_id`,
  getAttempt: `SELECT ${ATTEMPT_COLUMNS} FROM refund_attempts WHERE id = ?`,
  listAttempts: `SELECT ${ATTEMPT_COLUMNS} FROM refund_attempts WHERE merchant_uid = ? ORDER BY started_at, seq`,
  // pageAttempts adds only the filters it is given (each with its own placeholders), so the index serves each shape.
  pageAttempts: (conditions: readonly string[]) =>
    `SELECT ${ATTEMPT_COLUMNS} FROM refund_attempts${conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : ''}
    ORDER BY started_at DESC, id DESC LIMIT ?`,

  // DO NOTHING + RETURNING yields a row only to the caller whose insert won; the others read the winner's row.
  claimIdempotencyKey: `INSERT INTO idempotency_keys ("key", merchant_uid, request_hash, state, created_at)
    VALUES (?, ?, ?, 'pending', ?)
    ON CONFLICT ("key") DO NOTHING
    RETURNING ${IDEMPOTENCY_COLUMNS}`,
  // The same claim, made only by the holder of the named lease: takeOrder sends it right behind acquireLease, and a
  // request that did not get the lease must not claim its key before it does.
  claimIdempotencyKeyUnderLease: `INSERT INTO idempotency_keys ("key", merchant_uid, request_hash, state, created_at)
    SELECT CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), 'pending', CAST(? AS BIGINT)
    WHERE EXISTS (SELECT 1 FROM leases WHERE name = ? AND holder = ?)
    ON CONFLICT ("key") DO NOTHING
    RETURNING ${IDEMPOTENCY_COLUMNS}`,
  getIdempotencyKey: `SELECT ${IDEMPOTENCY_COLUMNS} FROM idempotency_keys WHERE "key" = ?`,
  setIdempotencyAttempt: 'UPDATE idempotency_keys SET attempt_id = ? WHERE "key" = ?',
  completeIdempotencyKey: `UPDATE idempotency_keys SET state = 'done', response_status = ?, response_body = ?
    WHERE "key" = ?`,
  // A key outlives its 25 hours while the attempt it is bound to is unsettled (a PayPal cancel waits days for its
  // approval) and for 25 hours after that attempt ended: purged sooner, a retry with it would claim it afresh and
  // refund again beside the refund the attempt made.
  purgeIdempotencyKeys: `DELETE FROM idempotency_keys WHERE created_at < ? AND NOT EXISTS (
      SELECT 1 FROM refund_attempts a WHERE a.id = idempotency_keys.attempt_id
        AND (a.outcome IS NULL OR a.outcome = 'unknown' OR a.finished_at >= ?))`,
};
