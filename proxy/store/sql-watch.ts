/**
 * @module What operators watch, over the same SqlDriver (createSqlStore spreads it in): the counts /metrics reads at
 * scrape time, and the attempts and events that need attention, each flagged once (attention_flags, migration 5).
 */

import type { EventWrites } from './event-writes.ts';
import type { OutboxStore } from './outbox.ts';
import { EVENT_COLUMNS } from './outbox-statements.ts';
import { decodeAttempt, decodeEvent, num, numOrNull } from './row-decoders.ts';
import type { SqlDriver } from './sql-driver.ts';
import { ATTEMPT_COLUMNS } from './statements.ts';
import type { Store } from './store.ts';

const UNSETTLED = `(outcome IS NULL OR outcome = 'unknown')`;

// The keys are attentionKey's (outbox.ts), spelled here in SQL so that flagged rows are left out by the query itself.
/** Unsettled, not told of yet, started before ?, and (a cancel the gateway accepted to finish later) before ?. */
const NOT_TOLD = `${UNSETTLED} AND started_at < ? AND (cancellation_id IS NULL OR started_at < ?)
      AND NOT EXISTS (SELECT 1 FROM attention_flags f WHERE f."key" = 'attention:attempt:' || a.id)`;

const flagOnlyIf = (exists: string) => `INSERT INTO attention_flags ("key", flagged_at)
    SELECT CAST(? AS TEXT), CAST(? AS BIGINT) WHERE EXISTS (${exists})
    ON CONFLICT ("key") DO NOTHING`;

const watchSql = {
  countUnsettled: `SELECT CAST(COUNT(*) AS INTEGER) AS n FROM refund_attempts WHERE ${UNSETTLED}`,
  unsettledToFlag: `SELECT ${ATTEMPT_COLUMNS} FROM refund_attempts a WHERE ${NOT_TOLD} ORDER BY started_at, seq LIMIT ?`,
  // Orders looked at before ATTENTION_AFTER (attention.ts), at random too: the oldest first, the same few that stay
  // unsettleable (PayPal cancels awaiting approval) would take every look, and a newer order's lost answer none.
  unsettledOrdersToLook: `SELECT merchant_uid FROM refund_attempts a WHERE ${NOT_TOLD}
    GROUP BY merchant_uid ORDER BY RANDOM() LIMIT ?`,
  // At random: orders that stay unsettleable (a gateway down for days) must not take every look from the others.
  toldUnsettledOrders: `SELECT merchant_uid FROM refund_attempts a WHERE ${UNSETTLED}
      AND EXISTS (SELECT 1 FROM attention_flags f WHERE f."key" = 'attention:attempt:' || a.id)
    GROUP BY merchant_uid ORDER BY RANDOM() LIMIT ?`,
  // At random: rows that stay marked (a gateway that cannot be asked, another gateway's payment) must not take every look.
  markedPaymentsToLook: `SELECT merchant_uid, imp_uid FROM payments WHERE needs_sync AND updated_at < ?
    ORDER BY RANDOM() LIMIT ?`,
  // late-cancels.ts settledUnanswered, in SQL (a revocation has no checksum), with no late_of attempt taking its refund.
  unansweredRefundsToLook: `SELECT merchant_uid, imp_uid FROM refund_attempts a
    WHERE outcome = 'failed' AND started_at >= ? AND error_code = 'UPSTREAM_UNAVAILABLE' AND cancellation_id IS NULL
      AND checksum IS NOT NULL AND imp_uid IS NOT NULL AND finished_at - started_at >= ?
      AND NOT EXISTS (SELECT 1 FROM refund_attempts b WHERE b.late_of = a.id)
    GROUP BY merchant_uid, imp_uid ORDER BY RANDOM() LIMIT ?`,
  // Settled as made from a copy (no answer: iamport_code null): off the partial index of migration 16, where the day's
  // answered refunds would be walked on the outcome index.
  madeUnansweredToLook: `SELECT merchant_uid, imp_uid FROM refund_attempts
    WHERE outcome = 'succeeded' AND iamport_code IS NULL AND started_at >= ? AND late_of IS NULL
      AND checksum IS NOT NULL AND imp_uid IS NOT NULL
    GROUP BY merchant_uid, imp_uid ORDER BY RANDOM() LIMIT ?`,
  pendingEvents: `SELECT CAST(COUNT(*) AS INTEGER) AS n, MIN(queued_at) AS oldest FROM webhook_events
    WHERE status = 'pending'`,
  // next_attempt_at is when a failed event was given up (0 for one failed before that was written): `failedSince` reads
  // only the failures since then off the due index, where every failed event would be read and looked up in the flags.
  failedToFlag: `SELECT ${EVENT_COLUMNS} FROM webhook_events e WHERE status = 'failed' AND next_attempt_at >= ?
      AND type <> 'attention.needed' AND NOT EXISTS (SELECT 1 FROM attention_flags f WHERE f."key" = 'attention:event:' || e.id)
    ORDER BY seq LIMIT ?`,
  flag: `INSERT INTO attention_flags ("key", flagged_at) VALUES (?, ?) ON CONFLICT ("key") DO NOTHING`,
  // The same, only while the attempt is still unsettled, or the event still failed (SQLite needs the SELECT's WHERE
  // before an upsert's ON CONFLICT).
  flagUnsettled: flagOnlyIf(`SELECT 1 FROM refund_attempts WHERE id = ? AND ${UNSETTLED}`),
  flagFailed: flagOnlyIf(`SELECT 1 FROM webhook_events WHERE id = ? AND status = 'failed'`),
};

