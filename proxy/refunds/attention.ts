/**
 * @module createAttention(): tells the operator, once, of what will not fix itself: a refund attempt still unsettled
 * ATTENTION_AFTER seconds after it started (and after a look at its order, which settles most; a cancel the gateway
 * accepted to finish later, only a week after it started, or ATTENTION_AFTER when that is longer), and a merchant
 * event marked failed after its last retry; each only while it still stands when flagged. It also ends, as failed, an
 * approval whose refund never began (failUnstartedApprovals), which would otherwise wait for staff to decide again.
 * Each is an `attention.needed` event to the merchant's webhook (when configured) and a warn log line, flagged in the
 * ledger so that neither repeats, across restarts and instances. Run from the entries' background schedule, never on
 * the refund path.
 */
import type { Log } from '../log-line.ts';
import { type AttentionCondition, attentionKey, type NewEvent, type OutboxEvent } from '../store/outbox.ts';
import type { Attempt, Store } from '../store/store.ts';
import { eventId } from '../webhooks/events.ts';
import type { WebhookSink } from './deps.ts';

/** ATTENTION_AFTER's default, for a proxy built without it (tests); config.ts reads the variable. */
export const DEFAULT_ATTENTION_AFTER_SECONDS = 600;

/** How often the background schedule looks for attempts left unsettled (it ticks more often than that). */
export const ATTENTION_CHECK_INTERVAL_MS = 30_000;

/**
 * How long a cancel the gateway accepted to finish later (PortOne V2's REQUESTED: a virtual account's refund is a
 * transfer of one or two business days) may stay unfinished before anyone is told: it is not stuck, the gateway has it
 * and will say how it ends. Told after ATTENTION_AFTER, every such refund would page an operator for nothing.
 */
const ACCEPTED_ATTENTION_AFTER_MS = 7 * 24 * 3600 * 1000;

/** How many of each a check handles; the rest wait for the next check. */
const BATCH = 100;

/**
 * How far before its previous check a check reads the events given up: an event is told of as it fails (eventFailed),
 * so a check only catches one whose telling was lost (its instance stopped just after marking it, or the ledger
 * failed then), on this instance or another whose clock may differ from this one's. A process's first check reads
 * every failed event not told of, so an older one is told at the next start.
 */
const FAILED_LOOKBACK_MS = 3600 * 1000;

/**
 * How often a check also looks at orders whose row was marked for a re-read and left so: a gateway webhook's look cut
 * short (its wait for an order a refund held ended at a shutdown, or on Workers with the request), or a lookup that
 * failed, where the mark is the only trace of what the gateway said changed (a cancel made in its console, untold).
 * Hourly, by the clock's hours: the ledger has no index on the mark, so each look reads every payment, and a count kept
 * in memory would look again at each start (on Workers, each new isolate's first cron).
 */
const MARKED_LOOK_EVERY_MS = 3600 * 1000;

/** The first part of each hour in which a check looks (checks come every 30 s on Node, each minute on Workers' cron). */
const MARKED_LOOK_WITHIN_MS = 2 * 60 * 1000;

/**
 * How long after a refund that got no answer began the hourly look reads its payment again, when it was settled as not
 * made, or as made by a cancel its history showed (a console cancel in the same words may have been that one): a
 * gateway that applies a cancel past the time it could still be running it (late-cancels.ts) tells nobody (i'mport
 * notifies of no cancel made through its API), and the customer may never look again, so without it that refund
 * would reach the shop only with the order's next look. Told then as a cancel made elsewhere, as a view would.
 */
const LATE_LOOK_FOR_MS = 24 * 3600 * 1000;

/** How many orders a check looks at (at the gateway) before telling of their attempts; the rest wait for the next. */
const LOOKS_PER_CHECK = 10;

/** Marked rows read for each hourly look, of which another gateway's are set aside (a few bytes a row, once an hour). */
const MARKED_READ_PER_LOOK = 10;

