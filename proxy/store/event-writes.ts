/**
 * @module createEventWrites(): how the SQL store writes outbox events inside the transactions that record what they
 * tell of (or, on PostgreSQL, inside the one statement that records it: inStatement). When this process delivers
 * webhooks, its dispatcher takes new events straight from their write: each is written already held by the
 * dispatcher and handed to it once its write has committed, so the first delivery needs no claim (a write of its
 * own: on SQLite a commit, on PostgreSQL a round trip). An event whose hand-over is lost with the process is the same
 * as one held by a process that died: another instance (or a restart) claims it once the hold runs out.
 */
import { connectionGone } from './connection-gone.ts';
import type { LedgerClock } from './ledger-clock.ts';
import type { EventTaker, NewEvent, OutboxEvent } from './outbox.ts';
import { outboxSql } from './outbox-statements.ts';
import { decodeEvent } from './row-decoders.ts';
import type { SqlDriver, SqlExecutor, SqlRow, SqlValue } from './sql-driver.ts';

/**
 * Runs a write (a transaction, or one statement), again when it fails: two writers giving one order the same next
 * sequence at once makes one of them fail on UNIQUE (merchant_uid, sequence), and that one only has to read the
 * sequence again. Not when the connection was lost (connection-gone.ts): the write may have committed, its answer
 * lost, and run again it finds its own work done and takes it for another's (an approval's claim, made, answered as
 * overtaken: the request left `approved` with nothing sent). That failure is the caller's, as the ledger failing after
 * a commit always is.
 */
const withRetry = async <T>(write: () => Promise<T>): Promise<T> => {
  for (let tries = 1; ; tries += 1) {
    try {
      return await write();
    } catch (error) {
      if (tries >= 3 || connectionGone(error)) throw error;
    }
  }
};

/** Writes an event inside the transaction; false when its dedupe_key was already written. */
export type InsertEvent = (event: NewEvent) => Promise<boolean>;

export interface EventWrites {
  /** A transaction, retried (withRetry), whose `insertEvent` writes events; the taker gets them after the commit. */
  transaction<T>(fn: (tx: SqlExecutor, insertEvent: InsertEvent) => Promise<T>): Promise<T>;
  /**
   * One statement that writes `event` in its own WITH (PostgreSQL), where transaction() needs a transaction of several
   * round trips: `run` gets the event's parameters (held for the taker, as transaction() writes them) and answers the
   * event's row if it wrote one, which the taker gets once the statement has returned. Again when it fails, as there.
   */
  inStatement<T>(
    event: NewEvent,
    run: (eventParams: SqlValue[]) => Promise<{ readonly value: T; readonly written: SqlRow | null }>,
  ): Promise<T>;
  /** Who takes new events from now on (null: nobody; they wait, unheld, for a claim). */
  setTaker(taker: EventTaker | null): void;
}

interface Hold {
  readonly by: string;
  readonly until: number;
}

/** The hold a new event is written under: the taker's, from now (each try anew), or none without a taker. */
const holdFor = (hand: EventTaker | null): Hold | null => (hand ? { by: hand.holder, until: hand.heldUntil() } : null);

/** The insert's parameters; the hold's end is written on the ledger's clock, as a claim judges it (sql-outbox.ts). */
const eventParams = (event: NewEvent, held: Hold | null, clock: LedgerClock): SqlValue[] => [
  event.id,
  event.type,
  event.merchant_uid,
  event.dedupe_key,
  JSON.stringify(event.data),
  event.created_at,
  event.created_at,
  event.created_at,
  held?.by ?? null,
  held ? clock.at(held.until) : null,
  event.merchant_uid,
];

export const createEventWrites = (driver: SqlDriver, clock: LedgerClock): EventWrites => {
  let taker: EventTaker | null = null;
  return {
    async transaction(fn) {
      const hand = taker;
      let written: OutboxEvent[] = [];
      const { value, held } = await withRetry(() =>
        driver.transaction(async (tx) => {
          written = []; // a retried transaction wrote nothing the first time
          const held = holdFor(hand);
          const value = await fn(tx, async (event) => {
            const [row] = await tx.query(outboxSql.insertEvent, eventParams(event, held, clock));
            if (row) written.push(decodeEvent(row));
            return row !== undefined;
          });
          return { value, held };
        }),
      );
      if (hand && held && written.length > 0) hand.take(written, held.until);
      return value;
    },
    async inStatement(event, run) {
      const hand = taker;
      const { outcome, held } = await withRetry(async () => {
        const held = holdFor(hand);
        return { outcome: await run(eventParams(event, held, clock)), held };
      });
      if (hand && held && outcome.written) hand.take([decodeEvent(outcome.written)], held.until);
      return outcome.value;
    },
    setTaker(next) {
      taker = next;
    },
  };
};
