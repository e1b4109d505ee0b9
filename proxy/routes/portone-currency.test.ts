// PortOne V2 sends and takes every amount as an integer in the currency's minor unit (its PaymentTotalAmount: "6 USD
// is 600"); the proxy, its widget, ledger and webhooks speak the major unit (US$10.50 is 10.5), as i'mport V1 does.
// Before the gateway converted, a dollar payment showed 100 times its amount and every partial refund of it was
// refused by PortOne (5.25 is no integer).
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createFakePortOne, type FakePortOne, type FakePortOneOptions } from '../gateways/portone/fake/fake-portone.ts';
import { createClock, createHarness, type Harness } from '../test-support/harness.ts';

let h: Harness;
let fake: FakePortOne;
afterEach(async () => {
  await h?.settled();
  await h?.close();
});

const setup = async (options: FakePortOneOptions = {}) => {
  const clock = createClock(Date.UTC(2026, 0, 15, 3));
  fake = createFakePortOne({ now: clock.now, ...options });
  h = await createHarness({ clock, portone: fake });
};

const sent = () =>
  fake.calls
    .filter((c) => c.route === 'cancel')
    .map((c) => c.body as { amount?: number; taxFreeAmount?: number; currentCancellableAmount: number });

describe('PortOne V2 amounts in a currency with cents', () => {
  it('shows a dollar payment in dollars, refunds part of it in cents, and the rest', async () => {
    await setup();
    fake.addPayment({ paymentId: 'USD-1', total: 1050, currency: 'USD' }); // US$10.50
    const view = await h.view('USD-1');
    assert.deepEqual([view.body.currency, view.body.amount, view.body.cancelable_amount], ['USD', 10.5, 10.5]);
    const part = await h.cancel({ merchant_uid: 'USD-1', reason: 'r', cancel_request_amount: 5.25 });
    assert.equal(part.res.status, 200, JSON.stringify(part.body));
    assert.deepEqual([part.body.refunded, part.body.cancel_amount, part.body.cancelable_amount], [5.25, 5.25, 5.25]);
    const rest = await h.cancel({ merchant_uid: 'USD-1', reason: 'r' });
    assert.deepEqual([rest.res.status, rest.body.refunded, rest.body.cancelable_amount], [200, 5.25, 0]);
    assert.deepEqual(
      sent().map((b) => [b.amount, b.currentCancellableAmount]),
      [
        [525, 1050],
        [undefined, 525],
      ],
    );
    assert.equal(fake.getPayment('USD-1')?.amount.cancelled, 1050);
    const [attempt] = await h.store.listAttempts('USD-1');
    assert.equal(attempt?.amount, 5.25, 'the ledger keeps dollars');
  });

  it("sends a grant's tax-free part in cents, and reads the tax-free part left in dollars", async () => {
    await setup();
    fake.addPayment({ paymentId: 'USD-2', total: 2000, taxFree: 800, currency: 'USD' });
    assert.equal((await h.view('USD-2')).body.cancelable_tax_free_amount, 8);
    const grant = await h.grant('USD-2', { taxFreeAmount: 3.5 });
    const done = await h.cancel({ merchant_uid: 'USD-2', reason: 'r', cancel_request_amount: 10 }, { grant });
    assert.equal(done.res.status, 200, JSON.stringify(done.body));
    assert.deepEqual(
      sent().map((b) => [b.amount, b.taxFreeAmount]),
      [[1000, 350]],
    );
    assert.equal((await h.view('USD-2')).body.cancelable_tax_free_amount, 4.5);
  });

  it('holds back a REQUESTED cancel of a dollar payment in dollars', async () => {
    await setup({ cancelMode: 'REQUESTED' });
    fake.addPayment({ paymentId: 'USD-3', total: 1000, currency: 'USD' });
    const part = await h.cancel({ merchant_uid: 'USD-3', reason: 'r', cancel_request_amount: 4 });
    assert.deepEqual([part.res.status, part.body.accepted], [200, true], JSON.stringify(part.body));
    const more = await h.cancel({ merchant_uid: 'USD-3', reason: 'r', cancel_request_amount: 6.01 });
    assert.deepEqual(
      [more.res.status, more.body.error.code, more.body.cancelable_amount],
      [409, 'CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT', 6],
      'US$6 is left beside the US$4 held',
    );
  });

  it('leaves won as they are', async () => {
    await setup();
    fake.addPayment({ paymentId: 'KRW-1', total: 10000 });
    const done = await h.cancel({ merchant_uid: 'KRW-1', reason: 'r', cancel_request_amount: 4000 });
    assert.deepEqual([done.body.refunded, sent()[0]?.amount], [4000, 4000]);
  });
});
