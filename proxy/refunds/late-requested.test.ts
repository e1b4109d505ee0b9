/**
 * A refund whose answer was lost, settled as not made once PortOne could no longer be running it, that PortOne then
 * shows as a REQUESTED cancellation (its PG finishes it later: a virtual account's payout can take a business day or
 * two). Finished, it is the refund's, found late in the history (late-cancels.test.ts); until then it is in no history,
 * so nothing is sent for the order: neither under another key (a capped grant would not count it) nor by the same
 * key's retry (which would send a second cancel once PortOne no longer replays the first).
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createFakePortOne, type FakePortOne } from '../gateways/portone/fake/fake-portone.ts';
import { createClock, createHarness, type Harness, PORTONE_WEBHOOK_SECRET } from '../test-support/harness.ts';

let h: Harness | undefined;
let fake: FakePortOne | undefined;
afterEach(async () => {
  await fake?.flushWebhooks();
  await h?.settled();
  await h?.close();
  h = undefined;
  fake = undefined;
});

/** A PortOne whose cancels wait on their PG, a proxy on it, and payment `id` of 5,000. */
const started = async (id: string) => {
  const clock = createClock(Date.UTC(2026, 0, 15, 3));
  const v2 = createFakePortOne({
    now: clock.now,
    webhook: { url: 'http://proxy.test/webhooks/portone', secret: PORTONE_WEBHOOK_SECRET },
    webhookFetch: async (url, init) => {
      if (!h) throw new Error('no proxy');
      return h.app.request(String(url), init);
    },
  });
  fake = v2;
  const harness = await createHarness({ clock, portone: v2, timeoutMs: 300 });
  h = harness;
  v2.addPayment({ paymentId: id, total: 5000, cancelMode: 'REQUESTED' });
  return { clock, v2, harness };
};

/** `body`'s refund under `key` loses its answer and is settled as not made; then PortOne takes it on after all. */
const lostThenRequested = async (
  { clock, v2, harness }: Awaited<ReturnType<typeof started>>,
  body: { merchant_uid: string; cancel_request_amount: number; reason: string },
  key: string,
  grant?: string,
) => {
  v2.inject({ kind: 'drop', route: 'cancel' });
  const first = await harness.cancel(body, { key, ...(grant ? { grant } : {}) });
  assert.equal(first.body.error?.code, 'REFUND_OUTCOME_UNKNOWN', JSON.stringify(first.body));
  clock.advance(10 * 60_000 + 1000);
  assert.equal((await harness.view(body.merchant_uid)).body.refundable, true, 'settled as not made');
  const late = await v2.fetch(`https://api.portone.io/payments/${body.merchant_uid}/cancel`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', Authorization: `PortOne ${v2.apiSecret}` },
    body: JSON.stringify({ reason: body.reason, amount: body.cancel_request_amount, currentCancellableAmount: 5000 }),
  });
  const { cancellation } = (await late.json()) as { cancellation: { id: string; status: string } };
  assert.equal(cancellation.status, 'REQUESTED');
  await v2.flushWebhooks();
  await harness.settled();
  return cancellation.id;
};

describe('a refund settled as not made that PortOne then shows REQUESTED', () => {
  it('holds the order until PortOne finishes it, then counts it against its capped grant', async () => {
    const s = await started('L-REQ');
    const grant = () => s.harness.grant('L-REQ', { maxAmount: 2000, jti: 'g-1' });
    const body = { merchant_uid: 'L-REQ', cancel_request_amount: 2000, reason: '단순 변심' };
    const requested = await lostThenRequested(s, body, 'k-1', await grant());

    const sent = s.v2.count('cancel');
    const beside = await s.harness.cancel(body, { key: 'k-2', grant: await grant() });
    assert.equal(beside.body.error?.code, 'REFUND_IN_PROGRESS', JSON.stringify(beside.body));
    const retry = await s.harness.cancel(body, { key: 'k-1', grant: await grant() });
    assert.equal(retry.body.error?.code, 'REFUND_IN_PROGRESS', JSON.stringify(retry.body));
    assert.equal(s.v2.count('cancel'), sent, 'nothing sent beside the unfinished cancellation');

    s.v2.settleCancellation('L-REQ', requested, 'SUCCEEDED');
    await s.v2.flushWebhooks();
    await s.harness.settled();
    const capped = await s.harness.cancel(body, { key: 'k-3', grant: await grant() });
    assert.equal(capped.body.error?.code, 'FORBIDDEN', JSON.stringify(capped.body));
    const answered = await s.harness.cancel(body, { key: 'k-1', grant: await grant() });
    assert.equal(answered.body.refunded, 2000, JSON.stringify(answered.body));
    assert.equal(s.v2.count('cancel'), sent, 'the key was answered with its late refund');
    assert.equal(s.v2.getPayment('L-REQ')?.amount.cancelled, 2000);
  });

  it("lets the key's retry refund once PortOne fails the cancellation (nothing moved)", async () => {
    const s = await started('L-KEY');
    const body = { merchant_uid: 'L-KEY', cancel_request_amount: 2000, reason: '단순 변심' };
    const requested = await lostThenRequested(s, body, 'k-1');
    const sent = s.v2.count('cancel');
    assert.equal((await s.harness.cancel(body, { key: 'k-1' })).body.error?.code, 'REFUND_IN_PROGRESS');
    assert.equal(s.v2.count('cancel'), sent);

    s.v2.settleCancellation('L-KEY', requested, 'FAILED');
    await s.v2.flushWebhooks();
    await s.harness.settled();
    const retry = await s.harness.cancel(body, { key: 'k-1' });
    assert.equal(retry.res.status, 200, JSON.stringify(retry.body));
    assert.equal(s.v2.count('cancel'), sent + 1, 'one cancel, for the one refund asked');
  });
});
