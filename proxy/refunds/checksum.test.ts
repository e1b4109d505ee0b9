// The caller's checksum (the balance its view showed, as i'mport's own): a refund or a retry of one on an order whose
// balance moved since is refused with the fresh figures and sends nothing, in whatever order two tabs' retries come.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createFakePortOne } from '../gateways/portone/fake/fake-portone.ts';
import { createClock, createHarness, type Harness } from '../test-support/harness.ts';
import { cancelAtIamport, notifyOf } from '../test-support/iamport-side.ts';

let h: Harness;
afterEach(async () => h?.close());

const TEN_MINUTES = 10 * 60_000 + 1000;

/** What the widget sends: the amount, and the balance its dialog showed as the checksum. */
const ask = (merchantUid: string, checksum: number) => ({
  merchant_uid: merchantUid,
  cancel_request_amount: 5000,
  reason: '단순 변심',
  checksum,
});

type Answered = Awaited<ReturnType<Harness['cancel']>>;

/** Refused as asked on figures the order no longer has (409), with the balance it has now when `balance` is given. */
const refusedAsStale = (answer: Answered, balance?: number) =>
  assert.deepEqual(
    [answer.res.status, answer.body.error?.code, ...(balance === undefined ? [] : [answer.body.cancelable_amount])],
    [409, 'CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN', ...(balance === undefined ? [] : [balance])],
    JSON.stringify(answer.body),
  );

/** An order of 39,000 whose first tab's refund of 5,000 (key `tab-a`) was sent and got no answer. */
const firstTabUnanswered = async (merchantUid: string) => {
  h = await createHarness();
  const p = h.fake.addPayment({ merchant_uid: merchantUid, amount: 39_000 });
  await h.view(merchantUid);
  h.fake.inject({ kind: 'drop', route: 'cancel' });
  const first = await h.cancel(ask(merchantUid, 39_000), { key: 'tab-a' });
  assert.equal(first.body.error.code, 'REFUND_OUTCOME_UNKNOWN');
  return p;
};

