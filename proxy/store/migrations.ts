/** @module The ledger's schema as numbered migrations, each applied once and in order under a shared lock. */
import type { SqlDialect, SqlDriver, SqlExecutor } from './sql-driver.ts';

/** A statement for both dialects, or one per dialect where their DDL differs. */
export type Ddl = string | Readonly<Record<SqlDialect, string>>;

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly statements: readonly Ddl[];
}

/**
 * Migration 14: rows cancel.ts wrote for a late-applied refund before migration 13 gave them `late_of` name the
 * earlier attempt only in their message ("<gateway> applied it after attempt <id> was settled as not made"), so
 * `late_of` is read back from it. Exported for the store contract, which runs it on such a row.
 */
export const LATE_OF_FROM_MESSAGE = (() => {
  const rows = `outcome = 'succeeded' AND late_of IS NULL
    AND iamport_message LIKE '% applied it after attempt % was settled as not made'`;
  return {
    sqlite: `UPDATE refund_attempts
      SET late_of = substr(iamport_message, instr(iamport_message, ' after attempt ') + 15,
        length(iamport_message) - instr(iamport_message, ' after attempt ') - 38)
      WHERE ${rows}`,
    postgres: `UPDATE refund_attempts
      SET late_of = substring(iamport_message from ' after attempt (.+) was settled as not made$')
      WHERE ${rows}`,
  } as const;
})();

/** Every column of AttemptStart and AttemptFinish; the outcome columns stay NULL until the attempt ends. */
const ATTEMPT_COLUMNS = `
  id TEXT NOT NULL UNIQUE,
  merchant_uid TEXT NOT NULL,
  imp_uid TEXT,
  requested_amount DOUBLE PRECISION,
  amount DOUBLE PRECISION,
  checksum DOUBLE PRECISION,
  reason TEXT NOT NULL,
  refund_bank TEXT,
  refund_account_masked TEXT,
  grant_subject TEXT NOT NULL,
  grant_jti TEXT,
  client_ip TEXT,
  origin TEXT,
  idempotency_key TEXT,
  started_at BIGINT NOT NULL,
  outcome TEXT CHECK (outcome IN ('succeeded', 'rejected', 'failed', 'unknown')),
  error_code TEXT,
  iamport_code INTEGER,
  iamport_message TEXT,
  cancellation_id TEXT,
  refunded DOUBLE PRECISION,
  iamport_ms DOUBLE PRECISION,
  finished_at BIGINT`;

const EVENT_COLUMNS = `
  id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  merchant_uid TEXT NOT NULL,
  sequence INTEGER NOT NULL,
  dedupe_key TEXT UNIQUE,
  data TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  queued_at BIGINT NOT NULL,
  held_by TEXT,
  held_until BIGINT,
  delivered_at BIGINT,
  UNIQUE (merchant_uid, sequence)`;

const DELIVERY_COLUMNS = `
  event_id TEXT NOT NULL,
  url TEXT NOT NULL,
  attempted_at BIGINT NOT NULL,
  status INTEGER,
  latency_ms DOUBLE PRECISION,
  error TEXT`;

/** A refund request (store/requests.ts). allow_new_request is 0/1: both dialects bind and read an integer alike. */
const REQUEST_COLUMNS = `
  id TEXT NOT NULL UNIQUE,
  merchant_uid TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('requested', 'approved', 'refunded', 'failed', 'rejected', 'withdrawn')),
  amount DOUBLE PRECISION NOT NULL,
  reason TEXT NOT NULL,
  refund_bank TEXT,
  refund_account_masked TEXT,
  refund_secret TEXT,
  idempotency_key TEXT,
  grant_subject TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  decided_at BIGINT,
  decided_by TEXT,
  reject_reason TEXT,
  allow_new_request INTEGER NOT NULL DEFAULT 1,
  approved_amount DOUBLE PRECISION,
  note TEXT,
  attempt_id TEXT,
  error_code TEXT,
  updated_at BIGINT NOT NULL`;

