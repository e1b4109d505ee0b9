/**
 * @module The ledger's interface: the proxy's copy of each payment, the audit of every refund attempt,
 * idempotency records and per-order leases. Implemented once over SQL for SQLite and PostgreSQL.
 * All times are UNIX epoch milliseconds computed by the caller (the clock is injected, never read here).
 */
import type { Payment } from '../payments/payment.ts';
import type { NewEvent, OutboxStore } from './outbox.ts';
import type { RefundRequestRecord, RequestStore } from './requests.ts';

export type StoreBackend = 'sqlite' | 'postgres';

/**
 * The proxy's copy of one payment (its own type, mapped from the gateway's answer in proxy/gateways/<name>/). Its
 * `imp_uid` column holds the gateway's payment id, whichever gateway runs.
 */
export type PaymentRecord = Payment;

export interface StoredPayment extends PaymentRecord {
  /** Set when an i'mport call's outcome is unknown: the next use must re-fetch before trusting this row. */
  readonly needs_sync: boolean;
  readonly updated_at: number;
}

export type AttemptOutcome = 'succeeded' | 'rejected' | 'failed' | 'unknown';

/** One refund attempt as first written: what was asked and what the proxy was about to send. */
export interface AttemptStart {
  readonly id: string;
  readonly merchant_uid: string;
  readonly imp_uid: string | null;
  /** The amount asked for; null when the request left it out (everything that remains). */
  readonly requested_amount: number | null;
  /** What was (or would have been) sent to i'mport: amount and checksum. */
  readonly amount: number | null;
  readonly checksum: number | null;
  readonly reason: string;
  readonly refund_bank: string | null;
  /** Never the full number: e.g. `****8400`. */
  readonly refund_account_masked: string | null;
  readonly grant_subject: string;
  readonly grant_jti: string | null;
  readonly client_ip: string | null;
  readonly origin: string | null;
  readonly idempotency_key: string | null;
  readonly started_at: number;
  /** The refund request whose approval this attempt carries out; its end moves the request (store/requests.ts). */
  readonly request_id?: string | null;
  /** Who approved that request (an admin key's id). */
  readonly approved_by?: string | null;
  /**
   * The approval round (the request's `approvals`) this attempt carries out; not stored. With it, insertAttempt writes
   * the attempt only while its request is still `approved` in that round with no attempt bound, and binds it there.
   */
  readonly request_round?: number;
  /**
   * For a late refund recorded on a request that stands `failed` (refunds/late-approvals.ts), instead of
   * `request_round`: the round the request was read failed in; not stored. insertAttempt writes it only while the
   * request is still failed in that round, and moves the request to `refunded`.
   */
  readonly failed_round?: number;
  /**
   * The account-holder check made before this attempt (holders/holder-check.ts): `verified`, `mismatch`,
   * `unavailable`, `not_offered` or `off`; null when the refund took no account (no check).
   */
  readonly holder_check?: string | null;
  /**
   * The attempt of the same request that was settled as not made, whose refund the gateway applied late after all:
   * this attempt records that refund (it sent nothing itself).
   */
  readonly late_of?: string | null;
  /**
   * The order's lease the attempt is about to be sent under (refunds/lease.ts); not stored. With it, insertAttempt
   * (without `finish`) writes the attempt only while the ledger has that lease this holder's, and answers false
   * otherwise: another instance took the order once this one lost it, and nothing may be sent.
   */
  readonly lease?: { readonly name: string; readonly holder: string };
}

/** How an attempt ended. Written once; an `unknown` outcome may later be settled to `succeeded` or `failed`. */
export interface AttemptFinish {
  readonly outcome: AttemptOutcome;
  readonly error_code: string | null;
  readonly iamport_code: number | null;
  readonly iamport_message: string | null;
  /** The cancel_history entry this attempt produced, when it succeeded. */
  readonly cancellation_id: string | null;
  readonly refunded: number | null;
  readonly iamport_ms: number | null;
  readonly finished_at: number;
}

/** An attempt as stored: its start, and its end fields, all null while it runs. */
export type Attempt = AttemptStart & { readonly [K in keyof AttemptFinish]: AttemptFinish[K] | null };

export interface IdempotencyRecord {
  readonly key: string;
  readonly merchant_uid: string;
  /** SHA-256 of the canonical request, so the same key with another body is caught. */
  readonly request_hash: string;
  /** `pending` while the request runs (or its outcome is unknown); `done` once an answer is stored. */
  readonly state: 'pending' | 'done';
  readonly attempt_id: string | null;
  readonly response_status: number | null;
  readonly response_body: string | null;
  readonly created_at: number;
}

/** Which attempts Store.pageAttempts returns: every filter is optional; newest first, by (started_at, id). */
export interface AttemptPageQuery {
  readonly merchant_uid?: string;
  /** An outcome, or `open` for attempts that have not ended (outcome still null). */
  readonly outcome?: AttemptOutcome | 'open';
  /** started_at >= from (epoch ms). */
  readonly from?: number;
  /** started_at < to (epoch ms). */
  readonly to?: number;
  /** Only attempts strictly after this position in the order (older, or as old with a smaller id). */
  readonly after?: { readonly started_at: number; readonly id: string };
  readonly limit: number;
}

