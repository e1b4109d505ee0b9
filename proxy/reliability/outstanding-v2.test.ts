// PortOne V2's own fault: a cancel PortOne still runs (its PG has not answered) when the proxy has given up on it. The
// V2 docs say a request goes on after its client went away: until PortOne shows how it ended, the outcome is unknown,
// never "nothing was refunded", nothing more is sent for the order (the same key's retry is answered from the ledger;
// PortOne would meet it with 409 IDEMPOTENCY_OUTSTANDING_REQUEST), and it is settled later without a double refund.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { FakePortOne } from '../gateways/portone/fake/fake-portone.ts';
import type { Harness } from '../test-support/harness.ts';
import { GATEWAYS, type Running } from './gateways.ts';
import { assertMoneyInvariants, type Seen } from './invariants.ts';

const portone = GATEWAYS.find((g) => g.name === 'portone')!;

let h: Harness | undefined;
afterEach(async () => h?.close());

const start = async (): Promise<{ g: Running; fake: FakePortOne }> => {
  // 300 ms: the proxy gives up on the cancel long before the test lets the PG answer.
  const g = await portone.start({ timeoutMs: 300 });
  h = g.h;
  g.addPayment('OUT-1', 10_000);
  return { g, fake: g.portone! };
};

const refund = async (g: Running, amount: number | undefined, key: string): Promise<Seen> => {
  const body = { merchant_uid: 'OUT-1', reason: key, ...(amount ? { cancel_request_amount: amount } : {}) };
  const { res, body: answer } = await g.h.cancel(body, { key });
  return { status: res.status, body: answer };
};

