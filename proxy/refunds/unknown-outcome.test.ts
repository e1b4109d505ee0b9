// A change sent to i'mport whose answer is lost while i'mport cannot be asked: the answer (REFUND_OUTCOME_UNKNOWN), the
// view meanwhile (OUTCOME_PENDING_CHECK), and what happens once i'mport answers again, through app.request().
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import * as v from 'valibot';
import { ErrorAnswerSchema } from '../../shared/schemas/answers.ts';
import { RefundViewSchema } from '../../shared/schemas/refund-view.ts';
import { createFakeIamport } from '../gateways/iamport/fake/fake-iamport.ts';
import { createSqliteStore } from '../store/sqlite.ts';
import type { Store } from '../store/store.ts';
import { createClock, createHarness, type Harness } from '../test-support/harness.ts';
import { notifyOf } from '../test-support/iamport-side.ts';
import { withFetch } from '../test-support/rewrite-answers.ts';

let h: Harness;
afterEach(async () => h?.close());

/** i'mport's payment lookups fail (HTTP 502) until `h.fake.clearFaults()`. */
const lookupsFail = () => h.fake.inject({ kind: 'http_5xx', route: 'payment', times: Number.POSITIVE_INFINITY });

describe("REFUND_OUTCOME_UNKNOWN: a cancel sent, its answer lost, and i'mport not answering lookups", () => {
  it('answers 503 REFUND_OUTCOME_UNKNOWN, audits the attempt as unknown with why, and does not store the answer', async () => {
    h = await createHarness();
    const p = h.fake.addPayment({ merchant_uid: 'UO-1', amount: 10_000 });
    await h.view('UO-1');
    h.fake.inject({ kind: 'lose_response' });
    lookupsFail();
    const body = { merchant_uid: 'UO-1', cancel_request_amount: 4000, reason: 'x' };
    const first = await h.cancel(body, { key: 'uo-1' });
    assert.equal(first.res.status, 503);
    assert.equal(first.body.error.code, 'REFUND_OUTCOME_UNKNOWN');
    assert.ok(v.safeParse(ErrorAnswerSchema, first.body).success);
    assert.doesNotMatch(first.body.error.message, /nothing was refunded/, 'it does not claim what nobody knows');
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 4000, "the refund did happen at i'mport");
    const [attempt] = await h.store.listAttempts('UO-1');
    assert.deepEqual([attempt!.outcome, attempt!.error_code], ['unknown', 'REFUND_OUTCOME_UNKNOWN']);
    assert.match(attempt!.iamport_message ?? '', /no answer to the cancel .*the re-fetch failed \(HTTP 502\)/);
    assert.equal((await h.store.getPayment('UO-1'))!.needs_sync, true, 'the order is marked');

    // Still in the dark: the same key says so again (not a stored answer) and sends nothing.
    const again = await h.cancel(body, { key: 'uo-1' });
    assert.deepEqual([again.res.status, again.body.error.code], [503, 'REFUND_OUTCOME_UNKNOWN']);
    assert.equal(again.res.headers.get('Idempotent-Replayed'), null);
    // Another request sent nothing, and says the order's refund is in progress: not UPSTREAM_UNAVAILABLE, whose
    // "nothing was refunded" the customer would read of the order, whose first refund did go through.
    const other = await h.cancel({ ...body, reason: 'y' }, { key: 'uo-2' });
    assert.deepEqual([other.res.status, other.body.error.code], [409, 'REFUND_IN_PROGRESS']);
    assert.match(other.body.error.message, /earlier refund of this order is still being checked .*sent nothing/);
    assert.equal(h.fake.count('cancel'), 1);
  });

  it("the view says OUTCOME_PENDING_CHECK meanwhile; once i'mport answers, it settles the attempt and shows the fresh figures; the same key then answers the refund, once", async () => {
    h = await createHarness();
    const p = h.fake.addPayment({ merchant_uid: 'UO-2', amount: 10_000 });
    await h.view('UO-2');
    h.fake.inject({ kind: 'lose_response' });
    lookupsFail();
    const body = { merchant_uid: 'UO-2', cancel_request_amount: 4000, reason: 'x' };
    assert.equal((await h.cancel(body, { key: 'uo-k' })).body.error.code, 'REFUND_OUTCOME_UNKNOWN');

    const pending = await h.view('UO-2');
    assert.equal(pending.res.status, 200);
    assert.ok(v.safeParse(RefundViewSchema, pending.body).success, 'a RefundView the widget reads');
    assert.deepEqual(
      [pending.body.refundable, pending.body.reason],
      [false, 'OUTCOME_PENDING_CHECK'],
      'not the stale figures as refundable',
    );
    assert.deepEqual(
      [pending.body.cancel_amount, pending.body.cancelable_amount],
      [0, 10_000],
      "the ledger's last copy",
    );

    h.fake.clearFaults();
    const fresh = await h.view('UO-2');
    assert.deepEqual(
      [fresh.body.refundable, fresh.body.reason, fresh.body.cancel_amount, fresh.body.cancelable_amount],
      [true, undefined, 4000, 6000],
    );
    const [attempt] = await h.store.listAttempts('UO-2');
    assert.equal(attempt!.outcome, 'succeeded', 'the view settled it');
    assert.equal(attempt!.cancellation_id, h.fake.getPayment(p.imp_uid)!.cancel_history[0]!.cancellation_id);
    assert.match(attempt!.iamport_message ?? '', /the re-fetch failed/, 'why it was unknown stays in the audit');
    assert.equal((await h.store.getPayment('UO-2'))!.needs_sync, false);

    const retry = await h.cancel(body, { key: 'uo-k' });
    assert.equal(retry.res.status, 200, JSON.stringify(retry.body));
    assert.deepEqual([retry.body.refunded, retry.body.cancelable_amount], [4000, 6000]);
    assert.equal(h.fake.count('cancel'), 1, "exactly one cancel at i'mport");
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 4000);
  });

  it("the same key, once i'mport answers and can no longer be running the lost cancel, refunds once", async () => {
    h = await createHarness();
    const p = h.fake.addPayment({ merchant_uid: 'UO-3', amount: 10_000 });
    await h.view('UO-3');
    h.fake.inject({ kind: 'drop', route: 'cancel' });
    lookupsFail();
    const body = { merchant_uid: 'UO-3', cancel_request_amount: 4000, reason: 'x' };
    assert.equal((await h.cancel(body, { key: 'uo-3' })).body.error.code, 'REFUND_OUTCOME_UNKNOWN');
    assert.equal((await h.view('UO-3')).body.reason, 'OUTCOME_PENDING_CHECK');
    h.fake.clearFaults();
    const soon = await h.cancel(body, { key: 'uo-3' });
    assert.equal(
      soon.body.error?.code,
      'REFUND_OUTCOME_UNKNOWN',
      "i'mport shows nothing yet, but may still be running it",
    );
    assert.equal(h.fake.count('cancel'), 1, 'nothing more was sent');
    h.clock.advance(10 * 60_000 + 1000);
    const retry = await h.cancel(body, { key: 'uo-3' });
    assert.equal(retry.res.status, 200, JSON.stringify(retry.body));
    assert.equal(retry.body.refunded, 4000);
    assert.deepEqual(
      (await h.store.listAttempts('UO-3')).map((a) => a.outcome),
      ['failed', 'succeeded'],
    );
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_history.length, 1, 'refunded once');
    const replay = await h.cancel(body, { key: 'uo-3' });
    assert.equal(replay.res.headers.get('Idempotent-Replayed'), 'true');
  });

  it('the view of an order with a refund running says OUTCOME_PENDING_CHECK, then the outcome', async () => {
    h = await createHarness();
    h.fake.addPayment({ merchant_uid: 'UO-4', amount: 10_000 });
    await h.view('UO-4');
    h.fake.inject({ kind: 'delay', route: 'cancel', ms: 300 });
    const running = h.cancel({ merchant_uid: 'UO-4', reason: 'x' }, { key: 'uo-4' });
    while (h.fake.count('cancel') === 0) await new Promise((resolve) => setImmediate(resolve));
    const during = await h.view('UO-4');
    assert.deepEqual([during.body.refundable, during.body.reason], [false, 'OUTCOME_PENDING_CHECK']);
    assert.equal((await running).res.status, 200);
    const after = await h.view('UO-4');
    assert.deepEqual([after.body.refundable, after.body.reason], [false, 'fully_refunded']);
  });

  it("costs an ordinary view one ledger read: no audit read and no i'mport call once the row is up to date", async () => {
    let audits = 0;
    const inner = createSqliteStore({ path: ':memory:' });
    const listAttempts: Store['listAttempts'] = (uid) => {
      audits += 1;
      return inner.listAttempts(uid);
    };
    const store: Store = { ...inner, listAttempts };
    h = await createHarness({ store });
    h.fake.addPayment({ merchant_uid: 'UO-5', amount: 10_000 });
    await h.cancel({ merchant_uid: 'UO-5', cancel_request_amount: 1000, reason: 'x' });
    const [lookups, read] = [h.fake.count('any'), audits];
    const view = await h.view('UO-5');
    assert.deepEqual([view.body.refundable, view.body.cancelable_amount], [true, 9000]);
    assert.deepEqual([h.fake.count('any'), audits], [lookups, read]);
  });
});

