/** @module The refund requests half of the SQL store (createSqlStore spreads it in), over the same SqlDriver. */
import { nextStatus, REQUEST_STATUSES, type RequestStatus } from '../../shared/refund-requests.ts';
import type { EventWrites } from './event-writes.ts';
import type { NewEvent } from './outbox.ts';
import { outboxSql } from './outbox-statements.ts';
import type { ApprovalClaim, RefundRequestRecord, RequestPageQuery, RequestStore } from './requests.ts';
import { num, numOrNull, oneOf, text, textOrNull } from './row-decoders.ts';
import type { SqlDriver, SqlExecutor, SqlRow, SqlValue } from './sql-driver.ts';
import { sql } from './statements.ts';
import type { AttemptFinish } from './store.ts';

const COLUMNS =
  'id, merchant_uid, status, amount, reason, refund_bank, refund_account_masked, refund_secret, idempotency_key, ' +
  'grant_subject, created_at, decided_at, decided_by, reject_reason, allow_new_request, approved_amount, note, ' +
  'attempt_id, error_code, approvals, tax_free_amount, vat_amount, updated_at, grant_jti, grant_max_amount, imp_uid, ' +
  'cancels_seen';

const OPEN = `FROM refund_requests WHERE merchant_uid = ? AND status IN ('requested', 'approved')`;
/** Every order's open requests, in the words of the one-open-request index's predicate (migration 7). */
const OPEN_ANY = `FROM refund_requests WHERE status IN ('requested', 'approved')`;
/** The id of an order's open request (at most one), read off the one-open-request index: takeOrder's check. */
export const OPEN_REQUEST_ID_SQL = `SELECT id ${OPEN}`;

/**
 * An approval's attempt bound to its request as it is written (Store.insertAttempt with `request_round`: a refund about
 * to be sent, a refusal, a late refund recorded): only while the request is `approved`, in the round the approval
 * claimed, with no attempt bound yet. A move judged from that round (RequestChange.round) needs no attempt bound: of the
 * two, exactly one lands.
 */
export const BIND_APPROVAL_SQL = `UPDATE refund_requests SET attempt_id = ?
  WHERE id = ? AND status = 'approved' AND approvals = CAST(? AS INTEGER) AND attempt_id IS NULL`;

/** The statuses a late-applied refund moves to refunded, from the one table: failed, and rejected since. */
const LANDS_LATE_FROM = REQUEST_STATUSES.filter((status) => nextStatus(status, 'refund_landed_late') !== null);

/**
 * A late-applied refund bound to a `failed` request whose own refund it is, or to one staff rejected once it had
 * failed (Store.insertAttempt with `late_of` and `failed_round`): only while the request is still so in the round read
 * (no approval since, whose refund would take it), and only when the attempt it is late of (settled as not made, shown
 * applied after all) was one of this request's. Failed, no round of the request refunded anything. Of two instances
 * recording it, exactly one binds. Answers the status it was bound in (landLateIn's `from`).
 */
export const BIND_LANDED_LATE_SQL = `UPDATE refund_requests SET attempt_id = ?
  WHERE id = ? AND status IN (${LANDS_LATE_FROM.map((s) => `'${s}'`).join(', ')}) AND approvals = CAST(? AS INTEGER)
    AND EXISTS (SELECT 1 FROM refund_attempts sent WHERE sent.id = ? AND sent.request_id = refund_requests.id)
  RETURNING status`;

/**
 * PostgreSQL: BIND_APPROVAL_SQL and the attempt's insert as one statement (one round trip, where a transaction takes
 * four), the attempt inserted only if the bind updated its request. Its columns come as one JSON object, typed by the
 * table's own row type (parameters in a SELECT list would be read as text).
 */
export const insertBoundAttemptSql = (columns: string, underLease = '') => `WITH bound AS (${BIND_APPROVAL_SQL}${
  underLease ? ` AND ${underLease}` : ''
} RETURNING id)
  INSERT INTO refund_attempts (${columns})
    SELECT ${columns} FROM json_populate_record(NULL::refund_attempts, CAST(CAST(? AS TEXT) AS json))
    WHERE EXISTS (SELECT 1 FROM bound)
  RETURNING id`;

