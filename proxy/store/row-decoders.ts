/**
 * @module Turns driver rows into the ledger's types, checking every column instead of trusting a cast.
 * This is also where the dialects meet: SQLite hands back BOOLEAN as 0/1, Postgres as true/false.
 */
import * as v from 'valibot';
import type { EventStatus, EventType, OutboxEvent } from './outbox.ts';
import type { SqlRow } from './sql-driver.ts';
import type { Attempt, AttemptOutcome, IdempotencyRecord, StoredPayment } from './store.ts';

// The cancel_history column as the store wrote it from the proxy's own Cancellation (already checked on the way in).
const NonNegativeSchema = v.pipe(v.number(), v.finite(), v.minValue(0));
const CancelHistorySchema = v.array(
  v.object({
    pg_tid: v.nullish(v.string()),
    amount: NonNegativeSchema,
    cancelled_at: NonNegativeSchema,
    reason: v.nullish(v.string()),
    cancellation_id: v.nullish(v.string()),
    receipt_url: v.nullish(v.string()),
  }),
);
const OUTCOMES: readonly AttemptOutcome[] = ['succeeded', 'rejected', 'failed', 'unknown'];
const IDEMPOTENCY_STATES: readonly IdempotencyRecord['state'][] = ['pending', 'done'];

function badColumn(column: string, expected: string, value: unknown): Error {
  return new Error(`store: column ${column} should be ${expected}, got ${typeof value} ${JSON.stringify(value)}`);
}

export function text(row: SqlRow, column: string): string {
  const value = row[column];
  if (typeof value !== 'string') throw badColumn(column, 'text', value);
  return value;
}

export function textOrNull(row: SqlRow, column: string): string | null {
  return row[column] === null ? null : text(row, column);
}

export function num(row: SqlRow, column: string): number {
  const value = row[column];
  if (typeof value !== 'number') throw badColumn(column, 'a number', value);
  return value;
}

export function numOrNull(row: SqlRow, column: string): number | null {
  return row[column] === null ? null : num(row, column);
}

function bool(row: SqlRow, column: string): boolean {
  const value = row[column];
  if (typeof value === 'boolean') return value;
  if (value === 0 || value === 1) return value === 1;
  throw badColumn(column, 'a boolean', value);
}

export function oneOf<T extends string>(row: SqlRow, column: string, allowed: readonly T[]): T {
  const value = row[column];
  const found = allowed.find((candidate) => candidate === value);
  if (found === undefined) throw badColumn(column, allowed.join(' | '), value);
  return found;
}

export function decodePayment(row: SqlRow): StoredPayment {
  return {
    imp_uid: text(row, 'imp_uid'),
    merchant_uid: text(row, 'merchant_uid'),
    pay_method: text(row, 'pay_method'),
    pg_provider: text(row, 'pg_provider'),
    name: textOrNull(row, 'name'),
    amount: num(row, 'amount'),
    cancel_amount: num(row, 'cancel_amount'),
    currency: text(row, 'currency'),
    status: text(row, 'status'),
    paid_at: numOrNull(row, 'paid_at'),
    receipt_url: textOrNull(row, 'receipt_url'),
    cancel_history: v.parse(CancelHistorySchema, JSON.parse(text(row, 'cancel_history'))),
    tax_free: numOrNull(row, 'tax_free'),
    cancelled_tax_free: numOrNull(row, 'cancelled_tax_free'),
    needs_sync: bool(row, 'needs_sync'),
    updated_at: num(row, 'updated_at'),
  };
}

export function decodeAttempt(row: SqlRow): Attempt {
  return {
    id: text(row, 'id'),
    merchant_uid: text(row, 'merchant_uid'),
    imp_uid: textOrNull(row, 'imp_uid'),
    requested_amount: numOrNull(row, 'requested_amount'),
    amount: numOrNull(row, 'amount'),
    checksum: numOrNull(row, 'checksum'),
    reason: text(row, 'reason'),
    refund_bank: textOrNull(row, 'refund_bank'),
    refund_account_masked: textOrNull(row, 'refund_account_masked'),
    grant_subject: text(row, 'grant_subject'),
    grant_jti: textOrNull(row, 'grant_jti'),
    client_ip: textOrNull(row, 'client_ip'),
    origin: textOrNull(row, 'origin'),
    idempotency_key: textOrNull(row, 'idempotency_key'),
    started_at: num(row, 'started_at'),
    request_id: textOrNull(row, 'request_id'),
    approved_by: textOrNull(row, 'approved_by'),
    holder_check: textOrNull(row, 'holder_check'),
    late_of: textOrNull(row, 'late_of'),
    outcome: row.outcome === null ? null : oneOf(row, 'outcome', OUTCOMES),
    error_code: textOrNull(row, 'error_code'),
    iamport_code: numOrNull(row, 'iamport_code'),
    iamport_message: textOrNull(row, 'iamport_message'),
    cancellation_id: textOrNull(row, 'cancellation_id'),
    refunded: numOrNull(row, 'refunded'),
    iamport_ms: numOrNull(row, 'iamport_ms'),
    finished_at: numOrNull(row, 'finished_at'),
  };
}

export function decodeIdempotencyRecord(row: SqlRow): IdempotencyRecord {
  return {
    key: text(row, 'key'),
    merchant_uid: text(row, 'merchant_uid'),
    request_hash: text(row, 'request_hash'),
    state: oneOf(row, 'state', IDEMPOTENCY_STATES),
    attempt_id: textOrNull(row, 'attempt_id'),
    response_status: numOrNull(row, 'response_status'),
    response_body: textOrNull(row, 'response_body'),
    created_at: num(row, 'created_at'),
  };
}

const EVENT_TYPES: readonly EventType[] = [
  'refund.succeeded',
  'refund.failed',
  'vbank.revoked',
  'payment.cancelled_externally',
  'attention.needed',
  'refund_request.created',
  'refund_request.withdrawn',
  'refund_request.approved',
  'refund_request.rejected',
  'refund_request.failed',
];
const EVENT_STATUSES: readonly EventStatus[] = ['pending', 'delivered', 'failed'];

export function decodeEvent(row: SqlRow): OutboxEvent {
  const data: unknown = JSON.parse(text(row, 'data'));
  if (typeof data !== 'object' || data === null) throw new Error('store: column data should be a JSON object');
  return {
    id: text(row, 'id'),
    type: oneOf(row, 'type', EVENT_TYPES),
    merchant_uid: text(row, 'merchant_uid'),
    sequence: num(row, 'sequence'),
    data: data as Record<string, unknown>,
    created_at: num(row, 'created_at'),
    status: oneOf(row, 'status', EVENT_STATUSES),
    attempts: num(row, 'attempts'),
    next_attempt_at: num(row, 'next_attempt_at'),
    delivered_at: numOrNull(row, 'delivered_at'),
  };
}
