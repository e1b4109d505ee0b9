/**
 * @module createDispatcher(): delivers the outbox's events to the merchant's URLs. A pass takes the events due now
 * (each held by this instance alone for a while, so no two instances send one at once), POSTs each, records every
 * attempt (the pass's rounds in one write), and schedules the next round or gives up after the last one. New events
 * this process writes come to it already held (handOverNewEvents), so their first round needs no claim. kick() starts
 * a pass right after a write, kept alive as the runtime keeps work after an answer; entries' timers (or Workers'
 * cron) call runDue() for retries.
 */
import type { Background } from '../background.ts';
import type { Log } from '../log-line.ts';
import { answerText } from '../net/answer-text.ts';
import { withDeadline } from '../net/deadline.ts';
import type { FetchLike } from '../net/fetch-like.ts';
import { withoutQueryOf } from '../net/url-query.ts';
import { SKEW_IGNORED_MS } from '../store/ledger-clock.ts';
import type { DeliveryAttempt, OutboxEvent, Round, RoundEnd } from '../store/outbox.ts';
import type { Store } from '../store/store.ts';
import { eventBody } from './events.ts';
import type { Signer } from './signing.ts';

/** A POST may take this long before it counts as a failed attempt. */
export const DELIVERY_TIMEOUT_MS = 15_000;
/** How many events one pass takes at most; a pass with more due runs again. */
const BATCH = 50;
/**
 * A pass this old is taken to be held by a receiver that does not answer (each POST may take DELIVERY_TIMEOUT_MS): new
 * events then go out in passes of their own beside it, at most EXTRA_PASSES at once, rather than wait for it (their
 * first round to every other URL with them). Below it, new events wait for the pass and share the next one's write.
 */
const SLOW_PASS_MS = 1_000;
/**
 * Two instances' clocks may disagree by up to twice what the ledger's clock leaves uncorrected (each up to
 * SKEW_IGNORED_MS off the server's, either way): another instance may take a hold over that much before it ends on this
 * one's clock, so a POST must end that much before it.
 */
const SKEW_MARGIN_MS = 2 * SKEW_IGNORED_MS;
const EXTRA_PASSES = 4;

export interface DispatcherOptions {
  readonly store: Pick<Store, 'claimDueEvents' | 'finishRounds' | 'deliveredUrls'> &
    Partial<Pick<Store, 'handOverNewEvents'>>;
  readonly fetch: FetchLike;
  readonly urls: readonly string[];
  readonly signer: Signer;
  /** The waits before the 2nd, 3rd, … rounds (WEBHOOK_RETRY_SCHEDULE); after the last, an event is failed. */
  readonly retryDelaysMs: readonly number[];
  readonly now: () => number;
  readonly randomId: () => string;
  readonly log: Log;
  readonly background: Background;
  readonly timeoutMs?: number;
  /** In [0, 1); jitter spreads retries of many events over ±10% of their wait. */
  readonly random?: () => number;
  /** Told of every POST: whether it was answered 2xx (the deliveries counter of /metrics). */
  readonly onDelivery?: (result: 'delivered' | 'failed_attempt') => void;
  /** An event was marked failed after its last retry (attention.needed); awaited, and never rejects. */
  readonly onFailed?: (event: OutboxEvent) => Promise<void>;
}

export interface Dispatcher {
  /** Delivers what is due now, in the background; a kick during a pass makes it run once more. */
  kick(): void;
  /** Delivers what is due now; resolves with how many events it sent (one round each). Never rejects. */
  runDue(): Promise<number>;
}