/** Final statuses after which the full account is never needed again. */
const ERASING: readonly RequestStatus[] = ['refunded', 'rejected', 'withdrawn'];

/**
 * The request is its order's latest: `seq` against the order's highest, a subquery PostgreSQL runs on the
 * (merchant_uid, seq) index for the one row. Not a top-level NOT EXISTS of a later one: with it, the plan PostgreSQL
 * cached while the table was small became a hash anti join over a sequential scan of every request (auto_explain
 * during `npm run bench -- approvals --backend=postgres`: 4 to 7 ms a claim, approvals 1.3x to 1.8x a refund).
 */
const IS_LATEST =
  'seq = (SELECT MAX(later.seq) FROM refund_requests later WHERE later.merchant_uid = refund_requests.merchant_uid)';

/**
 * The compare-and-set every move is, on the request `target` names (a placeholder, or a subquery): the row moves only
 * from the status its caller read. An approval (the third parameter is the new status again) counts itself, starts
 * with no attempt or error, and needs the request to be its order's latest: a failed request approved again after the
 * customer asked anew would refund twice.
 */
const transitionOf = (target: string) => `UPDATE refund_requests SET status = ?,
      approvals = approvals + CASE WHEN CAST(? AS TEXT) = 'approved' THEN 1 ELSE 0 END,
      decided_at = COALESCE(CAST(? AS BIGINT), decided_at), decided_by = COALESCE(CAST(? AS TEXT), decided_by),
      reject_reason = COALESCE(CAST(? AS TEXT), reject_reason),
      allow_new_request = COALESCE(CAST(? AS INTEGER), allow_new_request),
      approved_amount = COALESCE(CAST(? AS DOUBLE PRECISION), approved_amount), note = COALESCE(CAST(? AS TEXT), note),
      attempt_id = CASE WHEN CAST(? AS TEXT) = 'approved' THEN NULL ELSE COALESCE(CAST(? AS TEXT), attempt_id) END,
      error_code = CASE WHEN CAST(? AS TEXT) IN ('approved', 'refunded') THEN NULL
        ELSE COALESCE(CAST(? AS TEXT), error_code) END,
      refund_secret = CASE WHEN CAST(? AS INTEGER) = 1 THEN NULL ELSE refund_secret END, updated_at = ?
    WHERE id = ${target} AND status = ?
      AND (CAST(? AS TEXT) <> 'approved' OR ${IS_LATEST})
      AND (CAST(? AS INTEGER) IS NULL OR (approvals = CAST(? AS INTEGER) AND attempt_id IS NULL))
    RETURNING ${COLUMNS}`;

/** An attempt's end on PostgreSQL as one statement: with its request's move (`settle`), with its event (`event`). */
const endStatement = (parts: { readonly settle: boolean; readonly event: boolean }) => {
  const withs = [`ended AS (${sql.finishAttempt})`];
  const columns = ['(SELECT COUNT(*) FROM ended) AS ended_count'];
  if (parts.settle) withs.push(`moved AS (${transitionOf('(SELECT request_id FROM ended)')})`);
  if (parts.event) {
    withs.push(`written AS (${outboxSql.insertEventWhen('EXISTS (SELECT 1 FROM ended)')})`);
    columns.push('(SELECT row_to_json(written) FROM written) AS written_event');
  }
  if (parts.settle) columns.push('moved.*');
  return `WITH ${withs.join(', ')}
    SELECT ${columns.join(', ')} FROM (SELECT 1 AS here) AS here${parts.settle ? ' LEFT JOIN moved ON TRUE' : ''}`;
};

/** The statuses `approve` leaves, from the one table: the claim's compare-and-set accepts exactly these. */
const APPROVABLE = REQUEST_STATUSES.filter((status) => nextStatus(status, 'approve') === 'approved');

