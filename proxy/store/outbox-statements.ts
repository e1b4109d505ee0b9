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
  // PostgreSQL: a pass's rounds in one statement, however many (one commit for the pass, where a statement a round was
  // a commit each: on a server that flushes its WAL at every commit, one flush instead of one per event). Parameters:
  // the rounds ({ event_id, status, next_attempt_at, delivered_at }[]) and their deliveries (deliveryParams' six fields
  // by name) as json text (as a json parameter, the driver would encode the text once more), and the holder. Each round
  // ends its event only while this holder holds it (endRound's test, row by row); the deliveries are recorded whatever
  // the hold, in the order given. Answers the ids of the events it ended.
  recordRounds: `WITH rounds AS (
      SELECT * FROM json_to_recordset(CAST(CAST(? AS TEXT) AS json))
        AS r(event_id TEXT, status TEXT, next_attempt_at BIGINT, delivered_at BIGINT)
    ), recorded AS (
      INSERT INTO webhook_deliveries (event_id, url, attempted_at, status, latency_ms, error)
      SELECT d.event_id, d.url, d.attempted_at, d.status, d.latency_ms, d.error
      FROM ROWS FROM (json_to_recordset(CAST(CAST(? AS TEXT) AS json)) AS (event_id TEXT, url TEXT, attempted_at BIGINT,
          status INTEGER, latency_ms DOUBLE PRECISION, error TEXT)) WITH ORDINALITY
        AS d(event_id, url, attempted_at, status, latency_ms, error, n)
      ORDER BY d.n
    )
    UPDATE webhook_events e SET status = rounds.status, attempts = e.attempts + 1,
        next_attempt_at = rounds.next_attempt_at, delivered_at = rounds.delivered_at, held_by = NULL, held_until = NULL
      FROM rounds
      WHERE e.id = rounds.event_id AND e.held_by = ? AND e.status = 'pending'
      RETURNING e.id`,
  getEvent: `SELECT ${EVENT_COLUMNS} FROM webhook_events WHERE id = ?`,
  eventByDedupeKey: `SELECT ${EVENT_COLUMNS} FROM webhook_events WHERE dedupe_key = ?`,
  listEvents: `SELECT ${EVENT_COLUMNS} FROM webhook_events
    WHERE (CAST(? AS TEXT) IS NULL OR status = ?) AND seq < ? ORDER BY seq DESC LIMIT ?`,
  listOrderEvents: `SELECT ${EVENT_COLUMNS} FROM webhook_events WHERE merchant_uid = ? ORDER BY sequence`,
  listDeliveries: `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE event_id = ? ORDER BY seq`,
  // Queued afresh: its rounds count from 0 again (so it gets the whole schedule); its deliveries stay recorded.
  redeliver: `UPDATE webhook_events SET status = 'pending', attempts = 0, next_attempt_at = ?, queued_at = ?,
      held_by = NULL, held_until = NULL, delivered_at = NULL
    WHERE id = ? AND status IN ('delivered', 'failed')`,
  // A round skips the URLs that took the event since it was (re)queued; a redelivered one goes to all again.
  deliveredUrls: `SELECT DISTINCT d.url FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
    WHERE d.event_id = ? AND d.status >= 200 AND d.status < 300 AND d.attempted_at >= e.queued_at`,
};