const postOnce = async (
  options: DispatcherOptions,
  url: string,
  headers: Record<string, string>,
  body: string,
): Promise<DeliveryAttempt> => {
  const attempted_at = options.now();
  const started = performance.now();
  const timeoutMs = options.timeoutMs ?? DELIVERY_TIMEOUT_MS;
  try {
    const res = await withDeadline(timeoutMs, async (signal) => {
      const answer = await options.fetch(url, { method: 'POST', headers, body, signal });
      // Read to the end so the connection can be reused; what the receiver says is not ours to interpret. An answer
      // too long to read (answer-text.ts) is left unread past its cap: its status is the receiver's answer all the same.
      await answerText(answer).catch(() => undefined);
      return answer;
    });
    const ok = res.status >= 200 && res.status < 300;
    const latency_ms = performance.now() - started;
    return { url, attempted_at, status: res.status, latency_ms, error: ok ? null : `HTTP ${res.status}` };
  } catch (error) {
    const latency_ms = performance.now() - started;
    // Only the deadline aborts a POST; each runtime's client names that its own way (Node's "AbortError: The
    // operation was aborted"), so the record says what happened, in one wording.
    const name = error instanceof Error || error instanceof DOMException ? error.name : '';
    const timedOut = name === 'TimeoutError' || name === 'AbortError';
    // A runtime's fetch error may name the URL it could not reach: the query (a receiver's token) is cut out of what
    // the ledger keeps, which the admin API and the staff console show (as they show the URL, without its query).
    const said = timedOut ? `timeout: no answer within ${timeoutMs / 1000} s` : withoutQueryOf(String(error), url);
    return { url, attempted_at, status: null, latency_ms, error: said };
  }
};

/** An event this instance holds, and when its hold runs out (epoch ms, on this instance's clock). */
interface Held {
  readonly event: OutboxEvent;
  readonly heldUntil: number;
}

/**
 * The next macrotask turn: setImmediate where the runtime has one (Node, Bun), which comes as soon as the turn's
 * answers are written; elsewhere a 0 ms timer (on Node at least 1 ms, and a wake-up of its own, for every event).
 */
const nextTurn = (): Promise<void> =>
  new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));