// Money is DOUBLE PRECISION because non-KRW currencies have fractions; points in time are BIGINT epoch ms.
// iamport_ms is a duration that callers may measure with performance.now(), so it is DOUBLE PRECISION too.
// SQLite accepts these type names (REAL and INTEGER affinity) and stores BOOLEAN as 0/1.
// `imp_uid` (payments, attempts, events) holds the gateway's own payment id whichever gateway runs: i'mport V1 named
// the column, and renaming it would change the ledger's schema for every shop.
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'ledger',
    statements: [
      `CREATE TABLE payments (
        imp_uid TEXT NOT NULL PRIMARY KEY,
        merchant_uid TEXT NOT NULL,
        pay_method TEXT NOT NULL,
        pg_provider TEXT NOT NULL,
        name TEXT,
        amount DOUBLE PRECISION NOT NULL,
        cancel_amount DOUBLE PRECISION NOT NULL,
        currency TEXT NOT NULL,
        status TEXT NOT NULL,
        paid_at BIGINT,
        receipt_url TEXT,
        cancel_history TEXT NOT NULL,
        needs_sync BOOLEAN NOT NULL DEFAULT FALSE,
        updated_at BIGINT NOT NULL
      )`,
      'CREATE INDEX payments_merchant_uid ON payments (merchant_uid)',
      // seq keeps the audit in insertion order when two attempts start in the same millisecond.
      {
        sqlite: `CREATE TABLE refund_attempts (seq INTEGER PRIMARY KEY AUTOINCREMENT, ${ATTEMPT_COLUMNS})`,
        postgres: `CREATE TABLE refund_attempts (
          seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, ${ATTEMPT_COLUMNS})`,
      },
      'CREATE INDEX refund_attempts_merchant_uid ON refund_attempts (merchant_uid, started_at, seq)',
      `CREATE TABLE idempotency_keys (
        "key" TEXT NOT NULL PRIMARY KEY,
        merchant_uid TEXT NOT NULL,
        request_hash TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'done')),
        attempt_id TEXT,
        response_status INTEGER,
        response_body TEXT,
        created_at BIGINT NOT NULL
      )`,
      'CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at)',
      `CREATE TABLE leases (
        name TEXT NOT NULL PRIMARY KEY,
        holder TEXT NOT NULL,
        expires_at BIGINT NOT NULL
      )`,
    ],
  },
  {
    version: 2,
    name: 'order_bindings',
    statements: [
      // Which payment an order is: the first paid one the ledger learned of (see sql.tieOrder for when that changes).
      `CREATE TABLE order_bindings (
        merchant_uid TEXT NOT NULL PRIMARY KEY,
        imp_uid TEXT NOT NULL,
        bound_at BIGINT NOT NULL
      )`,
      // Orders the ledger already held: tied to their earliest paid payment.
      `INSERT INTO order_bindings (merchant_uid, imp_uid, bound_at)
        SELECT p.merchant_uid, p.imp_uid, p.updated_at FROM payments p
        WHERE p.status IN ('paid', 'cancelled') AND NOT EXISTS (
          SELECT 1 FROM payments q WHERE q.merchant_uid = p.merchant_uid AND q.status IN ('paid', 'cancelled')
            AND (COALESCE(q.paid_at, 0) < COALESCE(p.paid_at, 0)
              OR (COALESCE(q.paid_at, 0) = COALESCE(p.paid_at, 0) AND q.imp_uid < p.imp_uid)))`,
    ],
  },
  {
    version: 3,
    name: 'webhook_outbox',
    statements: [
      // The merchant webhooks' outbox: a row is written in the transaction that records the outcome it tells of.
      // held_by/held_until: the instance delivering it now, until when (another takes it over once that passed).
      // dedupe_key makes an event about the same fact (one attempt's outcome, one external cancel) a no-op.
      {
        sqlite: `CREATE TABLE webhook_events (seq INTEGER PRIMARY KEY AUTOINCREMENT, ${EVENT_COLUMNS})`,
        postgres: `CREATE TABLE webhook_events (seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, ${EVENT_COLUMNS})`,
      },
      'CREATE INDEX webhook_events_due ON webhook_events (status, next_attempt_at)',
      {
        sqlite: `CREATE TABLE webhook_deliveries (seq INTEGER PRIMARY KEY AUTOINCREMENT, ${DELIVERY_COLUMNS})`,
        postgres: `CREATE TABLE webhook_deliveries (
          seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, ${DELIVERY_COLUMNS})`,
      },
      'CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id, seq)',
    ],
  },
  // Written beside version 3 on another branch; it depends on nothing 3 adds.
  {
    version: 4,
    name: 'refund_attempts_by_time',
    statements: [
      // The admin API's listing: newest first by (started_at, id), across orders, keyset-paginated.
      'CREATE INDEX refund_attempts_started_at ON refund_attempts (started_at, id)',
    ],
  },
  {
    version: 5,
    name: 'attention_flags',
    statements: [
      // One row per fact that needed an operator's attention (an attempt left unsettled, an event failed), so it is
      // told once, by one instance, also with merchant webhooks off (then only the warn line tells it).
      `CREATE TABLE attention_flags (
        "key" TEXT NOT NULL PRIMARY KEY,
        flagged_at BIGINT NOT NULL
      )`,
      // /metrics counts these at every scrape, and the attention check reads the old ones: few rows, kept apart.
      `CREATE INDEX refund_attempts_unsettled ON refund_attempts (started_at)
        WHERE outcome IS NULL OR outcome = 'unknown'`,
    ],
  },
  {
    version: 6,
    name: 'refund_attempts_by_outcome',
    statements: [
      // GET /admin/refunds?status=: without it a rare status is found by walking the time index past every other row
      // (npm run bench -- admin); with it the page is read straight off (outcome IS NULL for in_progress too).
      'CREATE INDEX refund_attempts_outcome ON refund_attempts (outcome, started_at, id)',
    ],
  },
  {
    version: 7,
    name: 'refund_requests',
    statements: [
      // seq orders an order's requests (the latest is the one the view shows) even within one millisecond.
      {
        sqlite: `CREATE TABLE refund_requests (seq INTEGER PRIMARY KEY AUTOINCREMENT, ${REQUEST_COLUMNS})`,
        postgres: `CREATE TABLE refund_requests (seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, ${REQUEST_COLUMNS})`,
      },
      // One open request per order, decided by the database itself, whichever instance inserts.
      `CREATE UNIQUE INDEX refund_requests_one_open ON refund_requests (merchant_uid)
        WHERE status IN ('requested', 'approved')`,
      'CREATE INDEX refund_requests_order ON refund_requests (merchant_uid, seq)',
      'CREATE INDEX refund_requests_created_at ON refund_requests (created_at, id)',
      // An approval's refund attempt names its request and the staff member who approved it.
      'ALTER TABLE refund_attempts ADD COLUMN request_id TEXT',
      'ALTER TABLE refund_attempts ADD COLUMN approved_by TEXT',
    ],
  },
  {
    version: 8,
    name: 'refund_request_approvals',
    statements: [
      // How many times a request was approved: a failed refund may be approved again, and each approval's refund
      // needs an Idempotency-Key (and its event a dedupe key) of its own.
      'ALTER TABLE refund_requests ADD COLUMN approvals INTEGER NOT NULL DEFAULT 0',
    ],
  },
  {
    version: 9,
    name: 'refund_request_tax_parts',
    statements: [
      // The tax-free part and the VAT the customer's grant gave for the refund: its approval forwards them.
      'ALTER TABLE refund_requests ADD COLUMN tax_free_amount DOUBLE PRECISION',
      'ALTER TABLE refund_requests ADD COLUMN vat_amount DOUBLE PRECISION',
    ],
  },
  {
    version: 10,
    name: 'refund_attempt_holder_check',
    statements: [
      // The account-holder check made before a virtual-account refund (VERIFY_REFUND_HOLDER), and what it found.
      'ALTER TABLE refund_attempts ADD COLUMN holder_check TEXT',
    ],
  },
  {
    version: 11,
    name: 'payment_tax_free',
    statements: [
      // What a gateway reports of a payment's tax-free part (PortOne V2), so the view can show what of it is left.
      'ALTER TABLE payments ADD COLUMN tax_free DOUBLE PRECISION',
      'ALTER TABLE payments ADD COLUMN cancelled_tax_free DOUBLE PRECISION',
    ],
  },
  {
    version: 12,
    name: 'refund_request_grant_cap',
    statements: [
      // The customer's grant's jti and max_amount: the approval's refund is made under that grant, so it counts
      // against the grant's cap as the customer's own refunds do (a request made before this has neither: no cap).
      'ALTER TABLE refund_requests ADD COLUMN grant_jti TEXT',
      'ALTER TABLE refund_requests ADD COLUMN grant_max_amount DOUBLE PRECISION',
    ],
  },
  {
    version: 13,
    name: 'refund_attempt_late_of',
    statements: [
      // A refund a gateway applied after its attempt was settled as not made, recorded as a later attempt of the same
      // request: the earlier attempt's id, so that one is not counted again (refunds/late-cancels.ts).
      'ALTER TABLE refund_attempts ADD COLUMN late_of TEXT',
    ],
  },
  {
    version: 14,
    name: 'refund_attempt_late_of_backfill',
    // Its own version, not a step of 13: a ledger migrated to 13 before this step existed gets it too.
    statements: [LATE_OF_FROM_MESSAGE],
  },
  {
    version: 15,
    name: 'refund_request_approvals_backfill',
    statements: [
      // Migration 8 gave every request approvals = 0, also one a release before it had approved (once: it knew no
      // other move to approved). Counted so, its approval again is round two, with a refund key and event dedupe keys
      // of its own, not round one's `request:<id>` again (which replayed the first refund's stored refusal, and whose
      // events were already written). No request this code approved has approvals = 0 in these statuses.
      `UPDATE refund_requests SET approvals = 1
        WHERE approvals = 0 AND status IN ('approved', 'refunded', 'failed')`,
    ],
  },
  {
    version: 16,
    name: 'refund_attempts_looked_again',
    statements: [
      // Refunds that got no answer and were settled as made from the gateway's history, which the hourly look reads
      // again (sql-watch.ts): few rows, where the outcome index would walk every refund of the day.
      // Keyed by iamport_code too, so that SQLite's planner takes it over the outcome index (outcome, started_at).
      `CREATE INDEX refund_attempts_made_unanswered ON refund_attempts (iamport_code, started_at)
        WHERE outcome = 'succeeded' AND iamport_code IS NULL`,
      // Whether a later attempt took an attempt's late refund, asked by that look of each refund settled as not made:
      // without it, each such refund scans every attempt. Few rows have one.
      'CREATE INDEX refund_attempts_late_of ON refund_attempts (late_of) WHERE late_of IS NOT NULL',
    ],
  },
  {
    version: 17,
    name: 'refund_request_payment',
    statements: [
      // The payment a request was made about: its approval refunds that one only, never one the order was paid with
      // again since (the first refunded whole in the gateway's console, say). Null for requests made before.
      'ALTER TABLE refund_requests ADD COLUMN imp_uid TEXT',
    ],
  },
  {
    version: 18,
    name: 'refund_request_cancels_seen',
    statements: [
      // The cancels (their ids, as a JSON array) the request's payment showed when the request was taken: a refund the
      // gateway applied late that the customer was shown before asking is not one "made since the request" (cancel.ts
      // refundedOutside). Null for requests made before.
      'ALTER TABLE refund_requests ADD COLUMN cancels_seen TEXT',
    ],
  },
];

