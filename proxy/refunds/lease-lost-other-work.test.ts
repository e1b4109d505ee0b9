// The same two instances as lease-lost-mid-work.test.ts (one ledger; A's lease renewals fail while a slow read from
// i'mport runs under an order's lease, so the lease runs out and B takes the order), for the other work done under an
// order's lease from such a read: the view's re-read of a marked row, a refund request, the hourly look. B refunds the
// order meanwhile; when A's read returns, A must not tell B's refund to the shop as a cancel made elsewhere, nor take
// it for a failed request's refund landed late.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ledgers, slowRead, slowReadBegun, twoInstances } from '../test-support/cut-off-instance.ts';
import { requestCalls } from '../test-support/request-calls.ts';

for (const [backend, ledger] of ledgers('lease_lost_other'))
  describe(`a lease lost while other work under it reads i'mport (${backend})`, () => {
    it("the view's re-read of a marked row does not tell B's refund as made elsewhere", {
      timeout: 60_000,
    }, async () => {
      const { a, b, fake, cut, close } = await twoInstances(await ledger());
      try {
        const p = fake.addPayment({ merchant_uid: 'LOST-V', amount: 10_000 });
        assert.equal((await a.view('LOST-V')).res.status, 200);
        // The row marked with nothing unsettled: as i'mport's webhook leaves it when it came while a refund held the
        // order (sync-from-webhook.ts), until its work after that refund re-reads it.
        await a.store.markNeedsSync(p.imp_uid, Date.now());
        // A's re-read of the payment takes 8 s to get to i'mport.
        slowRead(fake, 'payment');
        const look = a.view('LOST-V');
        await slowReadBegun(fake);
        cut(true);
        const refund = await b.cancel({ merchant_uid: 'LOST-V', cancel_request_amount: 1000, reason: 'x' });
        assert.equal(refund.res.status, 200, JSON.stringify(refund.body));
        cut(false);
        await look;
        await a.settled();
        await b.settled();
        assert.equal(fake.count('cancel'), 1);
        const events = (await b.store.listOrderEvents('LOST-V')).map((e) => e.type);
        assert.deepEqual(events, ['refund.succeeded'], "B's refund told once, as ours");
      } finally {
        await close();
      }
    });
    it("a refund request does not tell B's refund as made elsewhere, nor judge from what it read", {
      timeout: 60_000,
    }, async () => {
      const { a, b, fake, clock, cut, close } = await twoInstances(await ledger());
      try {
        fake.addPayment({ merchant_uid: 'LOST-R', amount: 30_000 });
        assert.equal((await a.view('LOST-R')).res.status, 200);
        // An earlier refund got no answer, and was settled as not made once i'mport could no longer be running it.
        fake.inject({ kind: 'drop', route: 'cancel' });
        const dropped = await a.cancel({ merchant_uid: 'LOST-R', cancel_request_amount: 8000, reason: 'first' });
        assert.equal(dropped.body.error?.code, 'REFUND_OUTCOME_UNKNOWN', JSON.stringify(dropped.body));
        clock.advance(11 * 60_000);
        assert.equal((await a.view('LOST-R')).body.cancelable_amount, 30_000, 'settled as not made');
        // The request re-reads the payment from i'mport (that refund may have applied late): 8 s to get there.
        slowRead(fake, 'payment');
        const asked = requestCalls(a).ask({ merchant_uid: 'LOST-R', cancel_request_amount: 5000, reason: 'asked' });
        await slowReadBegun(fake);
        cut(true);
        const refund = await b.cancel({ merchant_uid: 'LOST-R', cancel_request_amount: 1000, reason: 'other' });
        assert.equal(refund.res.status, 200, JSON.stringify(refund.body));
        cut(false);
        const answer = await asked;
        await a.settled();
        await b.settled();
        assert.notEqual(answer.res.status, 201, JSON.stringify(answer.body));
        assert.equal(fake.count('cancel'), 2, "the dropped one and B's");
        const events = (await b.store.listOrderEvents('LOST-R')).map((e) => e.type);
        assert.deepEqual(
          events.filter((t) => t === 'payment.cancelled_externally'),
          [],
          `B's refund is ours: ${events.join(', ')}`,
        );
      } finally {
        await close();
      }
    });
    it("the hourly look's re-read does not tell B's refund as made elsewhere", { timeout: 60_000 }, async () => {
      const { a, b, fake, clock, cut, close } = await twoInstances(await ledger());
      try {
        fake.addPayment({ merchant_uid: 'LOST-H', amount: 30_000 });
        assert.equal((await a.view('LOST-H')).res.status, 200);
        // A refund got no answer, and was settled as not made once i'mport could no longer be running it: the hourly
        // look reads its payment again for a day (its cancel may land yet).
        fake.inject({ kind: 'drop', route: 'cancel' });
        const dropped = await a.cancel({ merchant_uid: 'LOST-H', cancel_request_amount: 8000, reason: 'first' });
        assert.equal(dropped.body.error?.code, 'REFUND_OUTCOME_UNKNOWN', JSON.stringify(dropped.body));
        clock.advance(11 * 60_000);
        assert.equal((await a.view('LOST-H')).body.cancelable_amount, 30_000, 'settled as not made');
        clock.set(Math.ceil(clock.now() / 3600_000) * 3600_000 + 10_000);
        // A's hourly look: its read of the payment takes 8 s to get to i'mport.
        slowRead(fake, 'payment');
        const look = a.outbox.runDue();
        await slowReadBegun(fake);
        cut(true);
        const refund = await b.cancel({ merchant_uid: 'LOST-H', cancel_request_amount: 1000, reason: 'other' });
        assert.equal(refund.res.status, 200, JSON.stringify(refund.body));
        cut(false);
        await look;
        await a.settled();
        await b.settled();
        const events = (await b.store.listOrderEvents('LOST-H')).map((e) => e.type);
        assert.deepEqual(
          events.filter((t) => t === 'payment.cancelled_externally'),
          [],
          `B's refund is ours: ${events.join(', ')}`,
        );
      } finally {
        await close();
      }
    });
    it("the hourly look does not record B's refund as a failed request's refund landed late", {
      timeout: 60_000,
    }, async () => {
      const { a, b, fake, clock, cut, close } = await twoInstances(await ledger());
      try {
        const p = fake.addPayment({ merchant_uid: 'LOST-L', amount: 30_000 });
        assert.equal((await a.view('LOST-L')).res.status, 200);
        // A request, approved; its refund got no answer and was settled as not made: the request failed.
        const { ask, approve } = requestCalls(a);
        const asked = await ask({ merchant_uid: 'LOST-L', cancel_request_amount: 5000, reason: 'too small' });
        assert.equal(asked.res.status, 201, JSON.stringify(asked.body));
        fake.inject({ kind: 'drop', route: 'cancel' });
        await approve(asked.body.request.id);
        await a.settled();
        clock.advance(11 * 60_000);
        assert.equal((await a.view('LOST-L')).body.cancelable_amount, 30_000, 'settled as not made');
        assert.equal((await a.store.getRequest(asked.body.request.id))?.status, 'failed');
        clock.set(Math.ceil(clock.now() / 3600_000) * 3600_000 + 10_000);
        // A's hourly look: its read of the payment takes 8 s to get to i'mport.
        slowRead(fake, 'payment');
        const look = a.outbox.runDue();
        await slowReadBegun(fake);
        cut(true);
        // Meanwhile the customer refunds the same amount in the same words themselves, through B.
        const refund = await b.cancel({ merchant_uid: 'LOST-L', cancel_request_amount: 5000, reason: 'too small' });
        assert.equal(refund.res.status, 200, JSON.stringify(refund.body));
        cut(false);
        await look;
        await a.settled();
        await b.settled();
        assert.equal(fake.getPayment(p.imp_uid)!.cancel_amount, 5000, "one refund at i'mport");
        const attempts = await b.store.listAttempts('LOST-L');
        const ids = attempts.flatMap((t) =>
          t.outcome === 'succeeded' && t.cancellation_id ? [t.cancellation_id] : [],
        );
        const events = (await b.store.listOrderEvents('LOST-L')).map((e) => e.type);
        assert.deepEqual(
          { made: ids.length, request: (await b.store.getRequest(asked.body.request.id))?.status },
          { made: 1, request: 'failed' },
          `one cancel, one succeeded attempt; events: ${events.join(', ')}`,
        );
        assert.equal(events.filter((t) => t === 'refund.succeeded').length, 1, events.join(', '));
      } finally {
        await close();
      }
    });
  });