/**
 * claimApproval()'s statement, for `prefixes` openable prefixes: transitionOf()'s move to approved, with the
 * approval's own checks in its WHERE (the amount within what was asked and at least its tax-free part; a sealed
 * account only if one of the prefixes begins it), and the order's latest (IS_LATEST).
 */
const claimOf = (prefixes: number) => {
  const openable = Array.from(
    { length: prefixes },
    () => 'substr(refund_secret, 1, CAST(? AS INTEGER)) = CAST(? AS TEXT)',
  ).join(' OR ');
  return `UPDATE refund_requests SET status = 'approved', approvals = approvals + 1,
      decided_at = CAST(? AS BIGINT), decided_by = CAST(? AS TEXT),
      approved_amount = COALESCE(CAST(? AS DOUBLE PRECISION), amount), note = COALESCE(CAST(? AS TEXT), note),
      attempt_id = NULL, error_code = NULL, updated_at = CAST(? AS BIGINT)
    WHERE id = ? AND status IN (${APPROVABLE.map((status) => `'${status}'`).join(', ')})
      AND (CAST(? AS DOUBLE PRECISION) IS NULL OR (CAST(? AS DOUBLE PRECISION) <= amount
        AND (tax_free_amount IS NULL OR CAST(? AS DOUBLE PRECISION) >= tax_free_amount)))
      AND (refund_secret IS NULL${openable === '' ? '' : ` OR ${openable}`})
      AND ${IS_LATEST}
    RETURNING ${COLUMNS}`;
};
/** Built once each: a process has at most two data keys (DATA_ENCRYPTION_KEY and its _PREVIOUS). */
const CLAIMS = [claimOf(0), claimOf(1), claimOf(2)];

const claimParams = (id: string, claim: ApprovalClaim): SqlValue[] => [
  claim.now,
  claim.decided_by,
  claim.amount,
  claim.note,
  claim.now,
  id,
  claim.amount,
  claim.amount,
  claim.amount,
  ...claim.openablePrefixes.flatMap((prefix) => [prefix.length, prefix]),
];

const requestSql = {
  // No conflict target: the only constraint a fresh id can meet is the one-open-request-per-order index.
  insert: `INSERT INTO refund_requests (${COLUMNS})
    VALUES (?, ?, 'requested', ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, 1, NULL, NULL, NULL, NULL, 0, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT DO NOTHING
    RETURNING ${COLUMNS}`,
  open: `SELECT ${COLUMNS} ${OPEN}`,
  // A failed request is approved again only while it is its order's latest: once the customer asks anew, the account
  // sealed in the older one is never needed again.
  eraseSuperseded: `UPDATE refund_requests SET refund_secret = NULL, updated_at = ?
    WHERE merchant_uid = ? AND status = 'failed' AND refund_secret IS NOT NULL AND id <> ?`,
  get: `SELECT ${COLUMNS} FROM refund_requests WHERE id = ?`,
  latest: `SELECT ${COLUMNS} FROM refund_requests WHERE merchant_uid = ? ORDER BY seq DESC LIMIT 1`,
  transition: transitionOf('?'),
  // PostgreSQL only (finishAndSettleIn): the attempt's end (statements.ts) in a WITH, its request moved through what
  // that UPDATE returned, and its event written only if it ended the attempt (as one JSON value: the request's
  // columns share names with the event's). Built once each: one of them ends every refund on PostgreSQL.
  finishAndSettle: endStatement({ settle: true, event: false }),
  finishAndSettleWithEvent: endStatement({ settle: true, event: true }),
  finishWithEvent: endStatement({ settle: false, event: true }),
  page: (conditions: readonly string[], direction: 'ASC' | 'DESC') =>
    `SELECT ${COLUMNS} FROM refund_requests${conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : ''}
    ORDER BY created_at ${direction}, id ${direction} LIMIT ?`,
  // `status IN (…)` as the one-open-request index's own predicate, so both databases read it off that partial index
  // (the open requests only, however long the history), then narrow it to approvals with no attempt bound.
  unstartedApprovals: `SELECT ${COLUMNS} ${OPEN_ANY}
      AND status = 'approved' AND attempt_id IS NULL AND decided_at < CAST(? AS BIGINT)
    ORDER BY decided_at, id LIMIT ?`,
};

