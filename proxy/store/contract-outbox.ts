/** @module Store contract, the webhook outbox: events beside outcomes, held by one instance at a time, every attempt. */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { aFinish, anAttempt, aRequest, type StorePair, T0, unique } from './contract-fixtures.ts';
import type { NewEvent, OutboxEvent } from './outbox.ts';

const anEvent = (overrides: Partial<NewEvent> = {}): NewEvent => ({
  id: unique('msg'),
  type: 'refund.succeeded',
  merchant_uid: unique('order'),
  data: { amount: 10_000, reason: '단순 변심' },
  created_at: T0,
  dedupe_key: null,
  ...overrides,
});

export function outboxContract(stores: () => StorePair): void {
  describe('webhook outbox', () => {
    before(() => stores().a.migrate());

    it('numbers events per order from 1 and writes one event per dedupe key', async () => {
      const { a, b } = stores();
      const order = unique('order');
      const first = anEvent({ merchant_uid: order, dedupe_key: unique('fact') });
      assert.equal(await a.insertEvent(first), true);
      assert.equal(await b.insertEvent({ ...anEvent({ merchant_uid: order }), dedupe_key: first.dedupe_key }), false);
      const second = anEvent({ merchant_uid: order, type: 'payment.cancelled_externally' });
      assert.equal(await b.insertEvent(second), true);
      const stored = await a.getEvent(second.id);
      assert.deepEqual(stored, {
        id: second.id,
        type: 'payment.cancelled_externally',
        merchant_uid: order,
        sequence: 2,
        data: second.data,
        created_at: T0,
        status: 'pending',
        attempts: 0,
        next_attempt_at: T0,
        delivered_at: null,
      });
      assert.equal((await a.getEvent(first.id))?.sequence, 1);
    });

    it('finds an event by its dedupe key, from any instance', async () => {
      const { a, b } = stores();
      const event = anEvent({ dedupe_key: unique('external') });
      assert.equal(await a.insertEvent(event), true);
      assert.equal((await b.eventByDedupeKey(event.dedupe_key!))?.id, event.id);
      assert.equal(await b.eventByDedupeKey(unique('external')), null);
    });

    it("writes an attempt's event only when that call ended the attempt, in the same transaction", async () => {
      const { a, b } = stores();
      const start = anAttempt();
      await a.insertAttempt(start);
      const event = anEvent({ merchant_uid: start.merchant_uid, dedupe_key: `attempt:${start.id}` });
      assert.equal(await a.finishAttempt(start.id, aFinish(), event), true);
      const again = anEvent({ merchant_uid: start.merchant_uid });
      assert.equal(await b.finishAttempt(start.id, aFinish(), again), false);
      assert.equal((await a.getEvent(event.id))?.status, 'pending');
      assert.equal(await a.getEvent(again.id), null);
    });

    it("writes an attempt recorded ended with its event, both or neither (an approval's, only in its round)", async () => {
      const { a, b } = stores();
      const plain = anAttempt();
      const told = anEvent({ merchant_uid: plain.merchant_uid, dedupe_key: `attempt:${plain.id}` });
      assert.equal(await a.insertAttempt(plain, aFinish(), undefined, undefined, told), true);
      assert.equal((await b.getAttempt(plain.id))?.outcome, 'succeeded');
      assert.equal((await b.getEvent(told.id))?.status, 'pending');
      const request = aRequest();
      await a.insertRequest(request);
      await a.transitionRequest(request.id, { from: 'requested', to: 'approved', now: T0 + 1 });
      const order = { merchant_uid: request.merchant_uid, request_id: request.id };
      const stale = anAttempt({ ...order, request_round: 2 });
      const notTold = anEvent({ merchant_uid: order.merchant_uid });
      assert.equal(await b.insertAttempt(stale, aFinish(), undefined, undefined, notTold), false, 'another round');
      assert.equal(await a.getEvent(notTold.id), null, 'nor its event');
      const own = anAttempt({ ...order, request_round: 1 });
      const event = anEvent({ merchant_uid: order.merchant_uid, dedupe_key: `attempt:${own.id}` });
      assert.equal(await b.insertAttempt(own, aFinish(), undefined, undefined, event), true);
      assert.equal((await a.getRequest(request.id))?.status, 'refunded');
      assert.equal((await a.getEvent(event.id))?.type, 'refund.succeeded');
    });

    it("writes an approval's refund event with its request's move, and numbers one order's racing ends 1 and 2", async () => {
      const { a, b } = stores();
      const order = unique('order');
      const request = unique('req');
      await a.insertRequest(aRequest({ id: request, merchant_uid: order }));
      await a.transitionRequest(request, { from: 'requested', to: 'approved', now: T0 + 1 });
      const approved = anAttempt({ merchant_uid: order, request_id: request });
      const plain = anAttempt({ merchant_uid: order });
      await a.insertAttempt(approved);
      await b.insertAttempt(plain);
      const events = [approved, plain].map((start) =>
        anEvent({ merchant_uid: order, dedupe_key: `attempt:${start.id}` }),
      );
      const moved: string[] = [];
      const ended = await Promise.all([
        a.finishAttempt(approved.id, aFinish(), events[0], (r) => moved.push(r.status)),
        b.finishAttempt(plain.id, aFinish(), events[1]),
      ]);
      assert.deepEqual(ended, [true, true]);
      assert.deepEqual(moved, ['refunded'], 'the request moved, and was told once');
      assert.equal((await b.getRequest(request))?.status, 'refunded');
      const written = await Promise.all(events.map((event) => b.getEvent(event.id)));
      assert.deepEqual(written.map((event) => event?.sequence).sort(), [1, 2], 'both written, numbered apart');
      // An end that ends nothing writes no event, and moves nothing.
      const late = anEvent({ merchant_uid: order });
      assert.equal(await b.finishAttempt(approved.id, aFinish(), late, (r) => moved.push(r.status)), false);
      assert.equal(await a.getEvent(late.id), null);
      assert.deepEqual(moved, ['refunded']);
    });

    it("writes a request's failed event with an end that fails it and has no event of its own, and only then", async () => {
      const { a, b } = stores();
      const order = unique('order');
      const request = aRequest({ merchant_uid: order });
      await a.insertRequest(request);
      const approve = { from: 'requested', to: 'approved', now: T0 + 1 } as const;
      await a.transitionRequest(request.id, approve);
      const failedEvents: NewEvent[] = [];
      const failedEvent = (moved: { status: string }) => {
        const event = anEvent({ merchant_uid: order, type: 'refund_request.failed', data: { status: moved.status } });
        failedEvents.push(event);
        return event;
      };
      // Not sent (nothing reached the gateway): the request fails, and its event is written with the end.
      const unsent = anAttempt({ merchant_uid: order, request_id: request.id });
      await b.insertAttempt(unsent);
      const notSent = aFinish({ outcome: 'failed', error_code: 'UPSTREAM_UNAVAILABLE' });
      assert.equal(await b.finishAttempt(unsent.id, notSent, undefined, undefined, failedEvent), true);
      assert.equal((await a.getRequest(request.id))?.status, 'failed');
      assert.equal((await a.getEvent(failedEvents[0]!.id))?.type, 'refund_request.failed');
      // Approved again, refused by a check of ours before anything was sent: written already ended, the same.
      await a.transitionRequest(request.id, { ...approve, from: 'failed', now: T0 + 2 });
      const refused = anAttempt({ merchant_uid: order, request_id: request.id });
      const local = aFinish({ outcome: 'rejected', error_code: 'INVALID_REQUEST' });
      await a.insertAttempt(refused, local, undefined, failedEvent);
      assert.equal((await b.getEvent(failedEvents[1]!.id))?.data.status, 'failed');
      // Approved again and refunded: no failure, nothing asked for; an end with its own event tells of itself.
      await a.transitionRequest(request.id, { ...approve, from: 'failed', now: T0 + 3 });
      const refunded = anAttempt({ merchant_uid: order, request_id: request.id });
      await a.insertAttempt(refunded);
      await b.finishAttempt(refunded.id, aFinish(), undefined, undefined, failedEvent);
      assert.equal((await a.getRequest(request.id))?.status, 'refunded');
      assert.equal(failedEvents.length, 2);
      const plain = anAttempt({ merchant_uid: order });
      await a.insertAttempt(plain);
      await a.finishAttempt(plain.id, notSent, undefined, undefined, failedEvent);
      assert.equal(failedEvents.length, 2, 'an attempt of no request moves none');
    });

    it('hands new events to a taker after their commit, already held by it, and writes later ones unheld once it is gone', async () => {
      const { a, b } = stores();
      const taken: OutboxEvent[][] = [];
      const holds: number[] = [];
      a.handOverNewEvents({
        holder: 'taker-a',
        heldUntil: () => T0 + 20_000,
        take: (events, heldUntil) => {
          taken.push([...events]);
          holds.push(heldUntil);
        },
      });
      try {
        const start = anAttempt();
        await a.insertAttempt(start);
        const event = anEvent({ merchant_uid: start.merchant_uid, dedupe_key: `attempt:${start.id}` });
        assert.equal(await a.finishAttempt(start.id, aFinish(), event), true);
        assert.deepEqual(
          taken.map((events) => events.map((e) => [e.id, e.sequence, e.attempts, e.status])),
          [[[event.id, 1, 0, 'pending']]],
          'handed over once, as written',
        );
        assert.deepEqual(holds, [T0 + 20_000], 'with the end of its hold');
        // Not written again (its dedupe_key stands), so nothing is handed over.
        assert.equal(await a.insertEvent({ ...anEvent(), dedupe_key: event.dedupe_key }), false);
        assert.equal(taken.length, 1);
        // Held by the taker: nobody claims it while the hold lasts, and the taker's round ends it.
        assert.ok(!(await b.claimDueEvents('other', T0 + 19_999, 20_000, 1000)).some((e) => e.id === event.id));
        const end = { status: 'delivered', at: T0 + 10 } as const;
        assert.equal(await b.finishRound(event.id, 'other', [], end), false, 'another holder cannot end it');
        assert.equal(await b.finishRound(event.id, 'taker-a', [], end), true);
        assert.equal((await b.getEvent(event.id))?.status, 'delivered');
      } finally {
        a.handOverNewEvents(null);
      }
      const later = anEvent({ created_at: T0 - 10_000_000 });
      await a.insertEvent(later);
      assert.equal(taken.length, 1, 'no taker, no hand-over');
      assert.ok(
        (await b.claimDueEvents('other', T0, 20_000, 1000)).some((e) => e.id === later.id),
        'written unheld',
      );
    });

    it('lets another instance claim a handed-over event once its hold ran out (its taker died)', async () => {
      const { a, b } = stores();
      a.handOverNewEvents({ holder: 'taker-dead', heldUntil: () => T0 + 20_000, take: () => undefined });
      const event = anEvent({ created_at: T0 });
      try {
        await a.insertEvent(event);
      } finally {
        a.handOverNewEvents(null);
      }
      assert.ok(!(await b.claimDueEvents('other', T0 + 20_000, 20_000, 1000)).some((e) => e.id === event.id));
      assert.ok((await b.claimDueEvents('other', T0 + 20_001, 20_000, 1000)).some((e) => e.id === event.id));
    });

    it('holds a due event for one instance at a time, and lets another take it once the hold ran out', async () => {
      const { a, b } = stores();
      const event = anEvent({ created_at: T0 - 10_000_000 });
      await a.insertEvent(event);
      const now = T0;
      const [mineA, mineB] = await Promise.all([
        a.claimDueEvents('holder-a', now, 20_000, 1000),
        b.claimDueEvents('holder-b', now, 20_000, 1000),
      ]);
      const holders = [mineA, mineB].filter((rows) => rows.some((e) => e.id === event.id));
      assert.equal(holders.length, 1, 'exactly one instance holds the event');
      const later = await b.claimDueEvents('holder-b', now + 20_001, 20_000, 1000);
      assert.ok(
        later.some((e) => e.id === event.id),
        'taken over after the hold expired',
      );
      // The first holder's round is refused now that it lost the event.
      const first = mineA.length > 0 ? 'holder-a' : 'holder-b';
      const end = { status: 'delivered', at: now } as const;
      if (first !== 'holder-b') assert.equal(await a.finishRound(event.id, first, [], end), false);
    });

    it('holds no more events than asked for in one claim', async () => {
      const { a } = stores();
      for (let i = 0; i < 3; i += 1) await a.insertEvent(anEvent({ created_at: T0 - 10_000_000 }));
      const held = await a.claimDueEvents('holder-few', T0, 20_000, 2);
      assert.equal(held.length, 2);
    });

    it("records a round's deliveries, retries when due, and redelivers a delivered or failed event", async () => {
      const { a, b } = stores();
      const event = anEvent({ created_at: T0 - 20_000_000 });
      await a.insertEvent(event);
      const mine = await a.claimDueEvents('h1', T0, 20_000, 1000);
      assert.ok(mine.some((e) => e.id === event.id));
      const refused = {
        url: 'https://one.example/hook',
        attempted_at: T0,
        status: null,
        latency_ms: 3,
        error: 'ECONNREFUSED',
      };
      const took = { url: 'https://two.example/hook', attempted_at: T0, status: 204, latency_ms: 4.5, error: null };
      assert.equal(
        await a.finishRound(event.id, 'h1', [refused, took], { status: 'pending', next_attempt_at: T0 + 5000 }),
        true,
      );
      assert.deepEqual(await b.deliveredUrls(event.id), ['https://two.example/hook']);
      assert.equal(
        (await b.claimDueEvents('h2', T0 + 4999, 20_000, 1000)).some((e) => e.id === event.id),
        false,
      );
      assert.ok((await b.claimDueEvents('h2', T0 + 5000, 20_000, 1000)).some((e) => e.id === event.id));
      assert.equal(await b.finishRound(event.id, 'h2', [], { status: 'failed', at: T0 }), true);
      const failed = await a.getEvent(event.id);
      assert.equal(failed?.status, 'failed');
      assert.equal(failed?.attempts, 2);
      const deliveries = await a.listDeliveries(event.id);
      assert.deepEqual(
        deliveries.map(({ id: _id, ...d }) => d),
        [refused, took].map((d) => ({ ...d, event_id: event.id })),
      );

      assert.equal(await a.redeliver(event.id, T0 + 9000), true);
      assert.equal(await a.redeliver(event.id, T0 + 9000), false, 'a pending event is not queued twice');
      assert.deepEqual(await b.deliveredUrls(event.id), [], 'a redelivered event goes to every URL again');
      const again = await b.claimDueEvents('h3', T0 + 9000, 20_000, 1000);
      assert.ok(again.some((e) => e.id === event.id));
      assert.equal(await b.finishRound(event.id, 'h3', [], { status: 'delivered', at: T0 + 9001 }), true);
      assert.equal((await a.getEvent(event.id))?.delivered_at, T0 + 9001);
      assert.equal(await a.redeliver(event.id, T0 + 9500), true, 'a delivered event goes out again');
      const requeued = await b.getEvent(event.id);
      assert.deepEqual([requeued?.status, requeued?.delivered_at], ['pending', null], 'pending, not delivered');
      assert.equal(await a.redeliver(unique('msg'), T0), false);
    });

    it("records a pass's rounds in one write, each on its own: a round whose hold was lost is not ended", async () => {
      const { a, b } = stores();
      const [one, two, three] = [anEvent(), anEvent(), anEvent()];
      for (const e of [one, two, three]) await a.insertEvent({ ...e, created_at: T0 - 30_000_000 });
      const held = (await a.claimDueEvents('pass', T0, 20_000, 1000)).map((e) => e.id);
      assert.ok([one, two, three].every((e) => held.includes(e.id)));
      const attempt = (url: string, status: number | null) => ({
        url,
        attempted_at: T0 + 1,
        status,
        latency_ms: 2,
        error: status === 204 ? null : 'HTTP 500',
      });
      const kept = await b.finishRounds('pass', [
        {
          eventId: one.id,
          deliveries: [attempt('https://one.example/a', 204), attempt('https://one.example/b', 204)],
          end: { status: 'delivered', at: T0 + 2 },
        },
        { eventId: two.id, deliveries: [], end: { status: 'pending', next_attempt_at: T0 + 5000 } },
        { eventId: three.id, deliveries: [attempt('https://one.example/a', 500)], end: { status: 'failed', at: T0 } },
      ]);
      assert.deepEqual(kept, [true, true, true]);
      const stored = await Promise.all([one, two, three].map((e) => a.getEvent(e.id)));
      assert.deepEqual(
        stored.map((e) => [e?.status, e?.attempts]),
        [
          ['delivered', 1],
          ['pending', 1],
          ['failed', 1],
        ],
      );
      assert.equal((await a.listDeliveries(one.id)).length, 2);
      assert.equal((await a.listDeliveries(three.id))[0]?.status, 500);
      // Held by nobody now: a late round from that holder ends nothing (its attempt is still recorded).
      const late = await a.finishRounds('pass', [
        {
          eventId: two.id,
          deliveries: [attempt('https://one.example/a', 204)],
          end: { status: 'delivered', at: T0 + 3 },
        },
      ]);
      assert.deepEqual(late, [false]);
      assert.equal((await b.getEvent(two.id))?.status, 'pending');
      assert.equal((await b.listDeliveries(two.id)).length, 1);
      assert.deepEqual(await a.finishRounds('pass', []), []);
    });

    it('ends, in one call, only the rounds of events the holder still holds, and records every delivery', async () => {
      const { a, b } = stores();
      // Due before anything else in the shared database, so the claims below take these two and nothing else.
      const [lost, kept] = [anEvent({ created_at: 1 }), anEvent({ created_at: 2 })];
      for (const e of [lost, kept]) await a.insertEvent(e);
      const slow = await a.claimDueEvents('slow', 2, 20_000, 2);
      assert.deepEqual(
        slow.map((e) => e.id),
        [lost.id, kept.id],
      );
      // The slow pass outlived its hold: another took the first event over.
      const taken = await b.claimDueEvents('other', 20_003, 20_000, 1);
      assert.deepEqual(
        taken.map((e) => e.id),
        [lost.id],
      );
      const delivered = (eventId: string) => ({
        eventId,
        deliveries: [{ url: 'https://one.example/a', attempted_at: 20_004, status: 204, latency_ms: 3, error: null }],
        end: { status: 'delivered', at: 20_005 } as const,
      });
      assert.deepEqual(await a.finishRounds('slow', [delivered(lost.id), delivered(kept.id)]), [false, true]);
      assert.deepEqual(
        [(await b.getEvent(lost.id))?.status, (await b.getEvent(kept.id))?.status],
        ['pending', 'delivered'],
      );
      assert.equal((await b.getEvent(kept.id))?.delivered_at, 20_005);
      assert.deepEqual(
        (await b.listDeliveries(lost.id)).map((d) => [d.status, d.latency_ms]),
        [[204, 3]],
      );
      assert.equal((await b.listDeliveries(kept.id)).length, 1);
      assert.equal(await b.finishRound(lost.id, 'other', [], { status: 'delivered', at: 20_006 }), true);
    });

    it("lists one order's events by their sequence, and no other order's", async () => {
      const { a, b } = stores();
      const order = unique('order');
      const events = [anEvent({ merchant_uid: order }), anEvent({ merchant_uid: order })];
      for (const event of events) await a.insertEvent(event);
      await a.insertEvent(anEvent());
      const listed = await b.listOrderEvents(order);
      assert.deepEqual(
        listed.map((e) => [e.id, e.sequence]),
        [
          [events[0]!.id, 1],
          [events[1]!.id, 2],
        ],
      );
      assert.deepEqual(await b.listOrderEvents(unique('order')), []);
    });

    it('lists events newest first by status, with a cursor that stays put while events are added', async () => {
      const { a, b } = stores();
      const ids: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        const event = anEvent();
        ids.push(event.id);
        await a.insertEvent(event);
      }
      const first = await b.listEvents({ status: 'pending', limit: 2 });
      assert.deepEqual(
        first.data.map((e) => e.id),
        [ids[4], ids[3]],
      );
      await a.insertEvent(anEvent());
      const second = await b.listEvents({ status: 'pending', limit: 2, cursor: first.next_cursor });
      assert.deepEqual(
        second.data.map((e) => e.id),
        [ids[2], ids[1]],
      );
      const none = await b.listEvents({ status: 'delivered', limit: 500 });
      assert.ok(none.data.every((e) => e.status === 'delivered'));
    });
  });
}
