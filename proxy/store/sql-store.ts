/** @module The one Store implementation, written against SqlDriver so SQLite and Postgres run the same statements. */

import { REQUEST_STATUSES, type RequestStatus } from '../../shared/refund-requests.ts';
import { createEventWrites, type InsertEvent } from './event-writes.ts';
import { createLedgerClock } from './ledger-clock.ts';
import { appliedMigrations, type Ddl, runMigrations } from './migrations.ts';
import type { RefundRequestRecord } from './requests.ts';
import { decodeAttempt, decodeIdempotencyRecord, decodePayment, oneOf, text } from './row-decoders.ts';
import type { SqlDriver, SqlValue } from './sql-driver.ts';
import { createSqlOutbox } from './sql-outbox.ts';
import {
  BIND_APPROVAL_SQL,
  BIND_LANDED_LATE_SQL,
  createSqlRequests,
  finishAndSettleIn,
  insertBoundAttemptSql,
  landLateIn,
  OPEN_REQUEST_ID_SQL,
  settleRequestIn,
} from './sql-requests.ts';
import { createSqlWatch } from './sql-watch.ts';
import { ATTEMPT_COLUMNS, sql } from './statements.ts';
import type { AttemptFinish, AttemptPageQuery, AttemptStart, RequestFailedEvent, Store } from './store.ts';

/** Lets inspectSqlStore reach the driver behind a store without widening the Store interface. */
const driverOf = new WeakMap<Store, SqlDriver>();

/** The outcome columns; all NULL for an attempt that has not ended. */
const finishParams = (finish: AttemptFinish | undefined) => [
  finish?.outcome ?? null,
  finish?.error_code ?? null,
  finish?.iamport_code ?? null,
  finish?.iamport_message ?? null,
  finish?.cancellation_id ?? null,
  finish?.refunded ?? null,
  finish?.iamport_ms ?? null,
  finish?.finished_at ?? null,
];

/** The attempt columns in insertAttempt's parameter order, and the PostgreSQL statement that binds and inserts. */
const ATTEMPT_COLUMN_NAMES = ATTEMPT_COLUMNS.split(', ');
const INSERT_BOUND_ATTEMPT = insertBoundAttemptSql(ATTEMPT_COLUMNS);

/**
 * PostgreSQL: the named lease still the holder's (Store.insertAttempt's `lease`), its row locked for the statement
 * (FOR SHARE): another instance's take of the lease waits for the write to commit, then reads the attempt; a take that
 * came first leaves another holder, and nothing is written.
 */
const PG_LEASE_HELD = 'EXISTS (SELECT 1 FROM leases WHERE name = ? AND holder = ? FOR SHARE)';
const INSERT_BOUND_ATTEMPT_UNDER_LEASE = insertBoundAttemptSql(ATTEMPT_COLUMNS, PG_LEASE_HELD);
/** PostgreSQL: an attempt about to be sent, written only under its lease (columns as one JSON object, as bound ones). */
const INSERT_ATTEMPT_UNDER_LEASE = `INSERT INTO refund_attempts (${ATTEMPT_COLUMNS})
  SELECT ${ATTEMPT_COLUMNS} FROM json_populate_record(NULL::refund_attempts, CAST(CAST(? AS TEXT) AS json))
  WHERE ${PG_LEASE_HELD}
  RETURNING id`;

const startParams = (start: AttemptStart) => [
  start.id,
  start.merchant_uid,
  start.imp_uid,
  start.requested_amount,
  start.amount,
  start.checksum,
  start.reason,
  start.refund_bank,
  start.refund_account_masked,
  start.grant_subject,
  start.grant_jti,
  start.client_ip,
  start.origin,
  start.idempotency_key,
  start.started_at,
  start.request_id ?? null,
  start.approved_by ?? null,
  start.holder_check ?? null,
  start.late_of ?? null,
];

