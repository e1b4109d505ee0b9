/**
 * The first view of a PortOne V2 order whose payment already holds a cancel PortOne accepted and has not finished (made
 * in its console, or by the shop's own server): the figures are open until it finishes, as every later view says, and
 * nothing is offered that the refund would then refuse.
 */
import assert from 'node:assert/strict';
import { afterEach, it } from 'node:test';
import { createFakePortOne } from '../gateways/portone/fake/fake-portone.ts';
import { createClock, createHarness, type Harness } from '../test-support/harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

it('shows an order first seen with an unfinished cancel as being checked, as later views do', async () => {
  const clock = createClock();
  const fake = createFakePortOne({ now: clock.now, cancelMode: 'REQUESTED' });
  const harness = await createHarness({ clock, portone: fake });
  h = harness;
  fake.addPayment({ paymentId: 'FP-1', total: 10_000 });
  const made = await fake.fetch('http://portone.test/payments/FP-1/cancel', {
    method: 'POST',
    headers: { Authorization: `PortOne ${fake.apiSecret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ reason: 'console', amount: 6_000 }),
  });
  assert.equal(made.status, 200);

  const first = await harness.view('FP-1');
  assert.equal(first.body.refundable, false, JSON.stringify(first.body));
  assert.equal(first.body.reason, 'OUTCOME_PENDING_CHECK');
  await harness.settled();
  const second = await harness.view('FP-1');
  assert.deepEqual([second.body.refundable, second.body.reason], [false, 'OUTCOME_PENDING_CHECK']);
});