export interface AttentionDeps {
  readonly store: Pick<
    Store,
    | 'unsettledAttemptsToFlag'
    | 'unsettledOrdersToLook'
    | 'toldUnsettledOrders'
    | 'markedPaymentsToLook'
    | 'unansweredRefundsToLook'
    | 'failedEventsToFlag'
    | 'flagAttention'
  >;
  /** Epoch ms. */
  readonly now: () => number;
  readonly randomId: () => string;
  readonly log: Log;
  /** ATTENTION_AFTER in ms. */
  readonly afterMs: number;
  /** The merchant webhooks when configured: attention events are written and delivered; null: the log line only. */
  readonly webhooks: WebhookSink | null;
  /**
   * Settles what a look at an order can (refunds' settleOrder): an attempt that got no answer and that the gateway
   * shows, or could no longer be running, is settled by it and needs nobody's attention. Never rejects.
   */
  readonly settle?: (merchantUid: string, impUid?: string) => Promise<'looked' | 'busy'>;
  /**
   * Whether a payment row is the running gateway's (Gateway.owns): another's, kept in the ledger across a switch, stays
   * marked for good, as nothing here may ask about it, so it is not picked for the hourly look. All are, unless given.
   */
  readonly owns?: (payment: { readonly imp_uid: string; readonly merchant_uid: string }) => boolean;
  /**
   * How long after it started an unanswered change can still be running at the gateway (Gateway.changeMayRunForMs):
   * an unsettled attempt's order is looked at from then on even when ATTENTION_AFTER is longer, so a refund whose
   * answer was lost (a crash) is settled, and its refund.succeeded written, without waiting to be told of.
   */
  readonly lookAfterMs?: () => number;
  /**
   * Moves approvals that ended before their refund began, ten minutes on, to `failed` (requests' failUnstartedApprovals,
   * at most `limit`); resolves with how many moved. Each writes its own event (refund_request.failed).
   */
  readonly failUnstartedApprovals?: (limit: number) => Promise<number>;
}

export interface Attention {
  /** Looks for what needs attention now, unless the last look was less than ATTENTION_CHECK_INTERVAL_MS ago. */
  due(): Promise<void>;
  /** Looks now. Never rejects: a failure is logged and left for the next look. */
  check(): Promise<void>;
  /** An event was just marked failed after its last retry. Never rejects. */
  eventFailed(event: OutboxEvent): Promise<void>;
}

/** What `attention.needed` carries (README.md, "Merchant webhooks"); every key is present, unused ones null. */
type AttentionData = {
  readonly reason: 'attempt_unsettled' | 'event_failed';
  readonly merchant_uid: string;
  readonly imp_uid: string | null;
  readonly attempt_id: string | null;
  readonly event_id: string | null;
  readonly event_type: string | null;
  /** The attempt's outcome so far: null (never recorded: it stopped mid-call) or `unknown`. */
  readonly outcome: string | null;
  /** When the attempt started, or the failed event was written (ISO 8601). */
  readonly since: string;
};

const stringOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);

const attemptData = (attempt: Attempt): AttentionData => ({
  reason: 'attempt_unsettled',
  merchant_uid: attempt.merchant_uid,
  imp_uid: attempt.imp_uid,
  attempt_id: attempt.id,
  event_id: null,
  event_type: null,
  outcome: attempt.outcome,
  since: new Date(attempt.started_at).toISOString(),
});

const eventData = (event: OutboxEvent): AttentionData => ({
  reason: 'event_failed',
  merchant_uid: event.merchant_uid,
  imp_uid: stringOrNull(event.data.imp_uid),
  attempt_id: stringOrNull(event.data.attempt_id),
  event_id: event.id,
  event_type: event.type,
  outcome: null,
  since: new Date(event.created_at).toISOString(),
});

