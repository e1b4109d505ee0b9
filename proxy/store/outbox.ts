/**
 * @module The ledger's outbox for merchant webhooks: events written beside the outcomes they tell of, held by one
 * instance at a time while it delivers them, and every delivery attempt. Times are epoch ms from the caller.
 */

export type EventType =
  | 'refund.succeeded'
  | 'refund.failed'
  | 'vbank.revoked'
  | 'payment.cancelled_externally'
  | 'attention.needed'
  | 'refund_request.created'
  | 'refund_request.withdrawn'
  | 'refund_request.approved'
  | 'refund_request.rejected'
  | 'refund_request.failed';
export type EventStatus = 'pending' | 'delivered' | 'failed';

/** An event as it is first written; the store gives it its per-order `sequence` in the same transaction. */
export interface NewEvent {
  readonly id: string;
  readonly type: EventType;
  readonly merchant_uid: string;
  /** The body's `data`, without `sequence`. */
  readonly data: Readonly<Record<string, unknown>>;
  readonly created_at: number;
  /** One event per fact: a second event with the same key is not written. Null: no such check. */
  readonly dedupe_key: string | null;
}

export interface OutboxEvent {
  readonly id: string;
  readonly type: EventType;
  readonly merchant_uid: string;
  /** Per order, from 1. */
  readonly sequence: number;
  readonly data: Readonly<Record<string, unknown>>;
  readonly created_at: number;
  readonly status: EventStatus;
  /** Delivery rounds since it was (re)queued. */
  readonly attempts: number;
  readonly next_attempt_at: number;
  readonly delivered_at: number | null;
}

/** One POST of an event to one URL. `status` is the HTTP status, null when there was none (timeout, refused). */
export interface DeliveryAttempt {
  readonly url: string;
  readonly attempted_at: number;
  readonly status: number | null;
  readonly latency_ms: number;
  readonly error: string | null;
}

export interface Delivery extends DeliveryAttempt {
  readonly id: string;
  readonly event_id: string;
}

/** How a delivery round ended for an event: delivered, due again at a time, or given up on. */
/** One event's round: what its POSTs met, and how the round ended. */
export interface Round {
  readonly eventId: string;
  readonly deliveries: readonly DeliveryAttempt[];
  readonly end: RoundEnd;
}

export type RoundEnd =
  | { readonly status: 'delivered'; readonly at: number }
  | { readonly status: 'pending'; readonly next_attempt_at: number }
  | { readonly status: 'failed'; readonly at: number };

export interface EventPage {
  readonly data: OutboxEvent[];
  /** Pass back as `cursor` for the next page; null on the last one. */
  readonly next_cursor: string | null;
}

/** The pending events: how many, and when the one waiting longest was (re)queued (null with none). */
export interface PendingEvents {
  readonly count: number;
  readonly oldest_queued_at: number | null;
}

/**
 * What needed an operator's attention, as the key it is flagged under once (and the attention event's dedupe_key):
 * an attempt left unsettled too long, an event failed after its last retry.
 */
export const attentionKey = {
  attempt: (attemptId: string) => `attention:attempt:${attemptId}`,
  event: (eventId: string) => `attention:event:${eventId}`,
} as const;

/** Who takes new events straight from their write (this process's dispatcher), holding them from the start. */
export interface EventTaker {
  readonly holder: string;
  /** When a hold taken now runs out (epoch ms, on the taker's clock). */
  heldUntil(): number;
  /** Events just committed, each held by `holder` until `heldUntil`: deliver them. Called after the commit only. */
  take(events: readonly OutboxEvent[], heldUntil: number): void;
}

export interface OutboxStore {
  /** Writes an event unless its dedupe_key was written before; true when written. */
  insertEvent(event: NewEvent): Promise<boolean>;
  /**
   * From now on, every event this store object writes is written held by `taker` and handed to it after its commit,
   * so its first delivery needs no claim; null stops that (events then wait, unheld, for claimDueEvents).
   */
  handOverNewEvents(taker: EventTaker | null): void;
  /**
   * Takes up to `limit` pending events due by `now` that nobody holds (or whose holder's hold ran out), holding them
   * for `holder` until `now + holdMs`. Two callers never get the same event while its hold lasts.
   */
  claimDueEvents(holder: string, now: number, holdMs: number, limit: number): Promise<OutboxEvent[]>;
  /** Records a round's deliveries and how the round ended, and lets go of the event; ignored unless `holder` holds it. */
  finishRound(eventId: string, holder: string, deliveries: readonly DeliveryAttempt[], end: RoundEnd): Promise<boolean>;
  /**
   * finishRound() for several events at once (a delivery pass's): one write for all, each round standing or falling
   * on its own. Whether each was still held, in order.
   */
  finishRounds(holder: string, rounds: readonly Round[]): Promise<boolean[]>;
  /** The URLs that answered 2xx for this event since it was last queued (a round sends only to the others). */
  deliveredUrls(eventId: string): Promise<string[]>;
  getEvent(id: string): Promise<OutboxEvent | null>;
  /** The event written under dedupe key `key`, or null. */
  eventByDedupeKey(key: string): Promise<OutboxEvent | null>;
  /** Newest first, keyset-paginated (stable while events are added). */
  listEvents(query: { status?: EventStatus; limit: number; cursor?: string | null }): Promise<EventPage>;
  /** One order's events, by their sequence. */
  listOrderEvents(merchantUid: string): Promise<OutboxEvent[]>;
  /** Oldest first. */
  listDeliveries(eventId: string): Promise<Delivery[]>;
  /** A failed or delivered event goes out again (same id) from `now`; false when there is none or it is pending. */
  redeliver(id: string, now: number): Promise<boolean>;

  pendingEvents(): Promise<PendingEvents>;
  /**
   * Failed events not yet flagged (attentionKey.event), oldest first; never an `attention.needed` event itself. With
   * `failedSince` (epoch ms), only those given up at or after it, which the ledger reads without going over every
   * failed event; events failed before their failure time was written (an earlier release) count as failed at 0.
   */
  failedEventsToFlag(limit: number, failedSince?: number): Promise<OutboxEvent[]>;
  /**
   * Flags `key` as having needed attention at `at` and, with `event`, writes that event in the same transaction.
   * True only for the call that flagged it: of several instances, one writes the event and logs. With `only`, only
   * while what it tells of still stands: the attempt unsettled, the event failed (another request or instance may have
   * settled the attempt, or staff sent the event again, since it was listed; nobody is then told of it).
   */
  flagAttention(key: string, at: number, event: NewEvent | null, only?: AttentionCondition): Promise<boolean>;
}

/** What must still hold for an attention flag to be written (OutboxStore.flagAttention). */
export type AttentionCondition = { readonly unsettledAttempt: string } | { readonly failedEvent: string };
