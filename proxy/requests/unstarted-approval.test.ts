// An approval whose refund never began (the ledger failed once just after the claim, or the process stopped between
// the claim and the refund's attempt): the request is not left `approved` for good, its account kept. It ends `failed`
// (nothing was refunded), at once when the approval itself saw the failure, or once ten minutes have passed when staff
// look at it again; staff then approve it again (one refund) or reject it.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createFakePortOne } from '../gateways/portone/fake/fake-portone.ts';
import { createSqliteStore } from '../store/sqlite.ts';
import type { Store } from '../store/store.ts';
import { createClock, type Harness, PORTONE_WEBHOOK_SECRET, WEBHOOKS_ANSWERED } from '../test-support/harness.ts';
import { cancelAtIamport } from '../test-support/iamport-side.ts';
import { approveNeverBegun } from '../test-support/never-begun.ts';
import { requestCalls, vbankAsk, withRequests } from '../test-support/request-calls.ts';

let h: Harness;
afterEach(async () => h?.close());

/** A SQLite store whose next takeOrder (the refund's first write, after the approval's claim) fails once. */
const storeFailingTakeOrder = () => {
  const fault = { armed: false };
  const store: Store = new Proxy(createSqliteStore({ path: ':memory:' }), {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (prop === 'takeOrder' && fault.armed) {
        return async () => {
          fault.armed = false;
          throw new Error('connection reset');
        };
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store, fault };
};

/**
 * A SQLite store whose next claimApproval commits and then fails: its answer lost (PostgreSQL's connection dropped
 * after COMMIT), so the approval never learns that its claim landed.
 */
const storeLosingClaim = () => {
  const fault = { armed: false };
  const store: Store = new Proxy(createSqliteStore({ path: ':memory:' }), {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      if (prop !== 'claimApproval') return value.bind(target);
      return async (...args: unknown[]) => {
        const moved = await value.apply(target, args);
        if (!fault.armed) return moved;
        fault.armed = false;
        throw new Error('Connection terminated unexpectedly');
      };
    },
  });
  return { store, fault };
};

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
};

/**
 * A SQLite store that, once armed, holds the first request move (staff Y's, judged from a read of the stuck approval)
 * until another approval (staff X's) is about to write its refund's attempt: Y's move then comes after X failed the
 * request, claimed it again and began its refund.
 */
const storeRacingTwoStaff = () => {
  const armed = { on: false };
  const yAtMove = deferred();
  const yMayMove = deferred();
  const yMoved = deferred();
  let moves = 0;
  let inserts = 0;
  const store: Store = new Proxy(createSqliteStore({ path: ':memory:' }), {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      if (prop === 'transitionRequest') {
        return async (...args: unknown[]) => {
          if (!armed.on || ++moves !== 1) return value.apply(target, args);
          yAtMove.resolve();
          await yMayMove.promise;
          try {
            return await value.apply(target, args);
          } finally {
            yMoved.resolve();
          }
        };
      }
      if (prop === 'insertAttempt') {
        return async (...args: unknown[]) => {
          if (armed.on && ++inserts === 1) {
            yMayMove.resolve();
            await yMoved.promise;
          }
          return value.apply(target, args);
        };
      }
      return value.bind(target);
    },
  });
  return { store, armed, yAtMove };
};

/** A SQLite store that, once armed, holds the first call of `method` until `go` (an approval's process paused there). */
const storePausing = (method: 'insertAttempt' | 'takeOrder') => {
  const armed = { on: false };
  const reached = deferred();
  const go = deferred();
  let calls = 0;
  const store: Store = new Proxy(createSqliteStore({ path: ':memory:' }), {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      if (prop !== method) return value.bind(target);
      return async (...args: unknown[]) => {
        if (armed.on && ++calls === 1) {
          reached.resolve();
          await go.promise;
        }
        return value.apply(target, args);
      };
    },
  });
  return { store, armed, reached, go };
};

/**
 * A vbank request claimed for approval, and then nothing: the approval's first write, then its process stopped (a
 * deploy, a Worker cancelled mid-call). Its id.
 */
const claimedOnly = async (merchantUid: string) => {
  h.fake.addPayment({ merchant_uid: merchantUid, amount: 20_000, pay_method: 'vbank' });
  const id = (await requestCalls(h).ask(vbankAsk(merchantUid))).body.request.id;
  const sealed = await h.store.getRequest(id);
  const prefix = sealed!.refund_secret!.split('.').slice(0, 2).join('.');
  const claim = { now: h.clock.now(), decided_by: 'key:x', amount: null, note: null, openablePrefixes: [`${prefix}.`] };
  assert.ok(await h.store.claimApproval(id, claim));
  return id;
};

