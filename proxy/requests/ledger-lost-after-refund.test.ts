// An approval whose refund i'mport made while the ledger went away (PostgreSQL stopped while the cancel was out): staff
// must not read "nothing was refunded". The refund's outcome is what the answer says; the ledger catches up once back
// (the next look at the order settles the attempt from i'mport, with its refund.succeeded).
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createFakeIamport, type FakeIamport } from '../gateways/iamport/fake/fake-iamport.ts';
import { createSqliteStore } from '../store/sqlite.ts';
import type { Store } from '../store/store.ts';
import { createClock, type Harness } from '../test-support/harness.ts';
import { requestCalls, withRequests } from '../test-support/request-calls.ts';

let h: Harness;
afterEach(async () => h?.close());

describe('the ledger lost while an approval’s cancel is at i’mport', () => {
  it('answers the refund that was made, never UPSTREAM_UNAVAILABLE "nothing was refunded"; approved again, nothing more is sent', async () => {
    const down = { on: false, armed: false };
    const inner = createSqliteStore({ path: ':memory:' });
    // Every ledger call fails while `down` (a server that stopped: connections refused).
    const store: Store = new Proxy(inner, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function' || prop === 'close')
          return typeof value === 'function' ? value.bind(target) : value;
        return async (...args: unknown[]) => {
          if (down.on) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
          return value.apply(target, args);
        };
      },
    });
    const clock = createClock();
    const real = createFakeIamport({ now: clock.now });
    // The ledger goes down once i'mport has the cancel (it is made), before its answer reaches the proxy.
    const fake: FakeIamport = Object.assign(Object.create(real) as FakeIamport, {
      fetch: async (url: string | URL | Request, init?: RequestInit) => {
        const answer = await real.fetch(url, init);
        if (down.armed && String(url).includes('/payments/cancel')) down.on = true;
        return answer;
      },
    });
    h = await withRequests({ store, clock, fake });
    const calls = requestCalls(h);
    h.fake.addPayment({ merchant_uid: 'LL-1', amount: 10_000 });
    const asked = await calls.ask({
      merchant_uid: 'LL-1',
      reason: '사이즈가 맞지 않아요',
      cancel_request_amount: 3000,
    });
    const id = asked.body.request.id;

    down.armed = true;
    const approved = await calls.approve(id);
    assert.equal(real.count('cancel'), 1);
    assert.equal(
      real.getPayment((real.calls.find((c) => c.route === 'cancel')!.body as { imp_uid: string }).imp_uid)
        ?.cancel_amount,
      3000,
    );
    assert.notEqual(approved.body.error?.code, 'UPSTREAM_UNAVAILABLE', JSON.stringify(approved.body));
    assert.equal(approved.res.status, 200, JSON.stringify(approved.body));
    assert.equal(approved.body.refund?.ok, true, 'the refund made is what staff are told');

    down.on = false;
    down.armed = false;
    await h.settled();
    clock.advance(10_000); // the order's lease, which could not be given back while the ledger was down, runs out
    const again = await calls.approve(id);
    assert.equal(again.body.error?.code, 'REFUND_REQUEST_DECIDED', JSON.stringify(again.body));
    assert.equal(real.count('cancel'), 1, 'one ask, one refund');
    assert.equal((await h.store.getRequest(id))?.status, 'refunded');
  });

  it("the ledger failing on the answer's own read (the order's currency) after a refund whose outcome is not known: the approval's refund is what staff are told", async () => {
    const fail = { currencies: false };
    const inner = createSqliteStore({ path: ':memory:' });
    const store: Store = new Proxy(inner, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function') return value;
        if (prop !== 'orderCurrencies') return value.bind(target);
        return async (...args: unknown[]) => {
          if (fail.currencies) throw new Error('database is locked');
          return value.apply(target, args);
        };
      },
    });
    h = await withRequests({ store });
    const calls = requestCalls(h);
    const p = h.fake.addPayment({ merchant_uid: 'LL-2', amount: 10_000 });
    const id = (await calls.ask({ merchant_uid: 'LL-2', reason: '사이즈가 맞지 않아요', cancel_request_amount: 3000 }))
      .body.request.id;
    // The cancel is made and its answer lost; the payment cannot be read just after: the outcome is not known.
    h.fake.inject({ kind: 'lose_response' });
    h.fake.inject({ kind: 'http_5xx', route: 'payment', times: 3 });
    fail.currencies = true;
    const approved = await calls.approve(id);
    assert.equal(h.fake.getPayment(p.imp_uid)?.cancel_amount, 3000, 'the refund was made');
    // Before: 503 UPSTREAM_UNAVAILABLE "this request sent no refund", for an approval whose refund had been sent.
    assert.notEqual(approved.body.error?.code, 'UPSTREAM_UNAVAILABLE', JSON.stringify(approved.body));
    assert.equal(approved.res.status, 200, JSON.stringify(approved.body));
    assert.equal(approved.body.refund?.error?.code, 'REFUND_OUTCOME_UNKNOWN', JSON.stringify(approved.body));
    assert.equal(approved.body.request.currency, null, 'the currency not known, the decision answered');
  });
});
