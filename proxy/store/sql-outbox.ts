/** @module The outbox half of the SQL store (createSqlStore spreads it in), over the same SqlDriver. */

import type { EventWrites } from './event-writes.ts';
import type { LedgerClock } from './ledger-clock.ts';
import type { Delivery, DeliveryAttempt, OutboxStore, Round } from './outbox.ts';
import { outboxSql } from './outbox-statements.ts';
import { decodeEvent, num, numOrNull, text, textOrNull } from './row-decoders.ts';
import type { SqlDriver, SqlRow, SqlValue } from './sql-driver.ts';

const decodeDelivery = (row: SqlRow): Delivery => ({
  id: String(num(row, 'seq')),
  event_id: text(row, 'event_id'),
  url: text(row, 'url'),
  attempted_at: num(row, 'attempted_at'),
  status: numOrNull(row, 'status'),
  latency_ms: num(row, 'latency_ms'),
  error: textOrNull(row, 'error'),
});

/** Keyset cursors are the row's seq, written as text so a client treats them as opaque. */
const MAX_SEQ = Number.MAX_SAFE_INTEGER;

/** The outbox's delivery side; the counts and attention flags are sql-watch.ts's. */
type DeliveryStore = Omit<OutboxStore, 'pendingEvents' | 'failedEventsToFlag' | 'flagAttention'>;

/** A delivery row's columns, in insertDelivery's order. */
const deliveryFields = (eventId: string, d: DeliveryAttempt) => ({
  event_id: eventId,
  url: d.url,
  attempted_at: d.attempted_at,
  status: d.status,
  latency_ms: d.latency_ms,
  error: d.error,
});

const deliveryParams = (eventId: string, d: DeliveryAttempt): SqlValue[] => Object.values(deliveryFields(eventId, d));

/**
 * How a round ends its event: the new status; `next_attempt_at`, when it is due again, or for a failed event when it
 * was given up (the attention check reads the failures since its last look off the due index: failedEventsToFlag), 0
 * once delivered; when delivered.
 */
const roundFields = ({ eventId, end }: Round) => ({
  event_id: eventId,
  status: end.status,
  next_attempt_at: end.status === 'pending' ? end.next_attempt_at : end.status === 'failed' ? end.at : 0,
  delivered_at: end.status === 'delivered' ? end.at : null,
});

const endParams = (round: Round, holder: string): SqlValue[] => {
  const fields = roundFields(round);
  return [fields.status, fields.next_attempt_at, fields.delivered_at, round.eventId, holder];
};

/** Records a pass's rounds in one write: on SQLite one transaction, on PostgreSQL one statement (each one commit). */
const finishRounds = async (driver: SqlDriver, holder: string, rounds: readonly Round[]): Promise<boolean[]> => {
  if (rounds.length === 0) return [];
  if (driver.dialect === 'postgres') {
    const ended = await driver.query(outboxSql.recordRounds, [
      JSON.stringify(rounds.map(roundFields)),
      JSON.stringify(rounds.flatMap(({ eventId, deliveries }) => deliveries.map((d) => deliveryFields(eventId, d)))),
      holder,
    ]);
    const ids = new Set(ended.map((row) => text(row, 'id')));
    return rounds.map((round) => ids.has(round.eventId));
  }
  return driver.transaction(async (tx) => {
    const kept: boolean[] = [];
    for (const round of rounds) {
      for (const d of round.deliveries) await tx.run(outboxSql.insertDelivery, deliveryParams(round.eventId, d));
      kept.push((await tx.run(outboxSql.endRound, endParams(round, holder))) === 1);
    }
    return kept;
  });
};

export const createSqlOutbox = (driver: SqlDriver, writes: EventWrites, clock: LedgerClock): DeliveryStore => ({
  insertEvent: (event) => writes.transaction((_tx, insertEvent) => insertEvent(event)),

  handOverNewEvents: (taker) => writes.setTaker(taker),

  async claimDueEvents(holder, now, holdMs, limit) {
    // Holds on the ledger's clock (another instance's hold is judged by when it ends there); due times on this one's.
    const heldNow = clock.at(now);
    const params = [holder, clock.at(now + holdMs), now, heldNow, limit, now, heldNow];
    const [rows = []] = await clock.sequence([{ sql: outboxSql.claimDueEvents[driver.dialect], params }]);
    return rows.map(decodeEvent);
  },

  async finishRound(eventId, holder, deliveries, end) {
    const [kept] = await finishRounds(driver, holder, [{ eventId, deliveries, end }]);
    return kept === true;
  },

  finishRounds: (holder, rounds) => finishRounds(driver, holder, rounds),

  async deliveredUrls(eventId) {
    return (await driver.query(outboxSql.deliveredUrls, [eventId])).map((row) => text(row, 'url'));
  },

  async getEvent(id) {
    const [row] = await driver.query(outboxSql.getEvent, [id]);
    return row ? decodeEvent(row) : null;
  },

  async eventByDedupeKey(key) {
    const [row] = await driver.query(outboxSql.eventByDedupeKey, [key]);
    return row ? decodeEvent(row) : null;
  },

  async listEvents({ status, limit, cursor }) {
    const after = cursor && /^\d+$/.test(cursor) ? Number(cursor) : MAX_SEQ;
    const rows = await driver.query(outboxSql.listEvents, [status ?? null, status ?? null, after, limit + 1]);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      data: page.map(decodeEvent),
      next_cursor: rows.length > limit && last ? String(num(last, 'seq')) : null,
    };
  },

  async listOrderEvents(merchantUid) {
    return (await driver.query(outboxSql.listOrderEvents, [merchantUid])).map(decodeEvent);
  },

  async listDeliveries(eventId) {
    return (await driver.query(outboxSql.listDeliveries, [eventId])).map(decodeDelivery);
  },

  async redeliver(id, now) {
    return (await driver.run(outboxSql.redeliver, [now, now, id])) === 1;
  },
});