/** A payment row's names, as the looks read them. */
const paymentOf = (row: Record<string, unknown>) => ({
  merchant_uid: String(row.merchant_uid),
  imp_uid: String(row.imp_uid),
});

type Watch = Pick<
  Store,
  | 'countUnsettledAttempts'
  | 'unsettledAttemptsToFlag'
  | 'unsettledOrdersToLook'
  | 'toldUnsettledOrders'
  | 'markedPaymentsToLook'
  | 'unansweredRefundsToLook'
> &
  Pick<OutboxStore, 'pendingEvents' | 'failedEventsToFlag' | 'flagAttention'>;

export const createSqlWatch = (driver: SqlDriver, writes: EventWrites): Watch => ({
  async countUnsettledAttempts() {
    const [row] = await driver.query(watchSql.countUnsettled);
    return row ? num(row, 'n') : 0;
  },

  async unsettledAttemptsToFlag(startedBefore, limit, acceptedStartedBefore = startedBefore) {
    const params = [startedBefore, acceptedStartedBefore, limit];
    return (await driver.query(watchSql.unsettledToFlag, params)).map(decodeAttempt);
  },

  async unsettledOrdersToLook(startedBefore, acceptedStartedBefore, limit) {
    const params = [startedBefore, acceptedStartedBefore, limit];
    return (await driver.query(watchSql.unsettledOrdersToLook, params)).map((row) => String(row.merchant_uid));
  },

  async toldUnsettledOrders(limit) {
    return (await driver.query(watchSql.toldUnsettledOrders, [limit])).map((row) => String(row.merchant_uid));
  },

  async markedPaymentsToLook(markedBefore, limit) {
    return (await driver.query(watchSql.markedPaymentsToLook, [markedBefore, limit])).map(paymentOf);
  },

  async unansweredRefundsToLook(startedSince, windowMs, limit) {
    // Those settled as not made first (a cancel landing on one is a refund nobody was told of), then those settled as
    // made from the gateway's history, whose own cancel may land beside the one that settled them.
    const notMade = (await driver.query(watchSql.unansweredRefundsToLook, [startedSince, windowMs, limit])).map(
      paymentOf,
    );
    if (notMade.length >= limit) return notMade;
    const made = (await driver.query(watchSql.madeUnansweredToLook, [startedSince, limit])).map(paymentOf);
    const listed = new Set(notMade.map((p) => p.imp_uid));
    return [...notMade, ...made.filter((p) => !listed.has(p.imp_uid))].slice(0, limit);
  },

  async pendingEvents() {
    const [row] = await driver.query(watchSql.pendingEvents);
    return row
      ? { count: num(row, 'n'), oldest_queued_at: numOrNull(row, 'oldest') }
      : { count: 0, oldest_queued_at: null };
  },

  async failedEventsToFlag(limit, failedSince = 0) {
    return (await driver.query(watchSql.failedToFlag, [failedSince, limit])).map(decodeEvent);
  },

  flagAttention: (key, at, event, only) =>
    writes.transaction(async (tx, insertEvent) => {
      const flagged =
        only === undefined
          ? await tx.run(watchSql.flag, [key, at])
          : 'unsettledAttempt' in only
            ? await tx.run(watchSql.flagUnsettled, [key, at, only.unsettledAttempt])
            : await tx.run(watchSql.flagFailed, [key, at, only.failedEvent]);
      if (flagged !== 1) return false;
      if (event) await insertEvent(event);
      return true;
    }),
});