/**
 * Told the refund request an attempt's end moved (to refunded or failed), as the move's own statement returned it, after
 * its transaction committed: an approval answers with it instead of reading the request again. Called synchronously
 * before the write resolves; it must not throw (the write has committed by then).
 */
export type RequestSettled = (request: RefundRequestRecord) => void;
/**
 * The event to write with a move of a request to `failed` that no refund event tells of (an attempt's end written
 * without `event`: nothing reached the gateway, or it did not happen), in the move's own transaction.
 */
export type RequestFailedEvent = (request: RefundRequestRecord) => NewEvent;

/** A lease to take (see Store.acquireLease). */
export interface LeaseRequest {
  readonly name: string;
  readonly holder: string;
  readonly ttlMs: number;
  readonly now: number;
}

/** What claiming an Idempotency-Key needs. */
export type KeyClaim = Pick<IdempotencyRecord, 'key' | 'merchant_uid' | 'request_hash' | 'created_at'>;

/** What a refund reads of its order once it holds the order's lease. */
export interface OrderSnapshot {
  readonly payment: StoredPayment | null;
  /** Oldest first. */
  readonly attempts: Attempt[];
  /** The key as claimIdempotencyKey answers for it, when a claim was asked for. */
  readonly key: { readonly record: IdempotencyRecord; readonly created: boolean } | null;
  /** The id of the order's open refund request (requested or approved), if it has one: it refunds only through it. */
  readonly openRequestId: string | null;
}

export interface Store extends OutboxStore, RequestStore {
  readonly backend: StoreBackend;

  /** Applies pending schema migrations; safe to call from several processes at once. */
  migrate(): Promise<void>;
  /** Resolves when the database answers; rejects when it cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;

  /**
   * The payment for an order: the one the order is tied to (the first paid or cancelled payment the ledger learned of
   * for its merchant_uid); with none tied yet, a ready one, then the newest.
   */
  getPayment(merchantUid: string): Promise<StoredPayment | null>;
  getPaymentByImpUid(impUid: string): Promise<StoredPayment | null>;
  /**
   * The currency of each of these orders the ledger has a payment for: its payment's, the one getPayment gives (the
   * lists' rows carry none).
   */
  orderCurrencies(merchantUids: readonly string[]): Promise<ReadonlyMap<string, string>>;
  /** The currency of each of these payments the ledger has (a refund attempt's own, by its imp_uid). */
  paymentCurrencies(impUids: readonly string[]): Promise<ReadonlyMap<string, string>>;
  /**
   * Inserts or updates by imp_uid and clears needs_sync. An update that would lower cancel_amount, or bring a payment
   * back to `ready`, is ignored (the ledger never moves backwards). A paid or cancelled payment ties its order when none is tied yet, or when the
   * tied one failed or was refunded in full; otherwise it is kept beside the tied one and never shown for the order.
   * Returns the row as stored afterwards.
   */
  upsertPayment(payment: PaymentRecord, now: number): Promise<StoredPayment>;
  /** The imp_uid an order is tied to, or null while none is. */
  tiedImpUid(merchantUid: string): Promise<string | null>;
  markNeedsSync(impUid: string, now: number): Promise<void>;

  /**
   * Takes the named lease for ttlMs if it is free or expired; false when someone else holds it.
   * Works across processes and across instances sharing one database.
   */
  acquireLease(name: string, holder: string, ttlMs: number, now: number): Promise<boolean>;
  /**
   * Extends the named lease to now + ttlMs only if `holder` has held it all along as far as the ledger shows: false when
   * another holder has it, or its row is gone (released by another holder that took it meanwhile, or purged). Unlike
   * acquireLease, never takes a lease that is free.
   */
  renewLease(name: string, holder: string, ttlMs: number, now: number): Promise<boolean>;
  releaseLease(name: string, holder: string): Promise<void>;
  /** Deletes leases that expired before `before` (a held lease is renewed long before); returns how many. */
  purgeExpiredLeases(before: number): Promise<number>;
  /**
   * Takes a lease as acquireLease does and, in the same trip to the database and only once it is taken, claims
   * `claim`'s key (as claimIdempotencyKey) and reads the order's payment and attempts; null when another holder has
   * the lease. All of it is read after the lease was taken, so it includes everything the previous holder wrote.
   */
  takeOrder(lease: LeaseRequest, merchantUid: string, claim: KeyClaim | null): Promise<OrderSnapshot | null>;