// applied_at is bookkeeping for people reading the table, so the database's clock is good enough here.
const CREATE_SCHEMA_MIGRATIONS = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER NOT NULL PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
)`;

/** Any fixed int8 will do; it only has to be the same in every instance that migrates this database. */
const PG_MIGRATION_LOCK = 7_358_104_512_001;

/** Serialises migrators: Postgres by an advisory lock held until commit; SQLite holds the write lock already. */
async function lockMigrations(tx: SqlExecutor, dialect: SqlDialect): Promise<void> {
  if (dialect === 'postgres') await tx.query(`SELECT pg_advisory_xact_lock(${PG_MIGRATION_LOCK})`);
}

/**
 * The ledger records a migration this release does not have: a newer release ran on it. An older release must not
 * run there (docs/deploy.md, "Going back to an older release"): it would write rows by rules the newer one's
 * migrations moved past (a customer's refund beside a refund request it does not know of, which an approval then
 * refunds again) and fail on rows it cannot read (events of types it does not know, which stop its outbox).
 */
export class LedgerNewerThanRelease extends Error {
  constructor(
    readonly ledgerVersion: number,
    readonly releaseVersion: number,
  ) {
    super(
      `the ledger was migrated by a newer release (schema version ${ledgerVersion}; this release knows up to ` +
        `${releaseVersion}): run that release or a later one, or restore the ledger's backup from before the upgrade`,
    );
    this.name = 'LedgerNewerThanRelease';
  }
}

