// Amounts with fractions (a USD payment): the balance, a grant's cap and i'mport's entries read alike, so the rest of a
// payment can be refunded, a capped grant allows what it says, and a refund whose answer was lost is recognised (never
// made twice). i'mport keeps amounts as decimals (the fake does: 10.10 less 2.90 is 7.2 there), through app.request().
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createHarness, type Harness } from '../test-support/harness.ts';
import { cancelAtIamport } from '../test-support/iamport-side.ts';
import { requestCalls, withRequests } from '../test-support/request-calls.ts';

let h: Harness;
afterEach(async () => h?.close());

const usdPayment = (merchantUid: string, amount: number) =>
  h.fake.addPayment({ merchant_uid: merchantUid, amount, currency: 'USD', pg_provider: 'html5_inicis' });

describe('amounts with fractions', () => {
  it("the rest of a USD payment after a console cancel is refundable: 10.10 less 2.90 is 7.2, i'mport's balance", async () => {
    h = await createHarness();
    const p = usdPayment('FR-REST', 10.1);
    await cancelAtIamport(h, p.imp_uid, 2.9);
    const view = await h.view('FR-REST');
    assert.equal(view.body.cancelable_amount, 7.2, 'not 7.199999999999999');

    const rest = await h.cancel({ merchant_uid: 'FR-REST', reason: 'rest', checksum: 7.2 }, { key: 'fr-rest' });
    assert.equal(rest.res.status, 200, JSON.stringify(rest.body));
    assert.deepEqual([rest.body.refunded, rest.body.cancelable_amount], [7.2, 0]);
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 10.1);
  });

  it('a capped grant allows the whole of its cap: 10.10 less a refund of 2.90 leaves 7.2 to refund', async () => {
    h = await createHarness();
    const p = usdPayment('FR-CAP', 20);
    const grant = await h.grant('FR-CAP', { maxAmount: 10.1, jti: 'cap-1' });
    await h.view('FR-CAP', { grant });
    const first = await h.cancel(
      { merchant_uid: 'FR-CAP', cancel_request_amount: 2.9, reason: 'part' },
      { grant, key: 'fr-cap-1' },
    );
    assert.equal(first.res.status, 200, JSON.stringify(first.body));
    await h.settled();

    const view = await h.view('FR-CAP', { grant });
    assert.equal(view.body.grant_remaining, 7.2, 'not 7.199999999999999');
    const rest = await h.cancel(
      { merchant_uid: 'FR-CAP', cancel_request_amount: view.body.grant_remaining, reason: 'rest of the cap' },
      { grant, key: 'fr-cap-2' },
    );
    assert.equal(rest.res.status, 200, JSON.stringify(rest.body));
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 10.1);
    await h.settled();
    const over = await h.cancel(
      { merchant_uid: 'FR-CAP', cancel_request_amount: 0.01, reason: 'over the cap' },
      { grant, key: 'fr-cap-3' },
    );
    assert.deepEqual([over.res.status, over.body.error?.code], [403, 'FORBIDDEN'], 'the cap is spent');
  });

  it("a refund of an amount with floating-point noise whose answer was lost is recognised in i'mport's entry, and never made twice", async () => {
    h = await createHarness();
    const p = usdPayment('FR-LOST', 10);
    await h.view('FR-LOST');
    h.fake.inject({ kind: 'lose_response' });
    const noisy = 0.1 + 0.2; // 0.30000000000000004, as a client's own arithmetic may send it
    const body = { merchant_uid: 'FR-LOST', cancel_request_amount: noisy, reason: 'lost' };
    const first = await h.cancel(body, { key: 'fr-lost' });
    await h.settled();
    // However the lost answer was told, the same key now answers the refund that was made, and sends nothing more.
    const again = await h.cancel(body, { key: 'fr-lost' });
    assert.equal(again.res.status, 200, `first: ${JSON.stringify(first.body)} again: ${JSON.stringify(again.body)}`);
    assert.equal(again.body.refunded, 0.3);
    const [attempt] = await h.store.listAttempts('FR-LOST');
    assert.deepEqual([attempt!.outcome, attempt!.refunded], ['succeeded', 0.3]);
    const other = await h.cancel({ ...body, reason: 'once more' }, { key: 'fr-lost-2' });
    await h.settled();
    assert.equal(h.fake.count('cancel'), 2, 'the second key made a refund of its own');
    assert.equal(other.res.status, 200);
    assert.equal(
      h.fake.getPayment(p.imp_uid)!.cancel_amount,
      0.6,
      'two refunds, one per key: the lost one not made again',
    );
  });

  it('an approval of 0.1 + 0.2 is the 0.3 the customer asked for, and a tax-free part of 0.1 + 0.2 allows a refund of 0.3', async () => {
    h = await withRequests();
    const { ask, approve } = requestCalls(h);
    usdPayment('FR-APPROVE', 10);
    const made = await ask({ merchant_uid: 'FR-APPROVE', cancel_request_amount: 0.1 + 0.2, reason: 'x' });
    assert.equal(made.res.status, 201, JSON.stringify(made.body));
    const approved = await approve(made.body.request.id, { amount: 0.1 + 0.2 });
    assert.equal(approved.res.status, 200, JSON.stringify(approved.body));
    assert.equal(approved.body.request.status, 'refunded');

    usdPayment('FR-TAXFREE', 10);
    const grant = await h.grant('FR-TAXFREE', { taxFreeAmount: 0.1 + 0.2 });
    const refund = await h.cancel({ merchant_uid: 'FR-TAXFREE', cancel_request_amount: 0.3, reason: 'x' }, { grant });
    assert.equal(refund.res.status, 200, JSON.stringify(refund.body));
    const sent = h.fake.calls.filter((c) => c.route === 'cancel').at(-1)!.body as Record<string, unknown>;
    assert.equal(sent.tax_free, 0.3);

    usdPayment('FR-VAT', 10);
    const withVat = await h.grant('FR-VAT', { taxFreeAmount: 0.1 + 0.2, vatAmount: 0.1 + 0.2 });
    const taxed = await h.cancel({ merchant_uid: 'FR-VAT', cancel_request_amount: 1, reason: 'x' }, { grant: withVat });
    assert.equal(taxed.res.status, 200, JSON.stringify(taxed.body));
    const sentTaxed = h.fake.calls.filter((c) => c.route === 'cancel').at(-1)!.body as Record<string, unknown>;
    assert.deepEqual([sentTaxed.tax_free, sentTaxed.vat_amount], [0.3, 0.3]);
  });

  it("a request's tax-free part and VAT of 0.1 + 0.2 are kept as 0.3: approved as asked, and sent so", async () => {
    h = await withRequests();
    const { ask, approve } = requestCalls(h);
    const parts = { mode: 'request', taxFreeAmount: 0.1 + 0.2, vatAmount: 0.1 + 0.2 } as const;
    const sentLast = () => h.fake.calls.filter((c) => c.route === 'cancel').at(-1)!.body as Record<string, unknown>;
    for (const [uid, amount] of [
      ['FR-PARTS-1', 0.3],
      ['FR-PARTS-2', 1],
    ] as const) {
      usdPayment(uid, 10);
      const made = await ask(
        { merchant_uid: uid, cancel_request_amount: 1, reason: 'x' },
        { grant: await h.grant(uid, parts) },
      );
      assert.equal(made.res.status, 201, JSON.stringify(made.body));
      const approved = await approve(made.body.request.id, { amount });
      assert.equal(approved.res.status, 200, JSON.stringify(approved.body));
      const sent = sentLast();
      assert.deepEqual([sent.amount, sent.tax_free, sent.vat_amount], [amount, 0.3, amount === 1 ? 0.3 : 0]);
    }
  });

  it("refunds no amount finer than a cent of a dollar payment, by the widget's call, a request or an approval", async () => {
    h = await withRequests();
    const { ask, approve } = requestCalls(h);
    const p = usdPayment('FR-CENT', 10);
    await h.view('FR-CENT');
    const refund = await h.cancel({ merchant_uid: 'FR-CENT', cancel_request_amount: 1.005, reason: 'x' });
    assert.equal(refund.res.status, 400, JSON.stringify(refund.body));
    assert.equal(refund.body.error.code, 'INVALID_REQUEST');
    assert.equal(refund.body.error.message, 'cancel_request_amount must be a whole number of 0.01 USD.');
    const asked = await ask({ merchant_uid: 'FR-CENT', cancel_request_amount: 1.005, reason: 'x' });
    assert.equal(asked.res.status, 400, JSON.stringify(asked.body));
    const made = await ask({ merchant_uid: 'FR-CENT', cancel_request_amount: 2.01, reason: 'x' });
    assert.equal(made.res.status, 201, JSON.stringify(made.body));
    const before = await h.store.getRequest(made.body.request.id);
    const lowered = await approve(made.body.request.id, { amount: 2.005 });
    assert.equal(lowered.res.status, 400, JSON.stringify(lowered.body));
    assert.equal(lowered.body.error.message, 'amount must be a whole number of 0.01 USD.');
    assert.deepEqual(await h.store.getRequest(made.body.request.id), before, 'nothing moved');
    assert.equal(h.fake.count('cancel'), 0, 'nothing sent');
    const approved = await approve(made.body.request.id, { amount: 2 });
    assert.equal(approved.body.request.status, 'refunded', JSON.stringify(approved.body));
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 2);
  });
  it('an amount of 0 or less is refused naming the smallest unit, never "at least 0.01" (which won would read as allowed)', async () => {
    h = await withRequests();
    const { ask, approve } = requestCalls(h);
    h.fake.addPayment({ merchant_uid: 'FR-ZERO', amount: 10_000 });
    await h.view('FR-ZERO');
    const unit =
      /^cancel_request_amount must be at least the currency's smallest unit \(1 won; 0\.01 of a currency with cents\)$/;
    for (const amount of [0, -1000]) {
      const refund = await h.cancel({ merchant_uid: 'FR-ZERO', cancel_request_amount: amount, reason: 'x' });
      assert.deepEqual([refund.res.status, refund.body.error.code], [400, 'INVALID_REQUEST']);
      assert.match(refund.body.error.message, unit);
      const asked = await ask({ merchant_uid: 'FR-ZERO', cancel_request_amount: amount, reason: 'x' });
      assert.match(asked.body.error.message, unit);
    }
    const made = await ask({ merchant_uid: 'FR-ZERO', cancel_request_amount: 2000, reason: 'x' });
    const zero = await approve(made.body.request.id, { amount: 0 });
    assert.deepEqual(
      [zero.res.status, zero.body.error.message],
      [400, "amount must be at least the currency's smallest unit (1 won; 0.01 of a currency with cents)"],
    );
    assert.equal(h.fake.count('cancel'), 0, 'nothing sent');
  });
});