/** Lets the event loop run until the stalled cancel has answered (no clock involved). */
const untilAnswered = async (fake: FakePortOne): Promise<void> => {
  for (let turn = 0; turn < 10_000; turn += 1) {
    if (fake.calls.every((call) => call.status !== 0)) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('the stalled cancel never answered');
};

const cancelsOf = (fake: FakePortOne, key: string) =>
  fake.calls.filter((c) => c.route === 'cancel' && c.idempotencyKey?.endsWith(`:${key}"`)).length;

describe('a cancel still running at PortOne V2 when the same refund is sent again', () => {
  it('answers an unknown outcome while PortOne runs it, settles it by the same key later, and refunds it once', async () => {
    const { g, fake } = await start();
    const before = await refund(g, 1500, 'out-0');
    assert.equal(before.status, 200);
    fake.inject({ kind: 'stall' });
    // The widget's behaviour: a 503 is retried with the same key.
    const meanwhile: Seen[] = [];
    for (let i = 0; i < 3; i++) meanwhile.push(await refund(g, 1500, 'out-1'));
    assert.equal(fake.stalled, 1, 'PortOne still has the first cancel');
    assert.equal(cancelsOf(fake, 'out-1'), 1, 'nothing sent again while PortOne may still run it');
    for (const seen of meanwhile) {
      assert.equal(seen.status, 503);
      assert.equal(
        seen.body.error.code,
        'REFUND_OUTCOME_UNKNOWN',
        `never "nothing was refunded": ${JSON.stringify(seen.body)}`,
      );
    }
    assert.equal(g.held('OUT-1').refunded, 1500, 'nothing moved yet');

    fake.releaseStalled();
    await untilAnswered(fake);
    assert.equal(g.held('OUT-1').refunded, 3000, 'the PG answered and PortOne applied the first cancel');
    const settled = await refund(g, 1500, 'out-1');
    assert.equal(settled.status, 200, JSON.stringify(settled.body));
    assert.equal(settled.body.refunded, 1500);
    assert.equal(settled.body.cancelable_amount, 7000);
    const rest = await refund(g, undefined, 'out-rest');
    assert.equal(rest.body.refunded, 7000, 'the rest is exactly what is left');
    await assertMoneyInvariants({
      held: g.held('OUT-1'),
      store: g.h.store,
      merchantUid: 'OUT-1',
      answers: [before, settled, rest],
    });
  });

  it('sends no other refund of the order meanwhile (REFUND_IN_PROGRESS), so the two never both apply', async () => {
    const { g, fake } = await start();
    fake.inject({ kind: 'stall' });
    const lost = await refund(g, 1500, 'out-a');
    assert.equal(lost.status, 503);
    assert.equal(
      lost.body.error.code,
      'REFUND_OUTCOME_UNKNOWN',
      `never "nothing was refunded": ${JSON.stringify(lost.body)}`,
    );
    // Another refund intent, with a key of its own, while PortOne still waits for the PG on the first: whether PortOne
    // would count the first against the second's checksum is not documented, so the second is not sent.
    const other = await refund(g, 2000, 'out-b');
    assert.deepEqual([other.status, other.body.error?.code], [409, 'REFUND_IN_PROGRESS'], JSON.stringify(other.body));
    assert.equal(cancelsOf(fake, 'out-b'), 0);
    fake.releaseStalled();
    await untilAnswered(fake);
    assert.equal(g.held('OUT-1').refunded, 1500, 'the first applied once the PG answered');
    const again = await refund(g, 1500, 'out-a');
    assert.deepEqual([again.status, again.body.refunded], [200, 1500], 'the same key learns it was refunded');
    const rest = await refund(g, undefined, 'out-rest');
    assert.equal(rest.body.refunded, 8500);
    await assertMoneyInvariants({
      held: g.held('OUT-1'),
      store: g.h.store,
      merchantUid: 'OUT-1',
      answers: [lost, other, again, rest],
    });
  });

  // A look at the order while PortOne still runs the cancel proves nothing (Gateway.changeMayRunForMs): the attempt
  // stays open and the order marked, so the look after the PG answered settles it as the refund it was.
  it('keeps the attempt open while PortOne runs its cancel, so a look after the PG answered settles it as refunded', async () => {
    const { g, fake } = await start();
    fake.inject({ kind: 'stall' });
    const lost = await refund(g, 1500, 'out-v');
    assert.equal(lost.body.error?.code, 'REFUND_OUTCOME_UNKNOWN');
    const during = await g.h.view('OUT-1');
    assert.deepEqual(
      [during.body.refundable, during.body.reason],
      [false, 'OUTCOME_PENDING_CHECK'],
      'while PortOne may still run it, the order is shown as being checked, not as refundable',
    );
    assert.equal((await g.h.store.listAttempts('OUT-1'))[0]?.outcome, 'unknown');
    fake.releaseStalled();
    await untilAnswered(fake);
    assert.equal(g.held('OUT-1').refunded, 1500, 'PortOne applied it once the PG answered');
    const view = await g.h.view('OUT-1');
    assert.equal(view.body.cancel_amount, 1500, 'the view shows the refund that happened');
    const audit = await g.h.store.listAttempts('OUT-1');
    assert.deepEqual(
      audit.map((a) => a.outcome),
      ['succeeded'],
      'the attempt is settled as the refund it was',
    );
  });

  it('settles the attempt as not refunded once PortOne could no longer be running it and shows nothing', async () => {
    const { g, fake } = await start();
    fake.inject({ kind: 'stall' });
    const lost = await refund(g, 1500, 'out-w');
    assert.equal(lost.body.error?.code, 'REFUND_OUTCOME_UNKNOWN');
    assert.equal((await g.h.view('OUT-1')).body.reason, 'OUTCOME_PENDING_CHECK');
    // Nine minutes on, PortOne could still be running it; eleven minutes on, it cannot (Gateway.changeMayRunForMs).
    g.h.clock.advance(9 * 60_000);
    assert.equal((await g.h.view('OUT-1')).body.reason, 'OUTCOME_PENDING_CHECK');
    g.h.clock.advance(2 * 60_000);
    const after = await g.h.view('OUT-1');
    assert.deepEqual([after.body.refundable, after.body.cancelable_amount], [true, 10_000], JSON.stringify(after.body));
    const [attempt] = await g.h.store.listAttempts('OUT-1');
    assert.deepEqual([attempt?.outcome, attempt?.refunded], ['failed', null]);
    fake.releaseStalled();
    await untilAnswered(fake);
  });
});