describe('REFUND_OUTCOME_UNKNOWN: the revocation of an unpaid virtual account (DELETE /vbanks)', () => {
  // KICC: a PG whose unpaid accounts i'mport revokes, with no key of its own to give (iamport-v1.md §5.1).
  const ready = { amount: 5000, pay_method: 'vbank', pg_provider: 'kicc', status: 'ready', paid_at: 0 } as const;

  it('answers REFUND_OUTCOME_UNKNOWN when its answer is lost and lookups fail; the same key later answers the revocation, sent once', async () => {
    h = await createHarness();
    const p = h.fake.addPayment({ merchant_uid: 'UV-1', ...ready });
    await h.view('UV-1');
    h.fake.inject({ kind: 'lose_response', route: 'vbank' });
    lookupsFail();
    const first = await h.cancel({ merchant_uid: 'UV-1', reason: 'x' }, { key: 'uv-1' });
    assert.deepEqual([first.res.status, first.body.error.code], [503, 'REFUND_OUTCOME_UNKNOWN']);
    assert.match(first.body.error.message, /revocation/);
    assert.equal(h.fake.getPayment(p.imp_uid)!.status, 'failed', "i'mport did revoke it");
    const [attempt] = await h.store.listAttempts('UV-1');
    assert.equal(attempt!.outcome, 'unknown');
    assert.match(attempt!.iamport_message ?? '', /no answer to the revocation/);
    assert.equal((await h.view('UV-1')).body.reason, 'OUTCOME_PENDING_CHECK');

    h.fake.clearFaults();
    const retry = await h.cancel({ merchant_uid: 'UV-1', reason: 'x' }, { key: 'uv-1' });
    assert.equal(retry.res.status, 200, JSON.stringify(retry.body));
    assert.deepEqual([retry.body.revoked, retry.body.refunded], [true, 0]);
    assert.equal(h.fake.count('vbank'), 1);
  });

  it('answers at once that the account changed when its revocation got no answer and the account shows paid', async () => {
    const clock = createClock();
    const fake = createFakeIamport({ now: clock.now });
    const p = fake.addPayment({ merchant_uid: 'UV-3', ...ready });
    // The customer's deposit lands while the revocation is on its way, and its answer never comes back.
    const depositThenDrop: typeof fetch = async (input, init) => {
      if (init?.method === 'DELETE') {
        fake.addPayment({ ...p, status: 'paid', paid_at: Math.floor(clock.now() / 1000) });
        throw new TypeError('fetch failed');
      }
      return fake.fetch(input, init);
    };
    h = await createHarness({ clock, fake: withFetch(fake, depositThenDrop) });
    await h.view('UV-3');
    const first = await h.cancel({ merchant_uid: 'UV-3', reason: 'x' }, { key: 'uv-3' });
    assert.equal(first.body.error?.code, 'CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN', JSON.stringify(first.body));
    assert.equal(first.body.cancelable_amount, 5000, 'the paid amount, refundable to an account');
    assert.equal((await h.store.listAttempts('UV-3'))[0]!.outcome, 'failed', 'an unpaid account only can be revoked');
    assert.equal((await h.view('UV-3')).body.refundable, true);
  });

  it("answers the revocation when i'mport shows the revoked account as cancelled (never paid), not that it changed", async () => {
    // i'mport's status after a revocation is not documented (iamport-v1.md §4.2): `failed` most likely, maybe `cancelled`.
    const clock = createClock();
    const fake = createFakeIamport({ now: clock.now });
    const p = fake.addPayment({ merchant_uid: 'UV-4', ...ready });
    const revokeThenDrop: typeof fetch = async (input, init) => {
      if (init?.method === 'DELETE') {
        fake.addPayment({ ...p, status: 'cancelled', paid_at: 0, cancel_amount: 0 });
        throw new TypeError('fetch failed');
      }
      return fake.fetch(input, init);
    };
    h = await createHarness({ clock, fake: withFetch(fake, revokeThenDrop) });
    await h.view('UV-4');
    const first = await h.cancel({ merchant_uid: 'UV-4', reason: 'x' }, { key: 'uv-4' });
    assert.equal(first.res.status, 200, JSON.stringify(first.body));
    assert.deepEqual([first.body.revoked, first.body.refunded], [true, 0]);
    assert.equal((await h.store.listAttempts('UV-4'))[0]!.outcome, 'succeeded');
    const view = await h.view('UV-4');
    assert.deepEqual([view.body.refundable, view.body.reason], [false, 'not_paid'], 'no refund offered for it');
  });

  it('is not reported as revoked when the customer paid in the meantime', async () => {
    h = await createHarness();
    const p = h.fake.addPayment({ merchant_uid: 'UV-2', ...ready });
    await h.view('UV-2');
    h.fake.inject({ kind: 'drop', route: 'vbank' });
    lookupsFail();
    const first = await h.cancel({ merchant_uid: 'UV-2', reason: 'x' }, { key: 'uv-2' });
    assert.equal(first.body.error.code, 'REFUND_OUTCOME_UNKNOWN');
    h.fake.addPayment({ ...p, status: 'paid', paid_at: Math.floor(h.clock.now() / 1000) });
    h.fake.clearFaults();
    const retry = await h.cancel({ merchant_uid: 'UV-2', reason: 'x' }, { key: 'uv-2' });
    assert.notEqual(retry.body.revoked, true);
    assert.equal(retry.body.error.code, 'REFUND_ACCOUNT_REQUIRED', 'a paid virtual account is refunded to an account');
    assert.equal((await h.store.listAttempts('UV-2'))[0]!.outcome, 'failed');
  });

  // Guards settle.ts settleAttempts' `moot` for a revocation (`payment.status !== 'ready'`): an account paid and then
  // refunded (`cancelled`) can no more be revoked than one paid, so the lost revocation is settled at once, not held
  // for the ten minutes it might still be running.
  it('is settled at once as not made when the customer paid and the account was refunded in full meanwhile', async () => {
    h = await createHarness();
    const p = h.fake.addPayment({ merchant_uid: 'UV-5', ...ready });
    await h.view('UV-5');
    h.fake.inject({ kind: 'drop', route: 'vbank' });
    lookupsFail();
    const first = await h.cancel({ merchant_uid: 'UV-5', reason: 'x' }, { key: 'uv-5' });
    assert.equal(first.body.error.code, 'REFUND_OUTCOME_UNKNOWN');
    // Within the ten minutes: the customer pays, and the shop refunds it in full in i'mport's console.
    const paidAt = Math.floor(h.clock.now() / 1000);
    h.fake.addPayment({
      ...p,
      status: 'cancelled',
      paid_at: paidAt,
      cancel_amount: 5000,
      cancel_history: [
        {
          pg_tid: 'tid-uv-5',
          amount: 5000,
          cancelled_at: paidAt,
          reason: 'console',
          cancellation_id: 'c-uv-5',
          receipt_url: null,
        },
      ],
    });
    h.fake.clearFaults();
    const view = await h.view('UV-5');
    assert.notEqual(view.body.reason, 'OUTCOME_PENDING_CHECK', JSON.stringify(view.body));
    assert.deepEqual([view.body.status, view.body.refundable], ['cancelled', false]);
    const [attempt] = await h.store.listAttempts('UV-5');
    assert.equal(attempt!.outcome, 'failed', 'settled as not made, not held open');
    assert.equal((await h.store.getPayment('UV-5'))!.needs_sync, false);
    const retry = await h.cancel({ merchant_uid: 'UV-5', reason: 'x' }, { key: 'uv-5' });
    assert.notEqual(retry.body.revoked, true);
    assert.notEqual(retry.body.error?.code, 'REFUND_OUTCOME_UNKNOWN', JSON.stringify(retry.body));
    assert.equal(h.fake.count('vbank'), 1, 'no revocation sent again');
  });

  /**
   * A revocation of UV-6's virtual account whose answer was lost (i'mport did revoke it) while i'mport could not be
   * asked, then a new card payment for the same order, paid and announced by i'mport's webhook: the order is now tied
   * to that one. Returns both payments.
   */
  const revokedThenPaidAgain = async (merchantUid: string, key: string) => {
    h = await createHarness();
    const revoked = h.fake.addPayment({ merchant_uid: merchantUid, ...ready });
    await h.view(merchantUid);
    h.fake.inject({ kind: 'lose_response', route: 'vbank' });
    lookupsFail();
    const first = await h.cancel({ merchant_uid: merchantUid, reason: 'x' }, { key });
    assert.equal(first.body.error.code, 'REFUND_OUTCOME_UNKNOWN');
    assert.equal(h.fake.getPayment(revoked.imp_uid)!.status, 'failed', "i'mport did revoke it");
    h.fake.clearFaults();
    const paid = h.fake.addPayment({ merchant_uid: merchantUid, amount: 5000 }); // a card this time
    assert.equal((await notifyOf(h, paid.imp_uid, merchantUid, 'paid')).status, 200);
    await h.settled();
    assert.equal(await h.store.tiedImpUid(merchantUid), paid.imp_uid);
    return { revoked, paid };
  };

  // Guards settle.ts settleAttempts' filter `a.imp_uid === payment.imp_uid`: the revocation is judged from its own
  // account's copy only. Judged from the new card payment's (paid, so "moot"), it would be settled as not made, and the
  // same key's retry would then refund the card payment instead of answering the revocation.
  it("is never settled from another payment of the order: the new payment's webhook leaves it unknown, its own account's settles it", async () => {
    const { revoked, paid } = await revokedThenPaidAgain('UV-6', 'uv-6');
    assert.deepEqual(
      (await h.store.listAttempts('UV-6')).map((a) => [a.imp_uid, a.outcome]),
      [[revoked.imp_uid, 'unknown']],
      "the card payment's copy says nothing of the account's revocation",
    );
    assert.equal((await notifyOf(h, revoked.imp_uid, 'UV-6', 'failed')).status, 200);
    await h.settled();
    const [attempt] = await h.store.listAttempts('UV-6');
    assert.equal(attempt!.outcome, 'succeeded', "settled from the revoked account's own copy");
    const retry = await h.cancel({ merchant_uid: 'UV-6', reason: 'x' }, { key: 'uv-6' });
    assert.equal(retry.res.status, 200, JSON.stringify(retry.body));
    assert.equal(retry.body.revoked, true);
    assert.equal(h.fake.count('cancel'), 0, 'the card payment was not refunded');
    assert.equal(h.fake.getPayment(paid.imp_uid)!.cancel_amount, 0);
  });

  // The key's retry must learn what its own attempt did, which only the revoked account's copy says: judged against the
  // card payment the order is tied to now, it was left unknown and the retry went on to refund the card in full.
  it("the same key's retry, with the order paid by card since, answers the revocation it made and never refunds the card", async () => {
    const { revoked, paid } = await revokedThenPaidAgain('UV-8', 'uv-8');
    const retry = await h.cancel({ merchant_uid: 'UV-8', reason: 'x' }, { key: 'uv-8' });
    assert.equal(retry.res.status, 200, JSON.stringify(retry.body));
    assert.deepEqual([retry.body.revoked, retry.body.refunded, retry.body.imp_uid], [true, 0, revoked.imp_uid]);
    assert.equal(h.fake.count('cancel'), 0, 'the card payment was not refunded');
    assert.equal(h.fake.getPayment(paid.imp_uid)!.cancel_amount, 0);
    assert.deepEqual(
      (await h.store.listAttempts('UV-8')).map((a) => [a.imp_uid, a.outcome]),
      [[revoked.imp_uid, 'succeeded']],
    );
  });

  // Guards settle.ts runningChange's `a.imp_uid === payment.imp_uid`: a change that may still be running on another
  // payment of the order (the revoked account's) does not hold a refund of the payment the order is tied to now.
  it('an unsettled revocation of an earlier payment of the order does not hold a refund of the new one (no REFUND_IN_PROGRESS)', async () => {
    const { revoked, paid } = await revokedThenPaidAgain('UV-7', 'uv-7');
    const refund = await h.cancel({ merchant_uid: 'UV-7', reason: 'y' }, { key: 'uv-7-card' });
    assert.equal(refund.res.status, 200, JSON.stringify(refund.body));
    assert.deepEqual([refund.body.imp_uid, refund.body.refunded], [paid.imp_uid, 5000]);
    assert.equal(h.fake.getPayment(paid.imp_uid)!.cancel_amount, 5000);
    const attempts = await h.store.listAttempts('UV-7');
    assert.deepEqual(
      attempts.map((a) => [a.imp_uid, a.outcome]),
      [
        [revoked.imp_uid, 'unknown'],
        [paid.imp_uid, 'succeeded'],
      ],
    );
  });
});