/**
 * Applies each migration not yet recorded, each in its own transaction; safe from several instances at once. Throws
 * LedgerNewerThanRelease, having changed nothing, when the ledger records a version above every one of `migrations`.
 */
export async function runMigrations(driver: SqlDriver, migrations: readonly Migration[] = MIGRATIONS): Promise<void> {
  const known = Math.max(0, ...migrations.map((migration) => migration.version));
  const newest = await driver.transaction(async (tx) => {
    await lockMigrations(tx, driver.dialect);
    await tx.run(CREATE_SCHEMA_MIGRATIONS);
    const [row] = await tx.query('SELECT MAX(version) AS version FROM schema_migrations');
    return Number(row?.version ?? 0);
  });
  if (newest > known) throw new LedgerNewerThanRelease(newest, known);
  for (const migration of migrations) {
    await driver.transaction(async (tx) => {
      await lockMigrations(tx, driver.dialect);
      // Created under the lock: of two Postgres sessions racing on CREATE TABLE IF NOT EXISTS, one can fail otherwise.
      await tx.run(CREATE_SCHEMA_MIGRATIONS);
      const applied = await tx.query('SELECT version FROM schema_migrations WHERE version = ?', [migration.version]);
      if (applied.length > 0) return;
      for (const ddl of migration.statements) await tx.run(typeof ddl === 'string' ? ddl : ddl[driver.dialect]);
      await tx.run('INSERT INTO schema_migrations (version, name) VALUES (?, ?)', [migration.version, migration.name]);
    });
  }
}

/** The versions recorded in schema_migrations, ascending. */
export async function appliedMigrations(driver: SqlExecutor): Promise<number[]> {
  const rows = await driver.query('SELECT version FROM schema_migrations ORDER BY version');
  return rows.map((row) => Number(row.version));
}