export const createAttention = (deps: AttentionDeps): Attention => {
  const { store, log } = deps;

  /**
   * Flags one fact; the one call that flags it writes the event (in the same transaction) and the log line; only
   * while it still stands (`only`): an attempt may have been settled, an event sent again, since it was listed.
   */
  const tell = async (key: string, data: AttentionData, only: AttentionCondition): Promise<boolean> => {
    const now = deps.now();
    const event: NewEvent | null = deps.webhooks
      ? {
          id: eventId(deps.randomId),
          type: 'attention.needed',
          merchant_uid: data.merchant_uid,
          data,
          created_at: now,
          dedupe_key: key,
        }
      : null;
    if (!(await store.flagAttention(key, now, event, only))) return false;
    log({ level: 'warn', msg: 'attention needed', ...data, ...(event ? { event: event.id } : {}) });
    return true;
  };

  const guarded = async (what: string, work: () => Promise<boolean>): Promise<void> => {
    try {
      if (await work()) deps.webhooks?.kick();
    } catch (error) {
      log({ level: 'error', msg: 'attention check failed', what, error: String(error) });
    }
  };

  /** Read by a check: every failed event not told of (undefined) until a check has seen them all, then the recent. */
  let failedSince: number | undefined;
  let lastMarkedHour = Number.NaN;

  const check = () =>
    guarded('sweep', async () => {
      let told = false;
      const now = deps.now();
      const before = now - deps.afterMs;
      const acceptedBefore = now - Math.max(deps.afterMs, ACCEPTED_ATTENTION_AFTER_MS);
      const toFlag = () => store.unsettledAttemptsToFlag(before, BATCH, acceptedBefore);
      const { settle } = deps;
      // Looked at from the sooner of ATTENTION_AFTER and the end of the time the gateway may still be running it.
      const lookBefore = now - Math.min(deps.afterMs, deps.lookAfterMs?.() ?? deps.afterMs);
      let attempts = await toFlag();
      const orders = [...new Set(attempts.map((a) => a.merchant_uid))].slice(0, LOOKS_PER_CHECK);
      // Before ATTENTION_AFTER, orders picked at random fill the looks left: oldest first, the same few an early look
      // cannot settle (a PayPal cancel awaiting approval) would be looked at every check, and the others never.
      if (settle && lookBefore > before && orders.length < LOOKS_PER_CHECK) {
        for (const uid of await store.unsettledOrdersToLook(lookBefore, acceptedBefore, LOOKS_PER_CHECK))
          if (orders.length < LOOKS_PER_CHECK && !orders.includes(uid)) orders.push(uid);
      }
      if (settle && orders.length > 0) {
        // Looked at first, as a customer's view would: only what that look cannot settle is told. A few orders a check,
        // together, so a gateway that hangs holds the background pass for one timeout, not one per order; an order
        // whose lease was held (a refund or another look running) is told of at a later check, once looked at.
        const looks = await Promise.all(orders.map(async (uid) => [uid, await settle(uid)] as const));
        const looked = new Set(looks.flatMap(([uid, how]) => (how === 'looked' ? [uid] : [])));
        attempts = (await toFlag()).filter((a) => looked.has(a.merchant_uid));
      }
      for (const attempt of attempts)
        told =
          (await tell(attentionKey.attempt(attempt.id), attemptData(attempt), { unsettledAttempt: attempt.id })) ||
          told;
      // Told of once, an attempt is still looked at: what the gateway could not say then (it was down, or the cancel
      // could still be running) it may say now, and nobody else may look at the order for days. Nothing is told again.
      if (settle) await Promise.all((await store.toldUnsettledOrders(LOOKS_PER_CHECK)).map((uid) => settle(uid)));
      // Marked rows left so past the time a change could still be running (a refund marks its own while it runs), looked
      // at as a view would: the copy read again, a cancel made elsewhere told (payment.cancelled_externally).
      const hour = Math.floor(now / MARKED_LOOK_EVERY_MS);
      if (settle && now % MARKED_LOOK_EVERY_MS < MARKED_LOOK_WITHIN_MS && hour !== lastMarkedHour) {
        lastMarkedHour = hour;
        const markedBefore = now - (deps.lookAfterMs?.() ?? deps.afterMs);
        // More read than looked at, so rows of another gateway's payments (which stay marked) do not take the looks.
        const marked = (await store.markedPaymentsToLook(markedBefore, LOOKS_PER_CHECK * MARKED_READ_PER_LOOK))
          .filter((payment) => deps.owns?.(payment) ?? true)
          .slice(0, LOOKS_PER_CHECK);
        // Each payment by name: an order's older payment left marked is read as its own webhook would read it.
        await Promise.all(marked.map((payment) => settle(payment.merchant_uid, payment.imp_uid)));
        // Refunds of the last day settled with no answer, whose cancel may land yet (LATE_LOOK_FOR_MS), likewise.
        const windowMs = deps.lookAfterMs?.() ?? deps.afterMs;
        const unanswered = (
          await store.unansweredRefundsToLook(now - LATE_LOOK_FOR_MS, windowMs, LOOKS_PER_CHECK * MARKED_READ_PER_LOOK)
        )
          .filter((payment) => deps.owns?.(payment) ?? true)
          .slice(0, LOOKS_PER_CHECK);
        await Promise.all(unanswered.map((payment) => settle(payment.merchant_uid, payment.imp_uid)));
      }
      // A failed event whose own attention was lost (the process stopped right after marking it) is told here.
      // Every 30 s over every failed event would read a ledger's whole history of them: once all are told of, only the
      // ones given up lately are read (off the due index).
      const failed = deps.webhooks ? await store.failedEventsToFlag(BATCH, failedSince) : [];
      for (const event of failed) {
        told = (await tell(attentionKey.event(event.id), eventData(event), { failedEvent: event.id })) || told;
      }
      if (failed.length < BATCH) failedSince = now - FAILED_LOOKBACK_MS;
      return told;
    });

  /** A check, then the approvals whose refund never began: apart, so that one failing does not keep back the other. */
  const checkAll = async (): Promise<void> => {
    await check();
    const { failUnstartedApprovals } = deps;
    if (failUnstartedApprovals) await guarded('approvals', async () => (await failUnstartedApprovals(BATCH)) > 0);
  };

  let lastCheck = Number.NEGATIVE_INFINITY;
  return {
    async due() {
      const now = deps.now();
      if (now - lastCheck < ATTENTION_CHECK_INTERVAL_MS) return;
      lastCheck = now;
      await checkAll();
    },
    check: checkAll,
    eventFailed: (event) =>
      // An attention.needed event that failed asks for no more attention: there is nobody further to tell.
      event.type === 'attention.needed'
        ? Promise.resolve()
        : guarded('event', () => tell(attentionKey.event(event.id), eventData(event), { failedEvent: event.id })),
  };
};