/** The WHERE conditions of pageAttempts and their parameters, in placeholder order. */
const pageConditions = (query: AttemptPageQuery): { conditions: string[]; params: SqlValue[] } => {
  const conditions: string[] = [];
  const params: SqlValue[] = [];
  if (query.merchant_uid !== undefined) {
    conditions.push('merchant_uid = ?');
    params.push(query.merchant_uid);
  }
  if (query.outcome === 'open') conditions.push('outcome IS NULL');
  else if (query.outcome !== undefined) {
    conditions.push('outcome = ?');
    params.push(query.outcome);
  }
  if (query.from !== undefined) {
    conditions.push('started_at >= ?');
    params.push(query.from);
  }
  if (query.to !== undefined) {
    conditions.push('started_at < ?');
    params.push(query.to);
  }
  if (query.after !== undefined) {
    // A row value, so both databases read the (started_at, id) index from the cursor on; the same test spelt with OR
    // walked it from the newest row down to the cursor (npm run bench -- admin, the deep page).
    conditions.push('(started_at, id) < (?, ?)');
    params.push(query.after.started_at, query.after.id);
  }
  return { conditions, params };
};

/** A request an attempt's end moved to failed, with no event of that end's to tell of it: `failedEvent`'s. */
const tellFailed = async (
  moved: RefundRequestRecord | null,
  failedEvent: RequestFailedEvent | undefined,
  insertEvent: InsertEvent,
): Promise<void> => {
  if (moved?.status === 'failed' && failedEvent) await insertEvent(failedEvent(moved));
};

export interface SqlStoreOptions {
  /**
   * This instance's clock, which the ledger's (ledger-clock.ts) is read against: the one the store's callers pass times
   * from in production. Date.now unless given.
   */
  readonly now?: () => number;
  /**
   * A clock that never steps, against which a step of `now` between two readings of the ledger's clock is seen
   * (ledger-clock.ts). performance.now when `now` is not given (production); none when it is (a test's clock, which
   * steps on purpose), unless given too.
   */
  readonly monotonic?: () => number;
}