describe('the checksum of POST /payments/cancel', () => {
  it('refunds when it is the balance; refuses a stale one with the balance, sending nothing, the same on a retry', async () => {
    h = await createHarness();
    const p = h.fake.addPayment({ merchant_uid: 'CS-1', amount: 39_000 });
    assert.equal((await h.view('CS-1')).body.cancelable_amount, 39_000);
    assert.equal((await h.cancel(ask('CS-1', 39_000), { key: 'cs-1a' })).res.status, 200);
    const stale = await h.cancel(ask('CS-1', 39_000), { key: 'cs-1b' });
    refusedAsStale(stale, 34_000);
    assert.match(stale.body.error.message, /now 34000 KRW, not the checksum 39000/);
    assert.equal(h.fake.count('cancel'), 1, 'nothing sent');
    assert.equal(
      (await h.cancel(ask('CS-1', 39_000), { key: 'cs-1b' })).res.headers.get('Idempotent-Replayed'),
      'true',
    );
    assert.equal((await h.cancel(ask('CS-1', 34_000), { key: 'cs-1c' })).res.status, 200, 'the fresh figures');
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 10_000);
    const [, rejected] = await h.store.listAttempts('CS-1');
    assert.deepEqual([rejected?.outcome, rejected?.error_code], ['rejected', 'CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN']);
  });

  it("a cancel found not made, a second tab's refund meanwhile, then the first tab's '다시 확인': one refund", async () => {
    const p = await firstTabUnanswered('CS-TAB');
    // Ten minutes on, i'mport shows nothing: settled as not made. The second tab, loaded now, refunds the 5,000.
    h.clock.advance(TEN_MINUTES);
    assert.equal((await h.view('CS-TAB')).body.cancelable_amount, 39_000);
    assert.equal((await h.cancel(ask('CS-TAB', 39_000), { key: 'tab-b' })).res.status, 200);
    const again = await h.cancel(ask('CS-TAB', 39_000), { key: 'tab-a' });
    refusedAsStale(again, 34_000);
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 5000, 'refunded once');
  });

  it("the same two tabs with their retries the other way round: the first tab's key refunds, the second's does not", async () => {
    const p = await firstTabUnanswered('CS-REV');
    // The second tab asks while the first one's cancel may still be running: nothing is sent for it.
    assert.equal((await h.cancel(ask('CS-REV', 39_000), { key: 'tab-b' })).body.error.code, 'REFUND_IN_PROGRESS');
    h.clock.advance(TEN_MINUTES);
    const a = await h.cancel(ask('CS-REV', 39_000), { key: 'tab-a' });
    assert.deepEqual([a.res.status, a.body.refunded], [200, 5000], JSON.stringify(a.body));
    const b = await h.cancel(ask('CS-REV', 39_000), { key: 'tab-b' });
    refusedAsStale(b);
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 5000, 'refunded once');
  });

  it('PortOne V2: a cancel accepted and not finished counts, so the second tab gets the balance net of it', async () => {
    const clock = createClock();
    const portone = createFakePortOne({ now: clock.now, cancelMode: 'REQUESTED' });
    h = await createHarness({ clock, portone });
    portone.addPayment({ paymentId: 'CS-V2', total: 10_000 });
    const shown = (await h.view('CS-V2')).body.cancelable_amount;
    const v2 = (checksum: number) => ({ merchant_uid: 'CS-V2', cancel_request_amount: 3000, reason: 'x', checksum });
    const a = await h.cancel(v2(shown), { key: 'v2-a' });
    assert.deepEqual([a.res.status, a.body.accepted], [200, true], JSON.stringify(a.body));
    const b = await h.cancel(v2(shown), { key: 'v2-b' });
    refusedAsStale(b, 7000);
    assert.equal(portone.getPayment('CS-V2')!.cancellations.length, 1, 'one cancel at PortOne');
  });

  it('a revocation of an unpaid virtual account, the order paid by card since: refunds nothing', async () => {
    h = await createHarness();
    const vbank = h.fake.addPayment({ merchant_uid: 'CS-VB', amount: 39_000, pay_method: 'vbank', status: 'ready' });
    const shown = await h.view('CS-VB');
    assert.equal(shown.body.revocable, true);
    const card = h.fake.addPayment({ merchant_uid: 'CS-VB', amount: 35_000 });
    await notifyOf(h, card.imp_uid, 'CS-VB', 'paid');
    // What the widget sends for "cancel the account": no amount, and the balance it showed.
    const revoke = await h.cancel(
      { merchant_uid: 'CS-VB', reason: '단순 변심', checksum: shown.body.cancelable_amount },
      { key: 'cs-vb' },
    );
    refusedAsStale(revoke);
    assert.equal(h.fake.getPayment(card.imp_uid)!.cancel_amount, 0, 'the card payment is not refunded');
    assert.equal(h.fake.getPayment(vbank.imp_uid)!.status, 'ready');
  });

  it('names the payment shown: an order paid again by the same amount since is not refunded for a stale tab', async () => {
    h = await createHarness();
    const first = h.fake.addPayment({ merchant_uid: 'CS-AGAIN', amount: 20_000 });
    const shown = (await h.view('CS-AGAIN')).body;
    assert.equal(shown.imp_uid, first.imp_uid);
    const widget = { merchant_uid: 'CS-AGAIN', cancel_request_amount: 20_000, reason: 'x', imp_uid: shown.imp_uid };
    const tabA = await h.cancel({ ...widget, checksum: shown.cancelable_amount }, { key: 'again-a' });
    assert.equal(tabA.res.status, 200);
    // Bought again under the same order id, by the same amount: the order is now the second payment.
    const second = h.fake.addPayment({ merchant_uid: 'CS-AGAIN', amount: 20_000 });
    await notifyOf(h, second.imp_uid, 'CS-AGAIN', 'paid');
    const tabB = await h.cancel({ ...widget, checksum: shown.cancelable_amount }, { key: 'again-b' });
    refusedAsStale(tabB);
    assert.match(tabB.body.error.message, /paid again since it was shown/);
    assert.equal(h.fake.getPayment(second.imp_uid)!.cancel_amount, 0, 'the second payment is not refunded');
    const fresh = (await h.view('CS-AGAIN')).body;
    assert.equal(fresh.imp_uid, second.imp_uid);
  });

  it("is checked against the order as i'mport has it: a refund made in its console since the view was read", async () => {
    h = await createHarness();
    const p = h.fake.addPayment({ merchant_uid: 'CS-CON', amount: 10_000 });
    await h.view('CS-CON');
    await cancelAtIamport(h, p.imp_uid, 2000);
    await notifyOf(h, p.imp_uid, 'CS-CON');
    const stale = await h.cancel({ ...ask('CS-CON', 10_000), cancel_request_amount: 2000 }, { key: 'cs-con' });
    assert.deepEqual([stale.res.status, stale.body.cancelable_amount], [409, 8000]);
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 2000, "the console's alone");
  });

  it("a checksum the ledger's copy does not match asks i'mport first: the console's cancel no webhook told of", async () => {
    h = await createHarness();
    const p = h.fake.addPayment({ merchant_uid: 'CS-NEW', amount: 10_000 });
    await h.view('CS-NEW');
    // Made in i'mport's console, and no webhook came: the ledger still shows 10,000 refundable.
    await cancelAtIamport(h, p.imp_uid, 2000);
    await cancelAtIamport(h, p.imp_uid, 1000);
    const old = await h.cancel({ ...ask('CS-NEW', 9000), cancel_request_amount: 1000 }, { key: 'cs-new-1' });
    refusedAsStale(old, 7000); // i'mport's balance, not the ledger's 10,000
    assert.equal(h.fake.count('cancel'), 2, 'nothing sent for it');
    // The shop's server knew the balance i'mport has: its refund goes ahead, with that checksum.
    const right = await h.cancel({ ...ask('CS-NEW', 7000), cancel_request_amount: 1000 }, { key: 'cs-new-2' });
    assert.equal(right.res.status, 200, JSON.stringify(right.body));
    assert.equal(right.body.cancelable_amount, 6000);
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 4000);
  });
});