  /**
   * Appends an attempt. With `finish`, the attempt is written already ended (a local refusal). An attempt's end moves
   * its request (request_id), when it has one, in the same transaction (here and in finishAttempt); `settled` is then
   * told the request as that move left it, once committed. A move to `failed` writes `failedEvent`'s event with it.
   * An approval's attempt (`request_round`), ended or not, is written only while its request is `approved` in that
   * round with no attempt bound, and bound to it in the same transaction; false when it was not written (the approval
   * was overtaken: its request failed as never begun, and perhaps approved again), when nothing may be sent for it.
   * A late refund recorded ended (`late_of`, succeeded) with `failed_round` binds instead to a request `failed` in that
   * round that the attempt it is late of was one of (its own refund, applied late), which then moves to `refunded`
   * (refunds/late-approvals.ts).
   * With `finish` and `event`, the event is written to the outbox in the same transaction (a refund the gateway applied
   * late, recorded ended: cancel.ts), and only if the attempt was.
   */
  insertAttempt(
    start: AttemptStart,
    finish?: AttemptFinish,
    settled?: RequestSettled,
    failedEvent?: RequestFailedEvent,
    event?: NewEvent,
  ): Promise<boolean>;
  /**
   * Ends an attempt whose outcome is null or `unknown`; a finished attempt is never rewritten. Returns false then.
   * With `event`, the event is written to the outbox in the same transaction, and only if the attempt was ended here.
   * `settled` as for insertAttempt; `failedEvent` too, when there is no `event` (which then tells of the move itself).
   */
  finishAttempt(
    id: string,
    finish: AttemptFinish,
    event?: NewEvent,
    settled?: RequestSettled,
    failedEvent?: RequestFailedEvent,
  ): Promise<boolean>;
  getAttempt(id: string): Promise<Attempt | null>;
  /** All attempts for an order, oldest first. */
  listAttempts(merchantUid: string): Promise<Attempt[]>;
  /**
   * One page of attempts across orders, newest first by (started_at, id), keyset-paginated: a page read from
   * `after` never repeats nor skips a row that existed when the previous page was read, whatever was inserted since.
   */
  pageAttempts(query: AttemptPageQuery): Promise<Attempt[]>;

  /** Attempts not ended, or ended with an unknown outcome (both wait to be settled). */
  countUnsettledAttempts(): Promise<number>;
  /**
   * Unsettled attempts started before `startedBefore` and not yet flagged (attentionKey.attempt), oldest first; of
   * those the gateway accepted to finish later (a cancellation id, PortOne V2's REQUESTED), only the ones started before
   * `acceptedStartedBefore` (`startedBefore` unless given).
   */
  unsettledAttemptsToFlag(startedBefore: number, limit: number, acceptedStartedBefore?: number): Promise<Attempt[]>;
  /**
   * Up to `limit` orders, picked at random, with an attempt unsettledAttemptsToFlag(startedBefore, …,
   * acceptedStartedBefore) would list.
   */
  unsettledOrdersToLook(startedBefore: number, acceptedStartedBefore: number, limit: number): Promise<string[]>;
  /** Up to `limit` orders, picked at random, with an attempt still unsettled after it was told of (flagged). */
  toldUnsettledOrders(limit: number): Promise<string[]>;
  /**
   * Up to `limit` payment rows, picked at random, marked for a re-read (needs_sync) and last written before
   * `markedBefore`: each with its order, as an order may have had more than one payment. Reads every payment (no index
   * has the mark): for an hourly look, not a frequent one.
   */
  markedPaymentsToLook(
    markedBefore: number,
    limit: number,
  ): Promise<{ readonly merchant_uid: string; readonly imp_uid: string }[]>;
  /**
   * Up to `limit` payments, picked at random, with a refund begun at or after `startedSince` that got no answer and
   * was settled from what the gateway showed: a cancel the gateway applied later than it could still be running it may
   * land on them yet. Each with its order. Read off the index of attempts by outcome and start, for an hourly look.
   * First those settled as not made (ended `failed` with UPSTREAM_UNAVAILABLE and no cancellation, at least `windowMs`
   * after it began: late-cancels.ts settledUnanswered) whose late refund no later attempt has taken (late_of); then
   * those settled as made (`succeeded` with no gateway code, not a late refund taken): the entry that settled one may
   * have been a console cancel in the same words, and its own cancel may land beside it.
   */
  unansweredRefundsToLook(
    startedSince: number,
    windowMs: number,
    limit: number,
  ): Promise<{ readonly merchant_uid: string; readonly imp_uid: string }[]>;

  /** Inserts a pending record unless the key exists; returns the record now stored and whether this call made it. */
  claimIdempotencyKey(record: KeyClaim): Promise<{ record: IdempotencyRecord; created: boolean }>;
  setIdempotencyAttempt(key: string, attemptId: string): Promise<void>;
  /** Stores the answer for a key and marks it done. */
  completeIdempotencyKey(key: string, status: number, body: string): Promise<void>;
  /**
   * Deletes records created before `before`, but for one whose attempt is unsettled or ended at or after `before`;
   * returns how many.
   */
  purgeIdempotencyKeys(before: number): Promise<number>;
}
