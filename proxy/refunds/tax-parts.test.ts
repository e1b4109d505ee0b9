// Tax-free and VAT parts of a refund, given by the merchant's backend in the grant (claims tax_free_amount and
// vat_amount, or POST /admin/grants): a refund smaller than the tax-free part is refused before i'mport is asked,
// and a request carries the parts to its approval.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { verifyGrant } from '../auth/grant.ts';
import { adminCalls, json, withAdmin } from '../test-support/admin-calls.ts';
import { GRANT_SECRET, type Harness } from '../test-support/harness.ts';
import { notifyOf } from '../test-support/iamport-side.ts';
import { requestCalls, withRequests } from '../test-support/request-calls.ts';

let h: Harness;
afterEach(async () => h?.close());

const claimsOf = (grant: string) => JSON.parse(Buffer.from(grant.split('.')[1]!, 'base64url').toString());

describe('tax-free and VAT parts in the grant', () => {
  it('reads them from a grant, zero VAT included, and refuses a tax-free part above the cap', async () => {
    h = await withAdmin();
    const token = await h.grant('TX-1', { taxFreeAmount: 3000, vatAmount: 0 });
    const check = await verifyGrant(token, GRANT_SECRET);
    assert.ok(check.ok);
    assert.equal(check.grant.tax_free_amount, 3000);
    assert.equal(check.grant.vat_amount, 0);
    const over = await h.grant('TX-1', { taxFreeAmount: 3000, maxAmount: 2000, jti: 'j' });
    const refused = await verifyGrant(over, GRANT_SECRET);
    assert.equal(refused.ok, false);
    assert.match(refused.ok ? '' : refused.reason, /tax_free_amount must be at most max_amount/);
  });

  it('mints them with POST /admin/grants, and says which field is wrong', async () => {
    h = await withAdmin();
    const { postGrant } = adminCalls(h);
    const made = await json(await postGrant({ merchant_uid: 'TX-2', tax_free_amount: 4000, vat_amount: 0 }));
    assert.deepEqual([claimsOf(made.grant).tax_free_amount, claimsOf(made.grant).vat_amount], [4000, 0]);
    const cases: [unknown, RegExp][] = [
      [{ merchant_uid: 'TX-2', tax_free_amount: -1 }, /tax_free_amount/],
      [{ merchant_uid: 'TX-2', vat_amount: 'x' }, /vat_amount/],
      [{ merchant_uid: 'TX-2', tax_free_amount: 5000, max_amount: 4000 }, /tax_free_amount must be at most max_amount/],
      [{ role: 'staff', sub: 'alice', tax_free_amount: 1000 }, /tax_free_amount/],
    ];
    for (const [body, message] of cases) {
      const res = await postGrant(body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match((await json(res)).error.message, message);
    }
  });

  it("says nothing of a tax-free part on i'mport V1, whose payments do not show one", async () => {
    h = await withAdmin();
    h.fake.addPayment({ merchant_uid: 'TX-V1', amount: 10000 });
    assert.equal((await h.view('TX-V1')).body.cancelable_tax_free_amount, null);
  });

  it("refuses a refund smaller than the grant's tax-free part, before i'mport is asked; a larger one goes", async () => {
    h = await withAdmin();
    h.fake.addPayment({ merchant_uid: 'TX-3', amount: 10000 });
    const grant = await h.grant('TX-3', { taxFreeAmount: 3000 });
    const small = await h.cancel({ merchant_uid: 'TX-3', reason: 'r', cancel_request_amount: 2000 }, { grant });
    assert.equal(small.res.status, 400);
    assert.equal(small.body.error.code, 'INVALID_REQUEST');
    assert.match(small.body.error.message, /at least 3000 KRW: the tax-free part of this refund/);
    assert.equal(h.fake.count('cancel'), 0);
    const enough = await h.cancel({ merchant_uid: 'TX-3', reason: 'r', cancel_request_amount: 3000 }, { grant });
    assert.equal(enough.res.status, 200);
    assert.equal(enough.body.refunded, 3000);
  });

  // Guards check-request.ts's floor at its boundary (`amount < taxFree`): one won below the grant's tax-free part is
  // refused, exactly the part goes.
  it("refuses a refund one won below the grant's tax-free part, and takes one of exactly the part", async () => {
    h = await withAdmin();
    h.fake.addPayment({ merchant_uid: 'TX-EDGE', amount: 10000 });
    const grant = await h.grant('TX-EDGE', { taxFreeAmount: 3000 });
    const below = await h.cancel({ merchant_uid: 'TX-EDGE', reason: 'r', cancel_request_amount: 2999 }, { grant });
    assert.equal(below.res.status, 400, JSON.stringify(below.body));
    assert.equal(below.body.error.code, 'INVALID_REQUEST');
    assert.match(below.body.error.message, /at least 3000 KRW/);
    assert.equal(h.fake.count('cancel'), 0);
    const exact = await h.cancel({ merchant_uid: 'TX-EDGE', reason: 'r', cancel_request_amount: 3000 }, { grant });
    assert.equal(exact.res.status, 200, JSON.stringify(exact.body));
    assert.equal(exact.body.refunded, 3000);
    const sent = h.fake.calls.find((c) => c.route === 'cancel')!.body as Record<string, unknown>;
    assert.deepEqual([sent.amount, sent.tax_free], [3000, 3000]);
  });

  it("forwards the grant's parts to i'mport as tax_free and vat_amount, and nothing when the grant has none", async () => {
    h = await withAdmin();
    h.fake.addPayment({ merchant_uid: 'TX-5', amount: 20000, pg_provider: 'nice' });
    const grant = await h.grant('TX-5', { taxFreeAmount: 5000, vatAmount: 500 });
    await h.cancel({ merchant_uid: 'TX-5', reason: 'r', cancel_request_amount: 10500 }, { grant });
    await h.cancel({ merchant_uid: 'TX-5', reason: 'r', cancel_request_amount: 1000 });
    const sent = h.fake.calls.filter((c) => c.route === 'cancel').map((c) => c.body as Record<string, unknown>);
    assert.deepEqual(
      sent.map((b) => [b.amount, b.tax_free, b.vat_amount]),
      [
        [10500, 5000, 500],
        [1000, undefined, undefined],
      ],
    );
  });

  it("sends a grant's tax-free part with its first refund only: i'mport keeps no balance of it", async () => {
    h = await withAdmin();
    h.fake.addPayment({ merchant_uid: 'TX-6', amount: 10000, pg_provider: 'kcp' });
    const grant = await h.grant('TX-6', { taxFreeAmount: 2000, vatAmount: 500, maxAmount: 10000, jti: 'tx6' });
    for (const amount of [5000, 1000]) {
      const done = await h.cancel({ merchant_uid: 'TX-6', reason: 'r', cancel_request_amount: amount }, { grant });
      assert.equal(done.res.status, 200, JSON.stringify(done.body));
    }
    const sent = h.fake.calls.filter((c) => c.route === 'cancel').map((c) => c.body as Record<string, unknown>);
    assert.deepEqual(
      sent.map((b) => [b.amount, b.tax_free, b.vat_amount]),
      [
        [5000, 2000, 500],
        // Smaller than the part, and let through: the part went with the first refund.
        [1000, undefined, undefined],
      ],
    );
  });

  // Guards tax-split.ts refundedUnder()'s leaving revocations out: revoking an unpaid virtual account under a grant
  // refunds nothing and sends no parts, so the grant's first real refund (the order paid again, by card) still sends
  // its tax-free part and VAT.
  it("sends a grant's parts with its first refund after a revocation under it: the revocation sent none", async () => {
    h = await withAdmin();
    const account = h.fake.addPayment({
      merchant_uid: 'TX-REV',
      amount: 12000,
      pay_method: 'vbank',
      pg_provider: 'kicc', // i'mport revokes KICC's unpaid accounts, not NHN KCP's (iamport-v1.md §5.1)
      status: 'ready',
      paid_at: 0,
    });
    const grant = await h.grant('TX-REV', { taxFreeAmount: 2000, vatAmount: 500, maxAmount: 20000, jti: 'txrev' });
    const revoked = await h.cancel({ merchant_uid: 'TX-REV', reason: '주문 취소' }, { grant });
    assert.deepEqual([revoked.res.status, revoked.body.revoked], [200, true], JSON.stringify(revoked.body));
    assert.equal(h.fake.getPayment(account.imp_uid)!.status, 'failed');
    // The order paid again, by card: its payment is now this one.
    const card = h.fake.addPayment({ merchant_uid: 'TX-REV', amount: 10000, pg_provider: 'kcp' });
    await notifyOf(h, card.imp_uid, 'TX-REV', 'paid');
    const done = await h.cancel({ merchant_uid: 'TX-REV', reason: 'r', cancel_request_amount: 5000 }, { grant });
    assert.equal(done.res.status, 200, JSON.stringify(done.body));
    const sent = h.fake.calls.filter((c) => c.route === 'cancel').map((c) => c.body as Record<string, unknown>);
    assert.deepEqual(
      sent.map((b) => [b.imp_uid, b.amount, b.tax_free, b.vat_amount]),
      [[card.imp_uid, 5000, 2000, 500]],
    );
  });

  it('is what a tax-free payment on KCP, KICC, NICE or PAYCO needs: without the part, the PG refuses', async () => {
    h = await withAdmin();
    for (const pg of ['kcp', 'nice']) {
      const uid = `TX-PG-${pg}`;
      const { imp_uid } = h.fake.addPayment({ merchant_uid: uid, amount: 20000, pg_provider: pg });
      h.fake.setTaxFree(imp_uid, 8000);
      const bare = await h.cancel({ merchant_uid: uid, reason: 'r', cancel_request_amount: 10000 });
      assert.equal(bare.body.error.code, 'PG_PROVIDER', `${pg}: refused without tax_free`);
      const grant = await h.grant(uid, { taxFreeAmount: 8000 });
      const split = await h.cancel({ merchant_uid: uid, reason: 'r', cancel_request_amount: 10000 }, { grant });
      assert.equal(split.res.status, 200, `${pg}: refunded with the grant's tax_free`);
      assert.equal(split.body.refunded, 10000);
    }
    // A PG without that rule takes the cancel either way.
    const { imp_uid } = h.fake.addPayment({ merchant_uid: 'TX-PG-inicis', amount: 20000 });
    h.fake.setTaxFree(imp_uid, 8000);
    const inicis = await h.cancel({ merchant_uid: 'TX-PG-inicis', reason: 'r', cancel_request_amount: 10000 });
    assert.equal(inicis.res.status, 200);
  });

  it("keeps a request's parts for its approval, which may not lower the amount below the tax-free part", async () => {
    h = await withRequests();
    h.fake.addPayment({ merchant_uid: 'TX-4', amount: 10000 });
    const { ask, approve } = requestCalls(h);
    const grant = await h.grant('TX-4', { mode: 'request', taxFreeAmount: 3000, vatAmount: 400 });
    const small = await ask({ merchant_uid: 'TX-4', reason: 'r', cancel_request_amount: 2000 }, { grant });
    assert.equal(small.body.error.code, 'INVALID_REQUEST');
    const made = await ask({ merchant_uid: 'TX-4', reason: 'r', cancel_request_amount: 8000 }, { grant });
    assert.equal(made.res.status, 201);
    const id = made.body.request.id;
    const stored = await h.store.getRequest(id);
    assert.deepEqual([stored?.tax_free_amount, stored?.vat_amount], [3000, 400]);
    const lowered = await approve(id, { amount: 2500 });
    assert.equal(lowered.res.status, 400);
    assert.match(lowered.body.error.message, /amount must be at least 3000/);
    assert.equal((await h.store.getRequest(id))?.status, 'requested', 'nothing changed');
    const done = await approve(id, { amount: 5000 });
    assert.equal(done.body.request.status, 'refunded');
    assert.equal(h.fake.count('cancel'), 1);
    const sent = h.fake.calls.find((c) => c.route === 'cancel')!.body as Record<string, unknown>;
    assert.deepEqual([sent.tax_free, sent.vat_amount], [3000, 400], "the customer's grant's parts, at approval");
  });

  it('never sends more VAT than the taxable part of an approval lowered to the tax-free part', async () => {
    h = await withRequests();
    h.fake.addPayment({ merchant_uid: 'TX-5', amount: 10000, pg_provider: 'nice' });
    const { ask, approve } = requestCalls(h);
    const grant = await h.grant('TX-5', { mode: 'request', taxFreeAmount: 3000, vatAmount: 400 });
    const made = await ask({ merchant_uid: 'TX-5', reason: 'r', cancel_request_amount: 7400 }, { grant });
    const done = await approve(made.body.request.id, { amount: 3000 });
    assert.equal(done.body.request.status, 'refunded');
    const sent = h.fake.calls.find((c) => c.route === 'cancel')!.body as Record<string, unknown>;
    assert.deepEqual([sent.amount, sent.tax_free, sent.vat_amount], [3000, 3000, 0], 'all of it tax-free: no VAT');
  });
});
