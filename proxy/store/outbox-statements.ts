/** @module The outbox's statements (see statements.ts for the rules: both dialects, `?` placeholders only). */
import type { SqlDialect } from './sql-driver.ts';

export const EVENT_COLUMNS =
  'seq, id, type, merchant_uid, sequence, data, created_at, status, attempts, next_attempt_at, delivered_at';
const DELIVERY_COLUMNS = 'seq, event_id, url, attempted_at, status, latency_ms, error';

// The sequence is the order's next one, read in the insert itself; UNIQUE (merchant_uid, sequence) catches a race.
// Written held (held_by, held_until) when this process's dispatcher takes new events straight from their write.
// `having`: a condition the insert is made under (PostgreSQL's WITH: only if the statement's own UPDATE changed a row).
const insertEventWhen = (having: string | null) => `INSERT INTO webhook_events
    (id, type, merchant_uid, sequence, dedupe_key, data, created_at, status, next_attempt_at, queued_at, held_by,
      held_until)
  SELECT CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), COALESCE(MAX(sequence), 0) + 1, CAST(? AS TEXT),
    CAST(? AS TEXT), CAST(? AS BIGINT), 'pending', CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS TEXT),
    CAST(? AS BIGINT)
  FROM webhook_events WHERE merchant_uid = ?${having === null ? '' : `\n  HAVING ${having}`}
  ON CONFLICT (dedupe_key) DO NOTHING
  RETURNING ${EVENT_COLUMNS}`;
const insertEvent = insertEventWhen(null);

const endRound = `UPDATE webhook_events SET status = ?, attempts = attempts + 1, next_attempt_at = ?, delivered_at = ?,
      held_by = NULL, held_until = NULL
    WHERE id = ? AND held_by = ? AND status = 'pending'`;

const due = `status = 'pending' AND next_attempt_at <= ? AND (held_until IS NULL OR held_until < ?)`;

export const outboxSql = {
  insertEvent,
  insertEventWhen,
  // The outer WHERE is checked again on each row as it is updated, so of two instances racing only one holds it;
  // PostgreSQL also skips rows another transaction has locked instead of waiting for it. There the picked rows are an
  // ARRAY(…), computed once: as `IN (subquery)` the planner may run the subquery again per row, holding over LIMIT.
  claimDueEvents: {
    sqlite: `UPDATE webhook_events SET held_by = ?, held_until = ?
      WHERE seq IN (SELECT seq FROM webhook_events WHERE ${due} ORDER BY next_attempt_at, seq LIMIT ?) AND ${due}
      RETURNING ${EVENT_COLUMNS}`,
    postgres: `UPDATE webhook_events SET held_by = ?, held_until = ?
      WHERE seq = ANY(ARRAY(SELECT seq FROM webhook_events WHERE ${due} ORDER BY next_attempt_at, seq LIMIT ?
        FOR UPDATE SKIP LOCKED)) AND ${due}
      RETURNING ${EVENT_COLUMNS}`,
  } satisfies Record<SqlDialect, string>,
  insertDelivery: `INSERT INTO webhook_deliveries (event_id, url, attempted_at, status, latency_ms, error)
    VALUES (?, ?, ?, ?, ?, ?)`,
  endRound,
  // PostgreSQL: a round in one statement (its deliveries inserted by the WITH, which always runs), so a pass's rounds
  // go out pipelined, one round trip for all, each atomic on its own. Parameters: each delivery's six, then endRound's.
  recordRound: (deliveries: number): string =>
    deliveries === 0
      ? `${endRound} RETURNING 1 AS kept`
      : `WITH recorded AS (INSERT INTO webhook_deliveries (event_id, url, attempted_at, status, latency_ms, error)
        VALUES ${Array.from({ length: deliveries }, () => '(?, ?, ?, ?, ?, ?)').join(', ')})
      ${endRound} RETURNING 1 AS kept`,
  getEvent: `SELECT ${EVENT_COLUMNS} FROM webhook_events WHERE id = ?`,
  listEvents: `SELECT ${EVENT_COLUMNS} FROM webhook_events
    WHERE (CAST(? AS TEXT) IS NULL OR status = ?) AND seq < ? ORDER BY seq DESC LIMIT ?`,
  listOrderEvents: `SELECT ${EVENT_COLUMNS} FROM webhook_events WHERE merchant_uid = ? ORDER BY sequence`,
  listDeliveries: `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE event_id = ? ORDER BY seq`,
  // Queued afresh: its rounds count from 0 again (so it gets the whole schedule); its deliveries stay recorded.
  redeliver: `UPDATE webhook_events SET status = 'pending', attempts = 0, next_attempt_at = ?, queued_at = ?,
      held_by = NULL, held_until = NULL
    WHERE id = ? AND status IN ('delivered', 'failed')`,
  // A round skips the URLs that took the event since it was (re)queued; a redelivered one goes to all again.
  deliveredUrls: `SELECT DISTINCT d.url FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
    WHERE d.event_id = ? AND d.status >= 200 AND d.status < 300 AND d.attempted_at >= e.queued_at`,
};
