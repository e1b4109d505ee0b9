/**
 * @module The merchant webhooks' events in the admin API: `GET /admin/events` (newest first, by status, keyset
 * pages), `POST /admin/events/:id/redeliver` (a failed or delivered event goes out again with the same webhook-id),
 * and the rows that show an event with its deliveries. Times are UNIX seconds, as everywhere in the API.
 */
import { AppError } from '../errors.ts';
import { shownUrl } from '../net/url-query.ts';
import type { Delivery, EventStatus, OutboxEvent } from '../store/outbox.ts';
import { DEFAULT_LIMIT, limitOf, singleParameters } from './query.ts';

const STATUSES: readonly EventStatus[] = ['pending', 'failed', 'delivered'];

export interface EventsQuery {
  readonly status?: EventStatus;
  readonly limit: number;
  readonly cursor: string | null;
}

/** The query of GET /admin/events, each problem named by its parameter. */
export const parseEventsQuery = (queries: Record<string, string[]>): EventsQuery => {
  const one = singleParameters(queries, ['status', 'limit', 'cursor'] as const);
  if (one.status !== undefined && !(STATUSES as readonly string[]).includes(one.status)) {
    throw new AppError('INVALID_REQUEST', `status must be one of ${STATUSES.join(', ')}`);
  }
  // The outbox's cursor is a position in its table: digits, as next_cursor gave them, and a position a ledger's
  // integer holds (a larger one reached PostgreSQL as an error, answered 503 as if the ledger were down).
  if (one.cursor !== undefined && !(/^\d{1,16}$/.test(one.cursor) && Number(one.cursor) <= Number.MAX_SAFE_INTEGER)) {
    throw new AppError('INVALID_REQUEST', 'cursor is not one this API gave (pass next_cursor back as it came)');
  }
  return {
    ...(one.status === undefined ? {} : { status: one.status as EventStatus }),
    limit: one.limit === undefined ? DEFAULT_LIMIT : limitOf(one.limit),
    cursor: one.cursor ?? null,
  };
};

const seconds = (ms: number | null): number | null => (ms === null ? null : Math.floor(ms / 1000));

/** An event as the admin API shows it; `next_attempt_at` only while it is pending. */
export const eventRow = (event: OutboxEvent) => ({
  id: event.id,
  type: event.type,
  merchant_uid: event.merchant_uid,
  sequence: event.sequence,
  status: event.status,
  attempts: event.attempts,
  created_at: seconds(event.created_at),
  next_attempt_at: event.status === 'pending' ? seconds(event.next_attempt_at) : null,
  delivered_at: seconds(event.delivered_at),
  data: { ...event.data, sequence: event.sequence },
});

/** One POST of an event: when, where, the HTTP status (null for a timeout or a refused connection), why it failed. */
export const deliveryRow = (delivery: Delivery) => ({
  id: delivery.id,
  url: shownUrl(delivery.url),
  attempted_at: seconds(delivery.attempted_at),
  status: delivery.status,
  latency_ms: delivery.latency_ms,
  error: delivery.error,
});