export const decodeRequest = (row: SqlRow): RefundRequestRecord => ({
  id: text(row, 'id'),
  merchant_uid: text(row, 'merchant_uid'),
  status: oneOf(row, 'status', REQUEST_STATUSES),
  amount: num(row, 'amount'),
  reason: text(row, 'reason'),
  refund_bank: textOrNull(row, 'refund_bank'),
  refund_account_masked: textOrNull(row, 'refund_account_masked'),
  refund_secret: textOrNull(row, 'refund_secret'),
  idempotency_key: textOrNull(row, 'idempotency_key'),
  grant_subject: text(row, 'grant_subject'),
  created_at: num(row, 'created_at'),
  decided_at: numOrNull(row, 'decided_at'),
  decided_by: textOrNull(row, 'decided_by'),
  reject_reason: textOrNull(row, 'reject_reason'),
  allow_new_request: num(row, 'allow_new_request') === 1,
  approved_amount: numOrNull(row, 'approved_amount'),
  note: textOrNull(row, 'note'),
  attempt_id: textOrNull(row, 'attempt_id'),
  error_code: textOrNull(row, 'error_code'),
  approvals: num(row, 'approvals'),
  tax_free_amount: numOrNull(row, 'tax_free_amount'),
  vat_amount: numOrNull(row, 'vat_amount'),
  updated_at: num(row, 'updated_at'),
  grant_jti: textOrNull(row, 'grant_jti'),
  grant_max_amount: numOrNull(row, 'grant_max_amount'),
  imp_uid: textOrNull(row, 'imp_uid'),
  cancels_seen: idsOrNull(row, 'cancels_seen'),
});

/** A JSON array of strings (cancels_seen), or null; anything else in the column is a broken ledger. */
const idsOrNull = (row: SqlRow, column: string): readonly string[] | null => {
  const raw = textOrNull(row, column);
  if (raw === null) return null;
  const ids: unknown = JSON.parse(raw);
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string'))
    throw new Error(`store: ${column} is not a list of ids`);
  return ids;
};

/** PostgreSQL's unique_violation, or SQLite's. */
const isUniqueViolation = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
};

type Change = Parameters<RequestStore['transitionRequest']>[1] & { readonly attempt_id?: string };

/** A move's parameters, in transitionOf()'s order; `id` fills its target when that is a placeholder. */
const transitionParams = (change: Change, id: string | null): SqlValue[] => [
  change.to,
  change.to,
  change.decided_at ?? null,
  change.decided_by ?? null,
  change.reject_reason ?? null,
  change.allow_new_request === undefined ? null : change.allow_new_request ? 1 : 0,
  change.approved_amount ?? null,
  change.note ?? null,
  change.to,
  change.attempt_id ?? null,
  change.to,
  change.error_code ?? null,
  ERASING.includes(change.to) ? 1 : 0,
  change.now,
  ...(id === null ? [] : [id]),
  change.from,
  change.to,
  change.round ?? null,
  change.round ?? null,
];

const transitionIn = async (tx: SqlExecutor, id: string, change: Change): Promise<RefundRequestRecord | null> => {
  const [row] = await tx.query(requestSql.transition, transitionParams(change, id));
  return row ? decodeRequest(row) : null;
};

/** The move an attempt's end makes its request (approved), or null: an unknown outcome leaves it approved. */
const settleChange = (attemptId: string, finish: AttemptFinish): Change | null => {
  if (finish.outcome === 'unknown') return null;
  const to = nextStatus('approved', finish.outcome === 'succeeded' ? 'refund_succeeded' : 'refund_failed');
  if (!to) return null;
  return {
    from: 'approved',
    to,
    now: finish.finished_at,
    attempt_id: attemptId,
    // A refunded request's approved_amount is what it refunded: the amount approved, or a late-applied refund of an
    // earlier approval that a later one (at another amount) took as its own (refunds/late-cancels.ts).
    ...(finish.outcome === 'succeeded'
      ? finish.refunded === null
        ? {}
        : { approved_amount: finish.refunded }
      : { error_code: finish.error_code ?? 'INTERNAL' }),
  };
};

