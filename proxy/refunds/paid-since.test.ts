// An unpaid virtual account the customer paid into since the proxy last read it, whose webhook never came: i'mport sends
// it once by default, and a receiver must check the status of a payment whose webhook never arrived (iamport-v1.md §6).
// The ledger's copy said `ready`, and the proxy went on saying unpaid: a partial refund refused as "not paid", no
// request taken, the account offered for revocation.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { Harness } from '../test-support/harness.ts';
import { createHarness } from '../test-support/harness.ts';
import { requestCalls, vbankAsk, withRequests } from '../test-support/request-calls.ts';

let h: Harness;
afterEach(async () => h?.close());

const unpaid = (merchant_uid: string) =>
  ({ merchant_uid, amount: 12000, pay_method: 'vbank', pg_provider: 'kicc', status: 'ready', paid_at: 0 }) as const;

/** The account read unpaid by the proxy, then paid at i'mport with no word to the proxy. */
const paidSince = (merchantUid: string) => {
  const account = h.fake.addPayment(unpaid(merchantUid));
  return {
    account,
    shown: async () => {
      const view = await h.view(merchantUid);
      assert.equal(view.body.revocable, true);
      assert.ok(h.fake.deposit(account.imp_uid));
    },
  };
};

describe('a virtual account paid since the proxy read it unpaid, its webhook lost', () => {
  it('is shown paid and refundable into an account, not unpaid and revocable', async () => {
    h = await createHarness();
    await paidSince('PS-1').shown();
    const view = await h.view('PS-1');
    assert.deepEqual(
      [view.body.status, view.body.revocable, view.body.refundable, view.body.refund_account_required],
      ['paid', false, true, true],
    );
  });

  it('is refunded in part into the customer\'s account, not refused as "not paid"', async () => {
    h = await createHarness();
    await paidSince('PS-2').shown();
    const account = { refund_holder: '홍길동', refund_bank: '004', refund_account: '110123456789' };
    const done = await h.cancel({ merchant_uid: 'PS-2', reason: 'r', cancel_request_amount: 2000, ...account });
    assert.equal(done.res.status, 200, JSON.stringify(done.body));
    assert.deepEqual([done.body.refunded, done.body.cancelable_amount], [2000, 10000]);
  });

  it('takes a refund request, not PAYMENT_NOT_PAID', async () => {
    h = await withRequests();
    await paidSince('PS-3').shown();
    const made = await requestCalls(h).ask({ ...vbankAsk('PS-3'), refund_bank: '004' });
    assert.equal(made.res.status, 201, JSON.stringify(made.body));
  });

  it("keeps the ledger's copy when i'mport cannot be asked: still unpaid, nothing sent", async () => {
    h = await createHarness();
    h.fake.addPayment(unpaid('PS-4'));
    await h.view('PS-4');
    h.fake.inject({ kind: 'http_5xx', route: 'payment', times: Number.POSITIVE_INFINITY });
    const view = await h.view('PS-4');
    assert.deepEqual([view.res.status, view.body.revocable], [200, true]);
  });
});