export function createSqlStore(driver: SqlDriver, options: SqlStoreOptions = {}): Store {
  const localNow = options.now ?? Date.now;
  const monotonic = options.monotonic ?? (options.now ? undefined : () => performance.now());
  // Lease and hold times go through the ledger's clock: instances on several machines judge them on one clock.
  const clock = createLedgerClock(driver, localNow, monotonic);
  const writes = createEventWrites(driver, clock);
  const store: Store = {
    backend: driver.dialect,

    async migrate() {
      await runMigrations(driver);
      await clock.read();
    },

    async ping() {
      await driver.query(sql.ping);
    },

    close: () => driver.close(),

    async getPayment(merchantUid) {
      const [row] = await driver.query(sql.getPayment, [merchantUid, merchantUid]);
      return row ? decodePayment(row) : null;
    },

    async orderCurrencies(merchantUids) {
      if (merchantUids.length === 0) return new Map();
      const rows = await driver.query(sql.orderCurrencies[driver.dialect], [
        JSON.stringify([...new Set(merchantUids)]),
      ]);
      const currencies = new Map<string, string>();
      // Each order's payments come in getPayment's order: its first is the one the order shows.
      for (const row of rows) {
        const order = String(row.merchant_uid);
        if (!currencies.has(order)) currencies.set(order, String(row.currency));
      }
      return currencies;
    },

    async paymentCurrencies(impUids) {
      if (impUids.length === 0) return new Map();
      const rows = await driver.query(sql.paymentCurrencies[driver.dialect], [JSON.stringify([...new Set(impUids)])]);
      return new Map(rows.map((row) => [String(row.imp_uid), String(row.currency)]));
    },

    async getPaymentByImpUid(impUid) {
      const [row] = await driver.query(sql.getPaymentByImpUid, [impUid]);
      return row ? decodePayment(row) : null;
    },

    async upsertPayment(payment, now) {
      const moneyMoved = payment.status === 'paid' || payment.status === 'cancelled';
      const upsert = [
        payment.imp_uid,
        payment.merchant_uid,
        payment.pay_method,
        payment.pg_provider,
        payment.name,
        payment.amount,
        payment.cancel_amount,
        payment.currency,
        payment.status,
        payment.paid_at,
        payment.receipt_url,
        JSON.stringify(payment.cancel_history),
        payment.tax_free ?? null,
        payment.cancelled_tax_free ?? null,
        now,
      ];
      // The row, then the order's tie, in one trip: the tie reads the row just written.
      const [[applied] = []] = await driver.sequence([
        { sql: sql.upsertPayment, params: upsert },
        ...(moneyMoved ? [{ sql: sql.tieOrder, params: [payment.merchant_uid, payment.imp_uid, now] }] : []),
      ]);
      if (applied) return decodePayment(applied);
      // The update was refused because it would lower cancel_amount: answer with the row that stands.
      const [kept] = await driver.query(sql.getPaymentByImpUid, [payment.imp_uid]);
      if (!kept) throw new Error(`store: payment ${payment.imp_uid} was neither written nor found`);
      return decodePayment(kept);
    },

    async tiedImpUid(merchantUid) {
      const [row] = await driver.query(sql.tiedImpUid, [merchantUid]);
      return row ? String(row.imp_uid) : null;
    },

    async markNeedsSync(impUid, now) {
      await driver.run(sql.markNeedsSync, [now, impUid]);
    },

    async acquireLease(name, holder, ttlMs, now) {
      const params = [name, holder, clock.at(now + ttlMs), clock.at(now)];
      const [rows] = await clock.sequence([{ sql: sql.acquireLease, params }]);
      return rows?.length === 1;
    },

    async renewLease(name, holder, ttlMs, now) {
      return (await driver.run(sql.renewLease, [clock.at(now + ttlMs), name, holder])) === 1;
    },

    async releaseLease(name, holder) {
      await driver.run(sql.releaseLease, [name, holder]);
    },

    purgeExpiredLeases: (before) => driver.run(sql.purgeExpiredLeases, [clock.at(before)]),

    async takeOrder(lease, merchantUid, claim) {
      const claiming = claim
        ? [
            {
              sql: sql.claimIdempotencyKeyUnderLease,
              params: [claim.key, claim.merchant_uid, claim.request_hash, claim.created_at, lease.name, lease.holder],
            },
            { sql: sql.getIdempotencyKey, params: [claim.key] },
          ]
        : [];
      // In this order on one connection: each statement sees what the ones before it committed.
      const results = await clock.sequence([
        {
          sql: sql.acquireLease,
          params: [lease.name, lease.holder, clock.at(lease.now + lease.ttlMs), clock.at(lease.now)],
        },
        ...claiming,
        { sql: sql.getPayment, params: [merchantUid, merchantUid] },
        { sql: sql.listAttempts, params: [merchantUid] },
        { sql: OPEN_REQUEST_ID_SQL, params: [merchantUid] },
      ]);
      if (results[0]?.length !== 1) return null;
      const [payment] = results.at(-3) ?? [];
      const attempts = (results.at(-2) ?? []).map(decodeAttempt);
      const [open] = results.at(-1) ?? [];
      const openRequestId = open ? text(open, 'id') : null;
      if (!claim) return { payment: payment ? decodePayment(payment) : null, attempts, key: null, openRequestId };
      const [mine] = results[1] ?? [];
      const [theirs] = results[2] ?? [];
      // Neither inserted nor found: purged in between. The lease is ours now, so a plain claim is as safe.
      const key = mine
        ? { record: decodeIdempotencyRecord(mine), created: true }
        : theirs
          ? { record: decodeIdempotencyRecord(theirs), created: false }
          : await store.claimIdempotencyKey(claim);
      return { payment: payment ? decodePayment(payment) : null, attempts, key, openRequestId };
    },

    async insertAttempt(start, finish, settled, failedEvent, event) {
      const params = [...startParams(start), ...finishParams(finish)];
      const requestId = start.request_id;
      const round = start.request_round;
      // An attempt about to be sent under the order's lease: written only while the ledger has the lease this holder's.
      const lease = finish ? undefined : start.lease;
      const leaseParams = lease ? [lease.name, lease.holder] : [];
      const asJson = () =>
        JSON.stringify(Object.fromEntries(ATTEMPT_COLUMN_NAMES.map((name, i) => [name, params[i] ?? null])));
      if (!finish && requestId && round !== undefined) {
        // An approval's refund, about to be sent: bound to its request in its round, or not written (and not sent).
        const bind = [start.id, requestId, round];
        if (driver.dialect === 'postgres') {
          const statement = lease ? INSERT_BOUND_ATTEMPT_UNDER_LEASE : INSERT_BOUND_ATTEMPT;
          return (await driver.query(statement, [...bind, ...leaseParams, asJson()])).length === 1;
        }
        return driver.transaction(async (tx) => {
          if (lease && (await tx.query(sql.leaseHolder, [lease.name, lease.holder])).length === 0) return false;
          if ((await tx.run(BIND_APPROVAL_SQL, bind)) === 0) return false;
          await tx.run(sql.insertAttempt, params);
          return true;
        });
      }
      if (lease) {
        if (driver.dialect === 'postgres')
          return (await driver.query(INSERT_ATTEMPT_UNDER_LEASE, [asJson(), ...leaseParams])).length === 1;
        return (await driver.run(sql.insertAttemptUnderLease, [...params, ...leaseParams])) === 1;
      }
      if (finish && event && !requestId) {
        // A refund recorded ended, with its event: both or neither.
        await writes.transaction(async (tx, insertEvent) => {
          await tx.run(sql.insertAttempt, params);
          await insertEvent(event);
        });
        return true;
      }
      if (!finish || !requestId) {
        await driver.run(sql.insertAttempt, params);
        return true;
      }
      // An approval refused before anything was sent (or a late refund recorded for it): its request moves with it (and
      // says so, when asked to). Written, like a refund about to be sent, only bound to its request in its own round:
      // one held up past a later round's claim writes nothing, neither ending that round's refund nor taking a late
      // refund from the next approval that will record it.
      // A late refund recorded for a request already failed (`failed_round`, late-approvals.ts): bound only while it is
      // failed (or rejected since) in that round, late of one of its own attempts, and the request moves from there.
      const NOT_BOUND = Symbol('not bound');
      const failedRound = start.failed_round;
      const moved = await writes.transaction(async (tx, insertEvent) => {
        let landsFrom: RequestStatus | undefined;
        if (failedRound !== undefined) {
          const lateOf = start.late_of ?? null;
          if (lateOf === null || finish.outcome !== 'succeeded') return NOT_BOUND;
          const [bound] = await tx.query(BIND_LANDED_LATE_SQL, [start.id, requestId, failedRound, lateOf]);
          if (!bound) return NOT_BOUND;
          landsFrom = oneOf(bound, 'status', REQUEST_STATUSES);
        } else if (round !== undefined && (await tx.run(BIND_APPROVAL_SQL, [start.id, requestId, round])) === 0) {
          return NOT_BOUND;
        }
        await tx.run(sql.insertAttempt, params);
        const moved = landsFrom
          ? await landLateIn(tx, requestId, landsFrom, start.id, finish)
          : await settleRequestIn(tx, requestId, start.id, finish);
        if (event) await insertEvent(event);
        else await tellFailed(moved, failedEvent, insertEvent);
        return moved;
      });
      if (moved === NOT_BOUND) return false;
      if (moved) settled?.(moved);
      return true;
    },

    async finishAttempt(id, finish, event, settled, failedEvent) {
      const params = [...finishParams(finish), id];
      // The outcome, its event and its request's move stand or fall together: no refund without its event, no event
      // twice, no request left approved once its refund's outcome is written.
      // PostgreSQL: one statement, atomic on its own (one round trip): the end, the request's move and the event.
      const endOnPostgres = async () => {
        if (!event && failedEvent) {
          // No refund event to ride in the statement: a transaction, for the request's own event if it fails (rare:
          // an end that is neither a success nor a gateway's refusal).
          return writes.transaction(async (tx, insertEvent) => {
            const end = await finishAndSettleIn(tx, params, id, finish);
            await tellFailed(end.moved, failedEvent, insertEvent);
            return end;
          });
        }
        if (!event) return finishAndSettleIn(driver, params, id, finish);
        return writes.inStatement(event, async (eventParams) => {
          const end = await finishAndSettleIn(driver, params, id, finish, eventParams);
          return { value: end, written: end.written };
        });
      };
      // SQLite: one after the other in a transaction (in process: no round trips to save).
      const endOnSqlite = () =>
        writes.transaction(async (tx, insertEvent) => {
          const [ended] = await tx.query(sql.finishAttempt, params);
          if (!ended) return { ended: false, moved: null };
          const requestId = ended.request_id;
          const moved = typeof requestId === 'string' ? await settleRequestIn(tx, requestId, id, finish) : null;
          if (event) await insertEvent(event);
          else await tellFailed(moved, failedEvent, insertEvent);
          return { ended: true, moved };
        });
      const result = driver.dialect === 'postgres' ? await endOnPostgres() : await endOnSqlite();
      // Told only now: a transaction retried or rolled back has told nothing.
      if (result.moved) settled?.(result.moved);
      return result.ended;
    },

    async getAttempt(id) {
      const [row] = await driver.query(sql.getAttempt, [id]);
      return row ? decodeAttempt(row) : null;
    },

    async listAttempts(merchantUid) {
      return (await driver.query(sql.listAttempts, [merchantUid])).map(decodeAttempt);
    },

    async pageAttempts(query) {
      const { conditions, params } = pageConditions(query);
      return (await driver.query(sql.pageAttempts(conditions), [...params, query.limit])).map(decodeAttempt);
    },

    async claimIdempotencyKey(record) {
      // A key released between our insert and our read is free again, so a retry can claim it.
      for (let tries = 0; tries < 5; tries += 1) {
        const [inserted] = await driver.query(sql.claimIdempotencyKey, [
          record.key,
          record.merchant_uid,
          record.request_hash,
          record.created_at,
        ]);
        if (inserted) return { record: decodeIdempotencyRecord(inserted), created: true };
        const [existing] = await driver.query(sql.getIdempotencyKey, [record.key]);
        if (existing) return { record: decodeIdempotencyRecord(existing), created: false };
      }
      throw new Error(`store: idempotency key ${record.key} keeps being claimed and released`);
    },

    async setIdempotencyAttempt(key, attemptId) {
      await driver.run(sql.setIdempotencyAttempt, [attemptId, key]);
    },

    async completeIdempotencyKey(key, status, body) {
      await driver.run(sql.completeIdempotencyKey, [status, body, key]);
    },

    purgeIdempotencyKeys: (before) => driver.run(sql.purgeIdempotencyKeys, [before, before]),

    ...createSqlOutbox(driver, writes, clock),
    ...createSqlWatch(driver, writes),
    ...createSqlRequests(driver, writes),
  };
  driverOf.set(store, driver);
  return store;
}

/** What inspectSqlStore reports about the database behind a store. */
export interface SqlStoreInspection {
  /** The engine's own version string, e.g. `SQLite 3.53.2` or `PostgreSQL 15.18 …`. */
  engine(): Promise<string>;
  /** The migration versions recorded in schema_migrations, ascending (after migrate()). */
  migrations(): Promise<number[]>;
  /** Runs one migration step again, in the store's dialect: what it does to rows written as an older version would. */
  rerun(step: Ddl): Promise<void>;
}

/**
 * Looks behind a store made by createSqlStore. The engine is asked with a query that exists in only one dialect,
 * so the contract suite can prove a test named after one backend is not quietly running against another.
 */
export function inspectSqlStore(store: Store): SqlStoreInspection {
  const driver = driverOf.get(store);
  if (!driver) throw new Error('store: not made by createSqlStore');
  return {
    async engine() {
      const [row] = await driver.query(sql.version[driver.dialect]);
      const version = row?.version;
      if (typeof version !== 'string') throw new Error(`store: ${driver.dialect} did not report a version`);
      return version;
    },
    migrations: () => appliedMigrations(driver),
    rerun: async (step) => void (await driver.run(typeof step === 'string' ? step : step[driver.dialect])),
  };
}