/**
 * An approval's attempt ended: its request (approved) moves to refunded or failed in the caller's transaction, so
 * however the outcome is learned (the approval itself, a retry, the view, i'mport's webhook) the request follows.
 * An unknown outcome leaves it approved until the attempt is settled. Answers the request as moved, or null (no move).
 */
export const settleRequestIn = async (
  tx: SqlExecutor,
  requestId: string,
  attemptId: string,
  finish: AttemptFinish,
): Promise<RefundRequestRecord | null> => {
  const change = settleChange(attemptId, finish);
  return change ? transitionIn(tx, requestId, change) : null;
};

/**
 * A failed (or since rejected) request's refund recorded as applied late (BIND_LANDED_LATE_SQL bound it first, in
 * `from`): the request moves to `refunded`, for what the late refund refunded, its failure's code cleared. In the
 * caller's transaction.
 */
export const landLateIn = async (
  tx: SqlExecutor,
  requestId: string,
  from: RequestStatus,
  attemptId: string,
  finish: AttemptFinish,
): Promise<RefundRequestRecord | null> => {
  const to = nextStatus(from, 'refund_landed_late');
  if (!to || finish.outcome !== 'succeeded') return null;
  const refunded = finish.refunded === null ? {} : { approved_amount: finish.refunded };
  return transitionIn(tx, requestId, {
    from,
    to,
    now: finish.finished_at,
    attempt_id: attemptId,
    ...refunded,
  });
};

/**
 * PostgreSQL: an attempt's end, its request's move (settleRequestIn) and its event (`eventParams`, as EventWrites
 * gives them) as one statement, where they were up to four round trips one after the other: the attempt's finish
 * (statements.ts's, with its parameters) in a WITH, and the request moved and the event written only through what
 * that very UPDATE returned, so only when this statement ended the attempt. Answers whether it did, the request as
 * moved (null when there is none, or it did not move) and the event's row as written (null when none was).
 */
export const finishAndSettleIn = async (
  tx: SqlExecutor,
  finishParams: readonly SqlValue[],
  attemptId: string,
  finish: AttemptFinish,
  eventParams: readonly SqlValue[] | null = null,
): Promise<{
  readonly ended: boolean;
  readonly moved: RefundRequestRecord | null;
  readonly written: SqlRow | null;
}> => {
  const change = settleChange(attemptId, finish);
  if (!change && !eventParams) {
    return { ended: (await tx.query(sql.finishAttempt, [...finishParams])).length > 0, moved: null, written: null };
  }
  const statement = !change
    ? requestSql.finishWithEvent
    : eventParams
      ? requestSql.finishAndSettleWithEvent
      : requestSql.finishAndSettle;
  const params = [...finishParams, ...(change ? transitionParams(change, null) : []), ...(eventParams ?? [])];
  const [row] = await tx.query(statement, params);
  // The driver hands a json column over parsed: the written event's row, its columns by name as a query's are.
  const written = row?.written_event;
  return {
    ended: row !== undefined && num(row, 'ended_count') > 0,
    moved: change && row?.id != null ? decodeRequest(row) : null,
    written: written !== null && typeof written === 'object' ? (written as SqlRow) : null,
  };
};

const pageConditions = (query: RequestPageQuery): { conditions: string[]; params: SqlValue[] } => {
  const conditions: string[] = [];
  const params: SqlValue[] = [];
  const add = (condition: string, ...values: SqlValue[]) => {
    conditions.push(condition);
    params.push(...values);
  };
  if (query.status !== undefined) add('status = ?', query.status);
  if (query.merchant_uid !== undefined) add('merchant_uid = ?', query.merchant_uid);
  if (query.from !== undefined) add('created_at >= ?', query.from);
  if (query.to !== undefined) add('created_at < ?', query.to);
  if (query.after !== undefined) {
    const { created_at, id } = query.after;
    // A row value, read off the (created_at, id) index from the cursor on (as the admin refunds' cursor).
    add(query.order === 'oldest' ? '(created_at, id) > (?, ?)' : '(created_at, id) < (?, ?)', created_at, id);
  }
  return { conditions, params };
};

