/** @module Store contract, payments: the ledger copy never moves backwards, and needs_sync is honest. */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { aPayment, type StorePair, T0, unique } from './contract-fixtures.ts';

export function paymentsContract(stores: () => StorePair): void {
  describe('payments', () => {
    before(() => stores().a.migrate());

    it('returns null for a payment it does not have', async () => {
      const { a } = stores();
      assert.equal(await a.getPayment(unique('order')), null);
      assert.equal(await a.getPaymentByImpUid(unique('imp')), null);
    });

    it("gives the currency of each order named (its payment's, as getPayment) and of each payment, in one call each", async () => {
      const { a, b } = stores();
      const usd = aPayment({ currency: 'USD', amount: 10.1 });
      const krw = aPayment();
      // Another payment of the USD order, in won (a checkout that failed): kept beside the tied one, never shown for it.
      const retried = aPayment({ merchant_uid: usd.merchant_uid, amount: 12_000, status: 'failed' });
      // Written first, so that a read in the table's own order would meet it before the tied one.
      await a.upsertPayment(retried, T0);
      await a.upsertPayment(usd, T0);
      await a.upsertPayment(krw, T0);
      assert.equal((await b.getPayment(usd.merchant_uid))?.imp_uid, usd.imp_uid);
      const none = unique('order');
      const many = Array.from({ length: 600 }, () => unique('order')); // more than a page of the lists holds
      const orders = await b.orderCurrencies([usd.merchant_uid, none, krw.merchant_uid, usd.merchant_uid, ...many]);
      assert.deepEqual(
        [...orders].sort(),
        [
          [krw.merchant_uid, 'KRW'],
          [usd.merchant_uid, 'USD'],
        ].sort(),
      );
      const payments = await b.paymentCurrencies([usd.imp_uid, retried.imp_uid, unique('imp')]);
      assert.deepEqual(
        [...payments].sort(),
        [
          [retried.imp_uid, 'KRW'],
          [usd.imp_uid, 'USD'],
        ].sort(),
      );
      assert.equal((await b.orderCurrencies([])).size, 0);
      assert.equal((await b.paymentCurrencies([])).size, 0);
      // A name is data, never SQL: quotes and brackets are only characters of a name.
      assert.equal((await b.orderCurrencies([`x'); DROP TABLE payments; --`, '["a"]'])).size, 0);
      assert.equal((await b.paymentCurrencies([`x'); DROP TABLE payments; --`, '["a"]'])).size, 0);
      assert.deepEqual(await b.getPayment(krw.merchant_uid), { ...krw, needs_sync: false, updated_at: T0 });
    });

    it('inserts a payment and reads it back by imp_uid and by merchant_uid', async () => {
      const { a, b } = stores();
      const payment = aPayment();
      const stored = await a.upsertPayment(payment, T0);
      assert.deepEqual(stored, { ...payment, needs_sync: false, updated_at: T0 });
      assert.deepEqual(await b.getPaymentByImpUid(payment.imp_uid), stored);
      assert.deepEqual(await b.getPayment(payment.merchant_uid), stored);
      assert.equal(typeof stored.updated_at, 'number');
      assert.equal(typeof stored.needs_sync, 'boolean');
    });

    it('round-trips cancel_history as JSON, fractional amounts, nulls and values beyond 32 bits', async () => {
      const { a, b } = stores();
      const payment = aPayment({
        currency: 'USD',
        amount: 12.34,
        cancel_amount: 5.5,
        name: null,
        receipt_url: null,
        paid_at: 4_102_444_800,
        status: 'paid',
        tax_free: 8.5,
        cancelled_tax_free: 2.25,
        cancel_history: [
          {
            pg_tid: 'T-1',
            amount: 2.25,
            cancelled_at: 4_102_444_900,
            reason: '부분 환불 "사이즈" \\ 🙏',
            cancellation_id: 'c-1',
            receipt_url: null,
          },
          {
            pg_tid: null,
            amount: 3.25,
            cancelled_at: 4_102_445_000,
            reason: null,
            cancellation_id: null,
            receipt_url: 'https://r/2',
          },
        ],
      });
      await a.upsertPayment(payment, T0);
      assert.deepEqual(await b.getPaymentByImpUid(payment.imp_uid), { ...payment, needs_sync: false, updated_at: T0 });

      const unpaid = aPayment({ status: 'ready', paid_at: null });
      assert.equal((await a.upsertPayment(unpaid, T0)).paid_at, null);
    });

    it('applies an update that raises or keeps cancel_amount', async () => {
      const { a } = stores();
      const payment = aPayment();
      await a.upsertPayment(payment, T0);
      const partial = { ...payment, cancel_amount: 10_000, cancel_history: [{ amount: 10_000, cancelled_at: 1 }] };
      assert.deepEqual(await a.upsertPayment(partial, T0 + 1), { ...partial, needs_sync: false, updated_at: T0 + 1 });
      const sameAmount = { ...partial, receipt_url: 'https://receipt/2' };
      const stored = await a.upsertPayment(sameAmount, T0 + 2);
      assert.deepEqual(stored, { ...sameAmount, needs_sync: false, updated_at: T0 + 2 });
    });

    it('ignores an update that would lower cancel_amount and returns the row as it stands', async () => {
      const { a, b } = stores();
      const cancelled = aPayment({ status: 'cancelled', cancel_amount: 39_000 });
      await a.upsertPayment(cancelled, T0);
      await a.markNeedsSync(cancelled.imp_uid, T0 + 1);
      const standing = await a.getPaymentByImpUid(cancelled.imp_uid);
      assert.deepEqual(standing, { ...cancelled, needs_sync: true, updated_at: T0 + 1 });

      // A stale answer (fetched before the refund) arrives late: it must not resurrect the refunded money.
      const stale = { ...cancelled, status: 'paid', cancel_amount: 0 };
      assert.deepEqual(await b.upsertPayment(stale, T0 + 2), standing);
      assert.deepEqual(await a.getPaymentByImpUid(cancelled.imp_uid), standing);
    });

    it('ignores an update that would bring a paid or refunded payment back to ready; a failed one may be tried again', async () => {
      const { a, b } = stores();
      for (const status of ['paid', 'cancelled']) {
        const moved = aPayment({ pay_method: 'vbank', status });
        const standing = await a.upsertPayment(moved, T0);
        // A lookup read while the account was unpaid, answered after it was paid or revoked (a webhook's, say).
        const stale = { ...moved, status: 'ready', paid_at: null };
        assert.deepEqual(await b.upsertPayment(stale, T0 + 1), standing, status);
        assert.equal((await a.getPaymentByImpUid(moved.imp_uid))?.status, status);
      }
      // An unpaid account's own copy is taken as ever.
      const unpaid = aPayment({ pay_method: 'vbank', status: 'ready', paid_at: null });
      await a.upsertPayment(unpaid, T0);
      assert.equal((await b.upsertPayment({ ...unpaid, name: 'renamed' }, T0 + 1))?.name, 'renamed');
      // PortOne V2 takes a new attempt under a failed payment's id: a virtual account issued after a failed card.
      const failed = aPayment({ status: 'failed', paid_at: null });
      await a.upsertPayment(failed, T0);
      const retried = { ...failed, pay_method: 'vbank', status: 'ready' };
      assert.equal((await b.upsertPayment(retried, T0 + 1))?.status, 'ready');
    });

    it('markNeedsSync sets needs_sync until the next applied upsert clears it', async () => {
      const { a, b } = stores();
      const payment = aPayment();
      await a.upsertPayment(payment, T0);
      await b.markNeedsSync(payment.imp_uid, T0 + 5);
      const marked = await a.getPaymentByImpUid(payment.imp_uid);
      assert.deepEqual(marked, { ...payment, needs_sync: true, updated_at: T0 + 5 });
      assert.deepEqual(await a.upsertPayment(payment, T0 + 6), { ...payment, needs_sync: false, updated_at: T0 + 6 });

      const missing = unique('imp');
      await a.markNeedsSync(missing, T0);
      assert.equal(await a.getPaymentByImpUid(missing), null);
    });

    it('getPayment: before anything is paid, a ready payment, then the newest', async () => {
      const { a } = stores();
      const order = unique('order');
      const put = (status: string, at: number) => a.upsertPayment(aPayment({ merchant_uid: order, status }), at);
      await put('failed', T0 + 3);
      const ready = await put('ready', T0 + 2);
      assert.deepEqual(await a.getPayment(order), ready, 'ready beats a newer failed one');
      assert.equal(await a.tiedImpUid(order), null, 'nothing is tied before a payment is paid');

      const others = unique('order');
      await a.upsertPayment(aPayment({ merchant_uid: others, status: 'failed' }), T0);
      const newest = await a.upsertPayment(aPayment({ merchant_uid: others, status: 'failed' }), T0 + 1);
      await a.upsertPayment(aPayment({ merchant_uid: others, status: 'failed' }), T0 - 1);
      assert.deepEqual(await a.getPayment(others), newest, 'otherwise the newest');
    });

    it('ties an order to the first paid payment; a later one for the same merchant_uid is kept beside it, never shown', async () => {
      const { a, b } = stores();
      const order = unique('order');
      const first = await a.upsertPayment(aPayment({ merchant_uid: order, status: 'paid' }), T0);
      assert.equal(await b.tiedImpUid(order), first.imp_uid);
      // A second paid payment (a retried checkout, a test payment), newer and updated later: recorded, not shown.
      const second = await b.upsertPayment(aPayment({ merchant_uid: order, status: 'paid' }), T0 + 5);
      assert.deepEqual(await a.getPaymentByImpUid(second.imp_uid), second, 'the other payment is stored');
      assert.deepEqual(await a.getPayment(order), first);
      await b.upsertPayment(aPayment({ merchant_uid: order, status: 'failed' }), T0 + 6);
      await b.upsertPayment({ ...second, status: 'cancelled', cancel_amount: 39_000 }, T0 + 7);
      assert.deepEqual(await a.getPayment(order), first, "neither a failed retry nor the other one's refund moves it");
      // A partial refund of the tied payment keeps money at stake on it: still tied.
      const partly = await a.upsertPayment({ ...first, status: 'cancelled', cancel_amount: 10_000 }, T0 + 8);
      await b.upsertPayment({ ...second, status: 'cancelled', cancel_amount: 39_000 }, T0 + 9);
      assert.deepEqual(await a.getPayment(order), partly);
      assert.equal(await a.tiedImpUid(order), first.imp_uid);
    });

    it('moves the tie to a later paid payment only once the tied one was refunded in full', async () => {
      const { a } = stores();
      const order = unique('order');
      const first = await a.upsertPayment(aPayment({ merchant_uid: order, status: 'paid' }), T0);
      await a.upsertPayment({ ...first, status: 'cancelled', cancel_amount: first.amount }, T0 + 1);
      // The shop took the order again under the same merchant_uid, and it was paid.
      const again = await a.upsertPayment(aPayment({ merchant_uid: order, status: 'paid' }), T0 + 2);
      assert.equal(await a.tiedImpUid(order), again.imp_uid);
      assert.deepEqual(await a.getPayment(order), again);
      // A ready virtual account ties nothing; its payment later does, when nothing paid came first.
      const vbankOrder = unique('order');
      const issued = await a.upsertPayment(aPayment({ merchant_uid: vbankOrder, status: 'ready', paid_at: null }), T0);
      assert.deepEqual(await a.getPayment(vbankOrder), issued);
      const paid = await a.upsertPayment({ ...issued, status: 'paid', paid_at: 1_767_225_700 }, T0 + 1);
      assert.equal(await a.tiedImpUid(vbankOrder), issued.imp_uid);
      assert.deepEqual(await a.getPayment(vbankOrder), paid);
    });
  });
}