/** claimedOnly(), the clock eleven minutes on. */
const stuckApproval = async (merchantUid: string) => {
  const id = await claimedOnly(merchantUid);
  h.clock.advance(11 * 60 * 1000);
  return id;
};

describe('an approval whose refund never began', () => {
  it('the ledger failing once after the claim: the request ends failed at once, and approving again refunds once', async () => {
    const { store, fault } = storeFailingTakeOrder();
    h = await withRequests({ store });
    const calls = requestCalls(h);
    h.fake.addPayment({ merchant_uid: 'US-1', amount: 20_000, pay_method: 'vbank' });
    const id = (await calls.ask(vbankAsk('US-1'))).body.request.id;

    await approveNeverBegun(h, id, () => {
      fault.armed = true;
    });
    assert.equal((await h.store.getRequest(id))?.refund_secret, null, 'the account erased once it ended');
  });

  it("the claim's answer lost after it was written: the request ends failed at once, and approving again refunds once", async () => {
    const { store, fault } = storeLosingClaim();
    h = await withRequests({ store });
    const calls = requestCalls(h);
    h.fake.addPayment({ merchant_uid: 'US-5', amount: 20_000, pay_method: 'vbank' });
    const id = (await calls.ask(vbankAsk('US-5'))).body.request.id;
    await approveNeverBegun(h, id, () => {
      fault.armed = true;
    });
  });

  it('a process stopped between the claim and the attempt: approved while it could still be running, failed ten minutes on, then rejected', async () => {
    h = await withRequests();
    const calls = requestCalls(h);
    const id = await claimedOnly('US-2');

    h.clock.advance(5 * 60 * 1000);
    const early = await calls.approve(id);
    assert.deepEqual(
      [early.res.status, early.body.error?.code],
      [409, 'REFUND_IN_PROGRESS'],
      'it could still be running',
    );
    const earlyReject = await calls.reject(id, { reason: '다시 요청해 주세요' });
    assert.equal(earlyReject.res.status, 409);
    assert.equal((await h.store.getRequest(id))?.status, 'approved');

    h.clock.advance(5 * 60 * 1000);
    const rejected = await calls.reject(id, { reason: '다시 요청해 주세요' });
    assert.equal(rejected.res.status, 200, JSON.stringify(rejected.body));
    const row = await h.store.getRequest(id);
    assert.deepEqual([row?.status, row?.refund_secret], ['rejected', null]);
    assert.equal(h.fake.count('cancel'), 0);
    assert.equal(
      (await h.view('US-2', { grant: await h.grant('US-2', { mode: 'request' }) })).body.request.status,
      'rejected',
    );
  });

  it('left approved by a stopped process: the background check fails it ten minutes on, with its event, and approving again refunds once', async () => {
    h = await withRequests(WEBHOOKS_ANSWERED);
    const calls = requestCalls(h);
    const id = await claimedOnly('US-BG');
    const customerSees = async () =>
      (await h.view('US-BG', { grant: await h.grant('US-BG', { mode: 'request' }) })).body.request;

    h.clock.advance(9 * 60 * 1000);
    await h.outbox.runDue();
    assert.equal((await h.store.getRequest(id))?.status, 'approved', 'it could still be running');

    h.clock.advance(2 * 60 * 1000);
    await h.outbox.runDue();
    const failed = await h.store.getRequest(id);
    // Before: left `approved` until staff decided again, the customer shown an approval nothing would refund.
    assert.deepEqual([failed?.status, failed?.error_code], ['failed', 'UPSTREAM_UNAVAILABLE']);
    assert.equal((await customerSees()).status, 'failed');
    const types = (await h.store.listOrderEvents('US-BG')).map((e) => e.type);
    assert.equal(types.filter((t) => t === 'refund_request.failed').length, 1, types.join());
    assert.ok(
      h.logs.some((l) => l.msg === 'approval ended before its refund began; request failed' && l.request === id),
    );
    await h.outbox.runDue(); // nothing more
    assert.equal((await h.store.listOrderEvents('US-BG')).filter((e) => e.type === 'refund_request.failed').length, 1);

    const again = await calls.approve(id);
    assert.equal(again.res.status, 200, JSON.stringify(again.body));
    assert.equal(again.body.request.status, 'refunded');
    assert.equal(h.fake.count('cancel'), 1, 'one refund');
  });

  it('the background check leaves an approval whose refund began, however long it has been unsettled', async () => {
    h = await withRequests();
    const calls = requestCalls(h);
    h.fake.addPayment({ merchant_uid: 'US-BG2', amount: 20_000, pay_method: 'vbank' });
    const id = (await calls.ask(vbankAsk('US-BG2'))).body.request.id;
    // Its refund applied at i'mport, its answer lost, and i'mport unreachable for the looks that would settle it.
    h.fake.inject({ kind: 'lose_response' });
    h.fake.inject({ kind: 'http_5xx', route: 'payment', times: Number.POSITIVE_INFINITY });
    assert.equal((await calls.approve(id)).body.refund?.error?.code, 'REFUND_OUTCOME_UNKNOWN');
    assert.equal((await h.store.getRequest(id))?.status, 'approved');
    h.clock.advance(11 * 60 * 1000);
    await h.outbox.runDue();
    const row = await h.store.getRequest(id);
    assert.notEqual(row?.status, 'failed', 'not failed for a refund that was sent');
    assert.equal(h.fake.count('cancel'), 1);
  });

  for (const y of ['approve', 'reject'] as const) {
    it(`two staff at once on a stuck approval (one to ${y}): the late move of the stuck round never lands on the new one, one refund`, async () => {
      const { store, armed, yAtMove } = storeRacingTwoStaff();
      h = await withRequests({ store });
      const calls = requestCalls(h);
      const id = await stuckApproval('US-RACE');
      armed.on = true;
      const late = y === 'approve' ? calls.approve(id) : calls.reject(id, { reason: '재고가 없어요' });
      await yAtMove.promise; // Y read the stuck round and found no attempt; its move waits
      const [x, yAnswer] = await Promise.all([calls.approve(id), late]);
      await h.settled();
      assert.equal(x.res.status, 200, JSON.stringify(x.body));
      assert.equal(x.body.request.status, 'refunded');
      assert.equal(yAnswer.res.status, 409, JSON.stringify(yAnswer.body));
      assert.equal(h.fake.count('cancel'), 1, 'one ask, one refund');
      assert.equal((await h.store.getRequest(id))?.status, 'refunded');
    });
  }

  it('an approval paused (not stopped) past ten minutes, its request rejected meanwhile, sends nothing when it resumes', async () => {
    const paused = storePausing('insertAttempt');
    h = await withRequests({ store: paused.store });
    const calls = requestCalls(h);
    h.fake.addPayment({ merchant_uid: 'US-PAUSED', amount: 20_000, pay_method: 'vbank' });
    const id = (await calls.ask(vbankAsk('US-PAUSED'))).body.request.id;
    paused.armed.on = true;
    const approval = calls.approve(id);
    await paused.reached.promise; // about to write its refund's attempt, and then send it
    h.clock.advance(11 * 60 * 1000);
    const rejected = await calls.reject(id, { reason: '재고가 없어요' });
    assert.equal(rejected.body.request?.status, 'rejected', JSON.stringify(rejected.body));
    paused.go.resolve();
    const resumed = await approval;
    await h.settled();
    assert.equal(resumed.body.refund?.error?.code, 'REFUND_REQUEST_DECIDED');
    assert.equal(h.fake.count('cancel'), 0, 'the rejected request was not refunded');
    assert.deepEqual(
      [(await h.store.getRequest(id))?.status, (await h.store.listAttempts('US-PAUSED')).length],
      ['rejected', 0],
    );
  });

  it("an approval paused before its lease past ten minutes never fails the next approval's running refund", async () => {
    const paused = storePausing('takeOrder');
    h = await withRequests({ store: paused.store, leaseWaitMs: 500 });
    const calls = requestCalls(h);
    h.fake.addPayment({ merchant_uid: 'US-LEASE', amount: 20_000, pay_method: 'vbank' });
    const id = (await calls.ask(vbankAsk('US-LEASE'))).body.request.id;
    paused.armed.on = true;
    const first = calls.approve(id);
    await paused.reached.promise;
    h.clock.advance(11 * 60 * 1000);
    h.fake.inject({ kind: 'hold_response', ms: 1500 }); // the next approval's cancel is still at i'mport when…
    const second = calls.approve(id); // …the first fails as never begun, and this one claims the request again
    await new Promise((resolve) => setTimeout(resolve, 300));
    paused.go.resolve(); // …the first resumes: the order is busy, it was refused before any attempt of its own
    await first;
    const done = await second;
    await h.settled();
    assert.equal(done.body.request?.status, 'refunded', JSON.stringify(done.body));
    assert.equal((await h.store.getRequest(id))?.status, 'refunded', 'not failed by the first');
    const again = await calls.approve(id);
    assert.equal(again.res.status, 409);
    assert.equal(h.fake.count('cancel'), 1, 'one ask, one refund');
  });

  it("an approval paused before its lease past ten minutes, refused when it resumes, never ends the next round's refund still running at PortOne", async () => {
    const clock = createClock(Date.UTC(2026, 0, 15, 3));
    const portone = createFakePortOne({
      now: clock.now,
      cancelMode: 'REQUESTED', // the next round's cancel stays REQUESTED: bound, running, with its cancellation's id
      webhook: { url: 'http://proxy.test/webhooks/portone', secret: PORTONE_WEBHOOK_SECRET },
      webhookFetch: async (url, init) => h.app.request(String(url), init),
    });
    const paused = storePausing('takeOrder');
    h = await withRequests({ clock, portone, store: paused.store });
    portone.addPayment({ paymentId: 'US-V2', total: 10_000 });
    const calls = requestCalls(h);
    const id = (await calls.ask({ merchant_uid: 'US-V2', cancel_request_amount: 10_000, reason: 'r' })).body.request.id;
    paused.armed.on = true;
    const first = calls.approve(id);
    await paused.reached.promise;
    clock.advance(11 * 60 * 1000);
    const second = await calls.approve(id); // fails the first round as never begun, claims the next: REQUESTED
    assert.equal(second.res.status, 200, JSON.stringify(second.body));
    const bound = (await h.store.getRequest(id))?.attempt_id;
    paused.go.resolve(); // the first resumes: nothing left to refund, so it is refused before sending anything
    await first;
    const after = await h.store.getRequest(id);
    assert.deepEqual([after?.status, after?.attempt_id], ['approved', bound], 'still waiting for the running refund');
    assert.equal((await calls.reject(id, { reason: '재고가 없어요' })).res.status, 409, 'not rejectable while it runs');
    const cancellation = portone.getPayment('US-V2')?.cancellations[0];
    assert.ok(cancellation);
    portone.settleCancellation('US-V2', cancellation.id, 'SUCCEEDED');
    await portone.flushWebhooks();
    await h.settled();
    await h.view('US-V2', { grant: await h.grant('US-V2', { mode: 'request' }) });
    assert.equal((await h.store.getRequest(id))?.status, 'refunded');
  });

  it("an approval paused past ten minutes that resumes to find its request's earlier refund applied late records nothing: the reject's look records it, and nothing is refunded twice", async () => {
    const paused = storePausing('takeOrder');
    h = await withRequests({ store: paused.store, timeoutMs: 300 });
    const calls = requestCalls(h);
    const p = h.fake.addPayment({ merchant_uid: 'US-LATE', amount: 30_000 });
    const id = (await calls.ask({ merchant_uid: 'US-LATE', reason: 'r', cancel_request_amount: 8000 })).body.request.id;
    // The first approval's cancel gets no answer; ten minutes on a look settles it as not made: the request failed.
    h.fake.inject({ kind: 'drop', route: 'cancel' });
    await calls.approve(id);
    h.clock.advance(10 * 60 * 1000 + 1000);
    assert.equal(
      (await h.view('US-LATE', { grant: await h.grant('US-LATE', { mode: 'request' }) })).body.request.status,
      'failed',
    );
    await cancelAtIamport(h, p.imp_uid, 8000, undefined, 'r'); // …and i'mport applies it after all
    paused.armed.on = true;
    const stale = calls.approve(id); // approved again, then paused before its lease (a frozen process)
    await paused.reached.promise;
    h.clock.advance(11 * 60 * 1000);
    // Staff reject it: the stuck round is failed as never begun, and the reject's look at the payment records the
    // first approval's refund as the request's; nothing is left to reject.
    assert.equal((await calls.reject(id, { reason: 'no' })).res.status, 409);
    assert.equal((await h.store.getRequest(id))?.status, 'refunded');
    paused.go.resolve();
    const resumed = await stale;
    assert.equal(resumed.body.refund?.error?.code, 'REFUND_REQUEST_DECIDED', 'overtaken: it records nothing');
    assert.equal((await calls.approve(id)).body.error?.code, 'REFUND_REQUEST_DECIDED');
    await h.settled();
    const attempts = await h.store.listAttempts('US-LATE');
    assert.equal(attempts.filter((a) => a.outcome === 'succeeded').length, 1, 'recorded once');
    assert.equal((await h.store.getRequest(id))?.approved_amount, 8000);
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 8000, 'one ask of 8,000, refunded once');
  });
});