export const createDispatcher = (options: DispatcherOptions): Dispatcher => {
  const { store, log } = options;
  const holder = `dispatch-${options.randomId()}`;
  const random = options.random ?? Math.random;
  const timeoutMs = options.timeoutMs ?? DELIVERY_TIMEOUT_MS;
  const holdMs = timeoutMs + 5_000;

  const endOf = (event: OutboxEvent, deliveries: readonly DeliveryAttempt[], pendingUrls: number): RoundEnd => {
    const now = options.now();
    if (deliveries.filter((d) => d.error === null).length === pendingUrls) return { status: 'delivered', at: now };
    const wait = options.retryDelaysMs[event.attempts];
    if (wait === undefined) return { status: 'failed', at: now };
    return { status: 'pending', next_attempt_at: now + Math.round(wait * (0.9 + 0.2 * random())) };
  };

  /**
   * One round of an event: its POSTs (to the URLs that do not have it yet) and how the round ends; null when it was not
   * sent, its hold (until `heldUntil`, on this clock) no longer outlasting a POST.
   */
  const post = async (event: OutboxEvent, heldUntil: number): Promise<Round | null> => {
    // No round has ended since the event was (re)queued, so no URL has it yet: the usual first round reads nothing.
    const done = new Set(event.attempts === 0 ? [] : await store.deliveredUrls(event.id));
    const urls = options.urls.filter((url) => !done.has(url));
    const body = eventBody(event);
    const timestamp = Math.floor(options.now() / 1000);
    const headers = {
      'Content-Type': 'application/json',
      'webhook-id': event.id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': await options.signer.sign(event.id, timestamp, body),
    };
    // Sent only while the hold outlasts the POST's timeout: the ledger read above (or the claim before it) may have
    // waited (a busy pool, a lock) until a POST could still be in flight when the hold runs out, and the next pass, of
    // this instance or another, would claim the event and send it again beside it. Left alone, it stays held until its
    // hold runs out and is claimed then, as a new event that waited too long is (deliverHanded).
    if (options.now() + timeoutMs + SKEW_MARGIN_MS >= heldUntil) return null;
    const deliveries = await Promise.all(urls.map((url) => postOnce(options, url, headers, body)));
    for (const d of deliveries) options.onDelivery?.(d.error === null ? 'delivered' : 'failed_attempt');
    return { eventId: event.id, deliveries, end: endOf(event, deliveries, urls.length) };
  };

  /**
   * Delivers a pass's events together and records their rounds in one ledger write (under load a pass holds many:
   * one commit, or one round trip, for all of them instead of one each). The events stay held until it is written.
   * Resolves with how many were sent (one whose hold ran short is not: it is handled once claimed again).
   */
  const deliverAll = async (held: readonly Held[], by: string = holder): Promise<number> => {
    const posted = await Promise.all(held.map(({ event, heldUntil }) => post(event, heldUntil)));
    const rounds: Round[] = [];
    const events: OutboxEvent[] = [];
    for (const [i, { event }] of held.entries()) {
      const round = posted[i];
      if (round) {
        rounds.push(round);
        events.push(event);
      } else {
        log({
          level: 'warn',
          msg: 'webhook: hold ran short before its POST; sent once claimed again',
          event: event.id,
        });
      }
    }
    const kept = await store.finishRounds(by, rounds);
    for (const [i, event] of events.entries()) {
      if (!kept[i]) log({ level: 'warn', msg: 'webhook: lost hold of an event while delivering it', event: event.id });
      if (rounds[i]?.end.status === 'failed') {
        log({ level: 'warn', msg: 'webhook: event failed after its last retry', event: event.id, type: event.type });
        if (kept[i]) await options.onFailed?.(event);
      }
    }
    return rounds.length;
  };

  /** Events this process wrote, held for it since their write (handOverNewEvents): sent without a claim. */
  const handed: Held[] = [];
  const deliverHanded = async (): Promise<number> => {
    let handled = 0;
    for (let batch = handed.splice(0, BATCH); batch.length > 0; batch = handed.splice(0, BATCH)) {
      // Only while the hold outlasts a POST's timeout: one that waited here too long (passes ahead of it were slow)
      // could still be in flight when another instance claims it. Left alone, it is claimed once its hold runs out.
      const deadline = options.now() + timeoutMs + SKEW_MARGIN_MS;
      handled += await deliverAll(batch.filter((held) => deadline < held.heldUntil));
    }
    return handled;
  };

  /**
   * Each claim holds its events under a name of its own: a round recorded late (after its hold ran out) is refused
   * even when this same dispatcher has claimed the event again since, whose round may be in flight.
   */
  let claims = 0;
  const deliverDue = async (): Promise<number> => {
    let handled = 0;
    for (;;) {
      const now = options.now();
      claims += 1;
      const claimHolder = `${holder}.${claims}`;
      const due = await store.claimDueEvents(claimHolder, now, holdMs, BATCH);
      handled += await deliverAll(
        due.map((event) => ({ event, heldUntil: now + holdMs })),
        claimHolder,
      );
      if (due.length < BATCH) return handled;
    }
  };

  /** Never rejects: a pass that fails is logged, and what it held is claimed again once the hold runs out. */
  const pass = async (deliver: () => Promise<number>): Promise<number> => {
    try {
      return await deliver();
    } catch (error) {
      log({ level: 'error', msg: 'webhook: delivery pass failed', error: String(error) });
      return 0;
    }
  };

  const runDue = async (): Promise<number> => (await pass(deliverHanded)) + (await pass(deliverDue));

  let running = false;
  let again = false;
  /** When the loop's current pass began, and how many handed-only passes run beside it. */
  let passSince = 0;
  let extra = 0;
  const loop = async (): Promise<void> => {
    do {
      again = false;
      passSince = options.now();
      // A kick after a write that handed its events over needs no claim; any other kick (a redelivery) claims.
      await (handed.length > 0 ? pass(deliverHanded) : runDue());
    } while (again || handed.length > 0);
    running = false;
  };
  const kick = (): void => {
    if (running) {
      again = true;
      if (handed.length > 0 && extra < EXTRA_PASSES && options.now() - passSince >= SLOW_PASS_MS) {
        // Handed events alone: each is taken from `handed` by one pass, so none is sent twice at once.
        extra += 1;
        const beside = nextTurn()
          .then(() => pass(deliverHanded))
          .finally(() => {
            extra -= 1;
          });
        options.background.keep(beside);
      }
      return;
    }
    running = true;
    // After a macrotask turn, not now: the write that kicked is a refund's, whose answer goes out first (a
    // synchronous ledger such as SQLite would otherwise hold the event before the answer is even written).
    options.background.keep(nextTurn().then(loop));
  };
  store.handOverNewEvents?.({
    holder,
    heldUntil: () => options.now() + holdMs,
    take(events, heldUntil) {
      for (const event of events) handed.push({ event, heldUntil });
      kick();
    },
  });
  return { kick, runDue };
};
