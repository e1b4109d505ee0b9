/**
 * A grant's tax parts (`tax_free_amount`, `vat_amount`) finer than the payment's currency's smallest unit: a grant
 * carries no currency, so only the payment tells, and the refund is refused naming the part, with nothing sent, as an
 * amount of half a won is. Before, i'mport was sent the fraction (and took it) and PortOne refused the cancel.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createFakePortOne } from '../gateways/portone/fake/fake-portone.ts';
import { createClock, createHarness, type Harness } from '../test-support/harness.ts';
import { requestCalls, withRequests } from '../test-support/request-calls.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("a grant's tax part finer than the payment's currency allows", () => {
  for (const [part, claims] of [
    ['tax_free_amount', { taxFreeAmount: 500.5 }],
    ['vat_amount', { vatAmount: 90.5 }],
  ] as const) {
    it(`i'mport: ${part} of half a won is refused naming it, nothing sent`, async () => {
      const harness = await createHarness();
      h = harness;
      harness.fake.addPayment({ merchant_uid: 'TP-1', amount: 10000 });
      const grant = await harness.grant('TP-1', claims);
      const answer = await harness.cancel(
        { merchant_uid: 'TP-1', reason: 'r', cancel_request_amount: 1000 },
        { grant },
      );
      assert.equal(answer.res.status, 400, JSON.stringify(answer.body));
      assert.equal(answer.body.error.code, 'INVALID_REQUEST');
      assert.match(answer.body.error.message, new RegExp(`grant's ${part} must be a whole number of won`));
      assert.equal(harness.fake.count('cancel'), 0);
    });
  }

  it('PortOne: refused before sending, not a cancel PortOne turns away', async () => {
    const clock = createClock();
    const portone = createFakePortOne({ now: clock.now });
    const harness = await createHarness({ clock, portone });
    h = harness;
    portone.addPayment({ paymentId: 'TP-2', total: 10000, taxFree: 2000 });
    const grant = await harness.grant('TP-2', { taxFreeAmount: 500.5 });
    const answer = await harness.cancel({ merchant_uid: 'TP-2', reason: 'r', cancel_request_amount: 1000 }, { grant });
    assert.equal(answer.res.status, 400, JSON.stringify(answer.body));
    assert.equal(portone.count('cancel'), 0);
  });

  it('request mode: no request is taken under such a grant', async () => {
    const harness = await withRequests();
    h = harness;
    harness.fake.addPayment({ merchant_uid: 'TP-3', amount: 20000 });
    const grant = await harness.grant('TP-3', { mode: 'request', taxFreeAmount: 999.9 });
    const made = await requestCalls(harness).ask(
      { merchant_uid: 'TP-3', reason: 'r', cancel_request_amount: 5000 },
      { grant },
    );
    assert.equal(made.res.status, 400, JSON.stringify(made.body));
    assert.match(made.body.error.message, /tax_free_amount/);
  });

  it('a whole-won part goes ahead as before', async () => {
    const harness = await createHarness();
    h = harness;
    harness.fake.addPayment({ merchant_uid: 'TP-4', amount: 10000 });
    const grant = await harness.grant('TP-4', { taxFreeAmount: 500, vatAmount: 90 });
    const answer = await harness.cancel({ merchant_uid: 'TP-4', reason: 'r', cancel_request_amount: 1000 }, { grant });
    assert.equal(answer.res.status, 200, JSON.stringify(answer.body));
  });
});
