// The view tells the widget the least one refund may ask for under the grant (`grant_minimum`): a grant's
// tax_free_amount is a floor the refund must cover (check-request.ts), so a widget that did not know it offered
// amounts the proxy then refused, and, with less left than the floor, a form the customer could not get through.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createHarness, type Harness } from '../test-support/harness.ts';

let h: Harness;
afterEach(async () => h?.close());

describe('grant_minimum in the view', () => {
  it("is the grant's tax-free part, and every amount the view then offers is one the refund takes", async () => {
    h = await createHarness();
    h.fake.addPayment({ merchant_uid: 'GM-1', amount: 10000 });
    const grant = await h.grant('GM-1', { taxFreeAmount: 3000 });
    const { body } = await h.view('GM-1', { grant });
    assert.equal(body.grant_minimum, 3000);
    const below = await h.cancel({ merchant_uid: 'GM-1', reason: 'r', cancel_request_amount: 2999 }, { grant });
    assert.equal(below.res.status, 400, 'below the minimum the view gave: refused');
    const at = await h.cancel({ merchant_uid: 'GM-1', reason: 'r', cancel_request_amount: 3000 }, { grant });
    assert.equal(at.res.status, 200, 'the minimum itself: refunded');
  });

  it('is gone once a refund under the grant took the tax-free part, as the refund no longer asks for it', async () => {
    h = await createHarness();
    h.fake.addPayment({ merchant_uid: 'GM-2', amount: 10000 });
    const grant = await h.grant('GM-2', { taxFreeAmount: 3000, maxAmount: 10000, jti: 'gm-2' });
    assert.equal(
      (await h.cancel({ merchant_uid: 'GM-2', reason: 'r', cancel_request_amount: 4000 }, { grant })).res.status,
      200,
    );
    const { body } = await h.view('GM-2', { grant });
    assert.equal(body.grant_minimum, undefined);
    const small = await h.cancel({ merchant_uid: 'GM-2', reason: 'r', cancel_request_amount: 1000 }, { grant });
    assert.equal(small.res.status, 200);
  });

  it('is absent for a grant without a tax-free part', async () => {
    h = await createHarness();
    h.fake.addPayment({ merchant_uid: 'GM-3', amount: 10000 });
    const { body } = await h.view('GM-3');
    assert.equal('grant_minimum' in body, false);
  });

  it('stands above what is left when the order was refunded elsewhere below the floor: nothing can be refunded', async () => {
    h = await createHarness();
    h.fake.addPayment({ merchant_uid: 'GM-4', amount: 10000, cancel_amount: 8000 });
    const grant = await h.grant('GM-4', { taxFreeAmount: 3000 });
    const { body } = await h.view('GM-4', { grant });
    assert.equal(body.cancelable_amount, 2000);
    assert.equal(body.grant_minimum, 3000);
    const whole = await h.cancel({ merchant_uid: 'GM-4', reason: 'r' }, { grant });
    assert.equal(whole.res.status, 400, 'the refund refuses what the view says cannot be met');
  });
});
