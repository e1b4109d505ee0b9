/**
 * @module Store contract, what operators watch: the counts /metrics reads, and attention flagged once per attempt
 * or event, with its event written in the same transaction.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { aFinish, anAttempt, aPayment, type StorePair, T0, unique } from './contract-fixtures.ts';
import { attentionKey, type NewEvent } from './outbox.ts';

const anEvent = (overrides: Partial<NewEvent> = {}): NewEvent => ({
  id: unique('msg'),
  type: 'refund.succeeded',
  merchant_uid: unique('order'),
  data: { amount: 10_000 },
  created_at: T0,
  dedupe_key: null,
  ...overrides,
});

/** Long before any other test's rows, so the oldest pending event is this one. */
const LONG_AGO = T0 - 900_000_000_000;

export function watchContract(stores: () => StorePair): void {
  describe('what operators watch', () => {
    before(() => stores().a.migrate());

    it('counts attempts not ended or ended unknown, and leaves out those ended for good', async () => {
      const { a, b } = stores();
      const before = await b.countUnsettledAttempts();
      const running = anAttempt();
      const unknown = anAttempt();
      const done = anAttempt();
      for (const start of [running, unknown, done]) await a.insertAttempt(start);
      await a.finishAttempt(unknown.id, aFinish({ outcome: 'unknown', refunded: null, cancellation_id: null }));
      await a.finishAttempt(done.id, aFinish());
      assert.equal(await b.countUnsettledAttempts(), before + 2);
      await a.finishAttempt(unknown.id, aFinish());
      assert.equal(await b.countUnsettledAttempts(), before + 1);
    });

    it("flags an attempt's key, with its event, only while the attempt is still unsettled (settled since it was listed)", async () => {
      const { a, b } = stores();
      const settled = anAttempt({ started_at: LONG_AGO });
      const unknown = anAttempt({ started_at: LONG_AGO });
      for (const start of [settled, unknown]) await a.insertAttempt(start);
      await a.finishAttempt(unknown.id, aFinish({ outcome: 'unknown', refunded: null, cancellation_id: null }));
      await a.finishAttempt(settled.id, aFinish());
      const told = (attempt: typeof settled, on: typeof a) =>
        on.flagAttention(
          attentionKey.attempt(attempt.id),
          T0,
          anEvent({ merchant_uid: attempt.merchant_uid, dedupe_key: attentionKey.attempt(attempt.id) }),
          { unsettledAttempt: attempt.id },
        );
      assert.equal(await told(settled, b), false, 'settled: not flagged');
      assert.deepEqual(await a.listOrderEvents(settled.merchant_uid), [], 'and no event written');
      assert.equal(await told(unknown, b), true, 'unknown is unsettled: flagged');
      assert.equal((await a.listOrderEvents(unknown.merchant_uid)).length, 1);
      assert.equal(await told(unknown, a), false, 'once');
    });

    it('lists old unsettled attempts oldest first until each is flagged, then never again', async () => {
      const { a, b } = stores();
      const older = anAttempt({ started_at: LONG_AGO });
      const old = anAttempt({ started_at: LONG_AGO + 1 });
      const fresh = anAttempt({ started_at: LONG_AGO + 10_000 });
      for (const start of [fresh, old, older]) await a.insertAttempt(start);
      const listed = await b.unsettledAttemptsToFlag(LONG_AGO + 5_000, 10);
      assert.deepEqual(
        listed.map((attempt) => attempt.id),
        [older.id, old.id],
      );
      const event = anEvent({ merchant_uid: older.merchant_uid, dedupe_key: attentionKey.attempt(older.id) });
      const [first, second] = await Promise.all([
        a.flagAttention(attentionKey.attempt(older.id), T0, event),
        b.flagAttention(attentionKey.attempt(older.id), T0, { ...event, id: unique('msg') }),
      ]);
      assert.equal([first, second].filter(Boolean).length, 1, 'flagged by one caller only');
      assert.equal((await a.listOrderEvents(older.merchant_uid)).length, 1, 'one event written with the flag');
      assert.equal(await a.flagAttention(attentionKey.attempt(old.id), T0, null), true, 'a flag without an event');
      assert.deepEqual(await b.unsettledAttemptsToFlag(LONG_AGO + 5_000, 10), []);
      // Flagged and still unsettled: their orders are the ones looked at again, each once however many attempts.
      const told = await b.toldUnsettledOrders(1000);
      assert.ok(told.includes(older.merchant_uid) && told.includes(old.merchant_uid));
      assert.ok(!told.includes(fresh.merchant_uid), 'not told of yet');
      assert.equal(new Set(told).size, told.length);
      assert.equal((await b.toldUnsettledOrders(1)).length, 1);
      await a.finishAttempt(older.id, aFinish());
      assert.ok(!(await b.toldUnsettledOrders(1000)).includes(older.merchant_uid), 'settled: not looked at again');
    });

    it('lists an attempt the gateway accepted to finish later (a cancellation id) only when it is older still', async () => {
      const { a, b } = stores();
      const base = LONG_AGO + 100_000;
      const plain = anAttempt({ started_at: base });
      const accepted = anAttempt({ started_at: base + 1 });
      for (const start of [plain, accepted]) await a.insertAttempt(start);
      await a.finishAttempt(accepted.id, aFinish({ outcome: 'unknown', refunded: null, cancellation_id: unique('c') }));
      const ours = (attempts: readonly { id: string }[]) =>
        attempts.map((attempt) => attempt.id).filter((id) => id === plain.id || id === accepted.id);
      assert.deepEqual(ours(await b.unsettledAttemptsToFlag(base + 5_000, 1000, base)), [plain.id]);
      assert.deepEqual(ours(await b.unsettledAttemptsToFlag(base + 5_000, 1000, base + 5_000)), [
        plain.id,
        accepted.id,
      ]);
      assert.deepEqual(
        ours(await b.unsettledAttemptsToFlag(base + 5_000, 1000)),
        [plain.id, accepted.id],
        'by default',
      );
      for (const { id } of [plain, accepted]) await a.flagAttention(attentionKey.attempt(id), T0, null);
    });

    it('picks orders to look at among the attempts it would list, each once', async () => {
      const { a, b } = stores();
      const base = LONG_AGO + 200_000;
      const plain = anAttempt({ started_at: base });
      const again = anAttempt({ merchant_uid: plain.merchant_uid, started_at: base + 1 });
      const accepted = anAttempt({ started_at: base + 2 });
      const later = anAttempt({ started_at: base + 10_000 });
      for (const start of [plain, again, accepted, later]) await a.insertAttempt(start);
      await a.finishAttempt(accepted.id, aFinish({ outcome: 'unknown', refunded: null, cancellation_id: unique('c') }));
      const ours = (uids: readonly string[]) =>
        uids.filter((uid) => [plain, accepted, later].some((x) => x.merchant_uid === uid)).sort();
      assert.deepEqual(ours(await b.unsettledOrdersToLook(base + 5_000, base, 1000)), [plain.merchant_uid]);
      assert.deepEqual(
        ours(await b.unsettledOrdersToLook(base + 5_000, base + 5_000, 1000)),
        [plain.merchant_uid, accepted.merchant_uid].sort(),
      );
      assert.equal((await b.unsettledOrdersToLook(base + 5_000, base + 5_000, 1)).length, 1);
      for (const { id } of [plain, again, accepted, later]) await a.flagAttention(attentionKey.attempt(id), T0, null);
      assert.deepEqual(ours(await b.unsettledOrdersToLook(base + 20_000, base + 20_000, 1000)), [], 'told of');
    });

    it('lists the payment rows marked for a re-read and last written before a time, each with its order', async () => {
      const { a, b } = stores();
      const base = LONG_AGO + 300_000;
      const [old, fresh, unmarked] = [aPayment(), aPayment(), aPayment()];
      // An older payment of `old`'s order (its first, say): a row of its own, marked on its own.
      const earlier = { ...aPayment(), merchant_uid: old.merchant_uid };
      for (const p of [earlier, old, fresh, unmarked]) await a.upsertPayment(p, base);
      await a.markNeedsSync(old.imp_uid, base + 1_000);
      await a.markNeedsSync(earlier.imp_uid, base + 2_000);
      await a.markNeedsSync(fresh.imp_uid, base + 9_000);
      const mine = [earlier, old, fresh, unmarked].map((p) => p.imp_uid);
      const ours = (rows: { merchant_uid: string; imp_uid: string }[]) =>
        rows.filter((r) => mine.includes(r.imp_uid)).sort((x, y) => x.imp_uid.localeCompare(y.imp_uid));
      const rowOf = (p: typeof old) => ({ merchant_uid: p.merchant_uid, imp_uid: p.imp_uid });
      const sorted = (...ps: (typeof old)[]) => ps.map(rowOf).sort((x, y) => x.imp_uid.localeCompare(y.imp_uid));
      assert.deepEqual(ours(await b.markedPaymentsToLook(base + 5_000, 1000)), sorted(old, earlier));
      assert.deepEqual(ours(await b.markedPaymentsToLook(base + 10_000, 1000)), sorted(old, earlier, fresh));
      assert.equal((await b.markedPaymentsToLook(base + 10_000, 1)).length, 1);
      // A copy stored clears its own row's mark (upsertPayment), not the other row's of the order.
      await a.upsertPayment(old, base + 20_000);
      assert.deepEqual(ours(await b.markedPaymentsToLook(base + 30_000, 1000)), sorted(earlier, fresh));
      for (const p of [earlier, fresh]) await a.upsertPayment(p, base + 20_000);
    });

    it('lists the payments of refunds begun since a time that got no answer: settled as not made first, then made', async () => {
      const { a, b } = stores();
      const base = LONG_AGO + 400_000;
      const WINDOW = 600_000;
      const unanswered = { outcome: 'failed', error_code: 'UPSTREAM_UNAVAILABLE', cancellation_id: null } as const;
      const settled = (start: number, end: number, overrides: Partial<Parameters<typeof anAttempt>[0]> = {}) => ({
        start: anAttempt({ started_at: start, ...overrides }),
        finish: aFinish({ ...unanswered, refunded: null, finished_at: end }),
      });
      const listed = settled(base, base + WINDOW + 5_000);
      const twice = settled(base, base + WINDOW, {
        merchant_uid: listed.start.merchant_uid,
        imp_uid: listed.start.imp_uid,
      });
      const unsent = settled(base + 10_000, base + 10_100); // a refused connection: ended at once, never sent
      const before = settled(base - 1, base + WINDOW); // begun before the time asked for
      const revocation = settled(base, base + WINDOW, { checksum: null });
      const taken = settled(base, base + WINDOW);
      const refused = {
        start: anAttempt({ started_at: base }),
        finish: aFinish({
          outcome: 'rejected',
          error_code: 'PG_PROVIDER',
          cancellation_id: null,
          refunded: null,
          finished_at: base + WINDOW,
        }),
      };
      const made = { start: anAttempt({ started_at: base }), finish: aFinish({ finished_at: base + WINDOW }) };
      // Settled as made from a copy, its answer lost: listed after those settled as not made.
      const fromCopy = {
        start: anAttempt({ started_at: base + 1 }),
        finish: aFinish({ iamport_code: null, finished_at: base + 1_000 }),
      };
      const all = [listed, twice, unsent, before, revocation, taken, refused, made, fromCopy];
      for (const { start, finish } of all) await a.insertAttempt(start, finish);
      // Its late refund taken by a later attempt of the same key (cancel.ts): nothing more can land for it.
      const lateOf = anAttempt({
        merchant_uid: taken.start.merchant_uid,
        imp_uid: taken.start.imp_uid,
        late_of: taken.start.id,
      });
      await a.insertAttempt(lateOf, aFinish({ finished_at: base + WINDOW + 1 }));
      const mine = new Set(all.map((x) => x.start.imp_uid));
      const ours = (rows: { merchant_uid: string; imp_uid: string }[]) => rows.filter((r) => mine.has(r.imp_uid));
      const row = { merchant_uid: listed.start.merchant_uid, imp_uid: listed.start.imp_uid };
      const copyRow = { merchant_uid: fromCopy.start.merchant_uid, imp_uid: fromCopy.start.imp_uid };
      for (let i = 0; i < 5; i += 1) {
        const rows = ours(await b.unansweredRefundsToLook(base, WINDOW, 1000));
        assert.deepEqual(rows, [row, copyRow], 'once per payment, those settled as not made first');
      }
      assert.deepEqual(ours(await b.unansweredRefundsToLook(base + WINDOW + 5_001, WINDOW, 1000)), [], 'begun before');
      assert.equal((await b.unansweredRefundsToLook(base, WINDOW, 1)).length, 1);
    });

    it('counts pending events and says when the one waiting longest was queued', async () => {
      const { a, b } = stores();
      const start = await b.pendingEvents();
      const oldest = anEvent({ created_at: LONG_AGO });
      await a.insertEvent(oldest);
      await a.insertEvent(anEvent({ created_at: LONG_AGO + 1_000 }));
      assert.deepEqual(await b.pendingEvents(), { count: start.count + 2, oldest_queued_at: LONG_AGO });
      const [held] = await a.claimDueEvents('watcher', T0, 20_000, 1);
      assert.equal(held?.id, oldest.id);
      await a.finishRound(oldest.id, 'watcher', [], { status: 'delivered', at: T0 });
      assert.deepEqual(await b.pendingEvents(), { count: start.count + 1, oldest_queued_at: LONG_AGO + 1_000 });
    });

    it('lists failed events until flagged, never an attention.needed one', async () => {
      const { a, b } = stores();
      const failed = anEvent({ created_at: LONG_AGO - 2 });
      const attention = anEvent({ created_at: LONG_AGO - 1, type: 'attention.needed' });
      await a.insertEvent(failed);
      await a.insertEvent(attention);
      // Other tests' pending events may be held too: only these two are failed here.
      const held = (await a.claimDueEvents('watcher', T0, 20_000, 1000)).filter((e) => e.created_at < LONG_AGO);
      assert.deepEqual(held.map((e) => e.id).sort(), [failed.id, attention.id].sort());
      for (const event of held) await a.finishRound(event.id, 'watcher', [], { status: 'failed', at: T0 });
      const listed = (await b.failedEventsToFlag(1000)).map((e) => e.id);
      assert.ok(listed.includes(failed.id));
      assert.ok(!listed.includes(attention.id), 'an attention.needed event that failed asks for nothing more');
      // Sent again by staff since it was listed: no longer failed, so nobody is told of it (the flag is not written).
      await a.redeliver(attention.id, T0);
      const gone = await b.flagAttention(attentionKey.event(attention.id), T0, null, { failedEvent: attention.id });
      assert.equal(gone, false);
      // Failed again, as it was: no other test should find a pending event of this one's.
      const again = (await a.claimDueEvents('watcher', T0, 20_000, 1000)).filter((e) => e.id === attention.id);
      assert.equal(again.length, 1);
      await a.finishRound(attention.id, 'watcher', [], { status: 'failed', at: T0 });
      const stands = { failedEvent: failed.id };
      assert.equal(await b.flagAttention(attentionKey.event(failed.id), T0, null, stands), true);
      assert.equal(await a.flagAttention(attentionKey.event(failed.id), T0, null, stands), false);
      assert.ok(!(await b.failedEventsToFlag(1000)).some((e) => e.id === failed.id));
    });
    it('lists, with failedSince, only the events given up at or after it', async () => {
      const { a, b } = stores();
      const early = anEvent({ created_at: LONG_AGO - 20 });
      const late = anEvent({ created_at: LONG_AGO - 19 });
      await a.insertEvent(early);
      await a.insertEvent(late);
      const held = (await a.claimDueEvents('since', T0, 20_000, 1000)).filter((e) =>
        [early.id, late.id].includes(e.id),
      );
      assert.equal(held.length, 2);
      await a.finishRound(early.id, 'since', [], { status: 'failed', at: T0 + 1_000 });
      await a.finishRound(late.id, 'since', [], { status: 'failed', at: T0 + 5_000 });
      const ids = async (since?: number) => (await b.failedEventsToFlag(1000, since)).map((e) => e.id);
      assert.deepEqual(
        (await ids(T0 + 5_000)).filter((id) => id === early.id || id === late.id),
        [late.id],
      );
      assert.deepEqual(
        (await ids(T0 + 1_000)).filter((id) => id === early.id || id === late.id),
        [early.id, late.id],
      );
      assert.deepEqual(await ids(T0 + 5_001), [], 'none given up since');
      const all = await ids();
      assert.ok(all.includes(early.id) && all.includes(late.id), 'without failedSince, every failed event');
      for (const { id } of [early, late]) await a.flagAttention(attentionKey.event(id), T0, null);
    });
  });
}