export const createSqlRequests = (driver: SqlDriver, writes: EventWrites): RequestStore => ({
  insertRequest: (r, event?: NewEvent) =>
    writes.transaction(async (tx, insertEvent) => {
      // Before the insert, not after: an approval of the failed request racing this one (PostgreSQL) then waits on
      // its row and finds it no longer the latest, where erasing after would wait on each other's locks (a deadlock).
      // Should no new request be written (one is open), the failed one was not its order's latest anyway.
      await tx.run(requestSql.eraseSuperseded, [r.created_at, r.merchant_uid, r.id]);
      const [row] = await tx.query(requestSql.insert, [
        r.id,
        r.merchant_uid,
        r.amount,
        r.reason,
        r.refund_bank,
        r.refund_account_masked,
        r.refund_secret,
        r.idempotency_key,
        r.grant_subject,
        r.created_at,
        r.tax_free_amount,
        r.vat_amount,
        r.created_at,
        r.grant_jti,
        r.grant_max_amount,
        r.imp_uid,
        r.cancels_seen === null ? null : JSON.stringify(r.cancels_seen),
      ]);
      if (row) {
        if (event) await insertEvent(event);
        return { created: true, request: decodeRequest(row) } as const;
      }
      const [open] = await tx.query(requestSql.open, [r.merchant_uid]);
      // Neither inserted nor open: the open one ended in between; the caller may simply ask again.
      if (!open) throw new Error(`store: request for ${r.merchant_uid} conflicted with no open request`);
      return { created: false, open: decodeRequest(open) } as const;
    }),

  async getRequest(id) {
    const [row] = await driver.query(requestSql.get, [id]);
    return row ? decodeRequest(row) : null;
  },

  async latestRequest(merchantUid) {
    const [row] = await driver.query(requestSql.latest, [merchantUid]);
    return row ? decodeRequest(row) : null;
  },

  async transitionRequest(id, change, event) {
    try {
      if (!event) return await transitionIn(driver, id, change);
      return await writes.transaction(async (tx, insertEvent) => {
        const moved = await transitionIn(tx, id, change);
        if (moved) await insertEvent(event);
        return moved;
      });
    } catch (error) {
      // A failed request approved again while the customer's new request of the order is being inserted on another
      // instance (PostgreSQL): the one-open-request index refuses the second to commit. That approval lost.
      if (change.to === 'approved' && isUniqueViolation(error)) return null;
      throw error;
    }
  },

  async claimApproval(id, claim, event) {
    const statement = CLAIMS[claim.openablePrefixes.length];
    if (statement === undefined) throw new Error('store: an approval claim takes at most two openable prefixes');
    const params = claimParams(id, claim);
    try {
      if (!event) {
        const [row] = await driver.query(statement, params);
        return row ? decodeRequest(row) : null;
      }
      return await writes.transaction(async (tx, insertEvent) => {
        const [row] = await tx.query(statement, params);
        if (!row) return null;
        const moved = decodeRequest(row);
        await insertEvent(event(moved));
        return moved;
      });
    } catch (error) {
      // As transitionRequest: a failed request approved again while the order's new request is being inserted.
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  },

  async pageRequests(query) {
    const { conditions, params } = pageConditions(query);
    const sql = requestSql.page(conditions, query.order === 'oldest' ? 'ASC' : 'DESC');
    return (await driver.query(sql, [...params, query.limit])).map(decodeRequest);
  },

  async unstartedApprovals(claimedBefore, limit) {
    return (await driver.query(requestSql.unstartedApprovals, [claimedBefore, limit])).map(decodeRequest);
  },
});
