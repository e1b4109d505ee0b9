// A ledger kept across a switch of gateway (i'mport V1 to PortOne V2, and back), through app.request(): the other
// gateway's payments are shown as the ledger last had them and never sent to the gateway now configured (409
// REFUND_NOT_ALLOWED, no refund.failed); a refund whose outcome was not learned before the switch is shown as being
// checked, never "not found", and is settled once the proxy is back on its gateway, its key refunding at most once.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import * as v from 'valibot';
import { RefundViewSchema } from '../../shared/schemas/refund-view.ts';
import { housekeep } from '../refunds/housekeeping.ts';
import { randomDataKey } from '../requests/account-crypto.ts';
import { anAttempt } from '../store/contract-fixtures.ts';
import { createSqliteStore } from '../store/sqlite.ts';
import type { Store } from '../store/store.ts';
import { createClock, type Harness, tempSqlitePath, WEBHOOKS_ANSWERED } from '../test-support/harness.ts';
import { ACCOUNT, requestCalls, withRequests } from '../test-support/request-calls.ts';
import { createFakeIamport } from './iamport/fake/fake-iamport.ts';
import { createFakePortOne } from './portone/fake/fake-portone.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A store whose storing of an Idempotency-Key's answer fails (a connection reset), all the while it runs. */
const losingAnswers = (inner: Store): Store =>
  new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'completeIdempotencyKey') return async () => Promise.reject(new Error('connection reset'));
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });

/** One shop's ledger (a SQLite file) and both gateways' fakes, on one clock; `on()` starts the proxy on either. */
const shop = () => {
  const path = tempSqlitePath();
  const dataKey = randomDataKey();
  const clock = createClock(Date.UTC(2026, 0, 15, 3));
  const iamport = createFakeIamport({ now: clock.now });
  const portone = createFakePortOne({ now: clock.now });
  const on = async (gateway: 'iamport' | 'portone', { loseAnswers = false } = {}): Promise<Harness> => {
    if (h) {
      await h.settled();
      await h.close();
    }
    const sqlite = createSqliteStore({ path });
    const store = loseAnswers ? losingAnswers(sqlite) : sqlite;
    const started = await withRequests(
      { ...WEBHOOKS_ANSWERED, clock, store, ...(gateway === 'iamport' ? { fake: iamport } : { portone }) },
      dataKey,
    );
    h = started;
    return started;
  };
  return { clock, iamport, portone, on };
};

const eventTypes = async (proxy: Harness, uid: string) => (await proxy.store.listOrderEvents(uid)).map((e) => e.type);

describe("an i'mport V1 order after the switch to PortOne V2", () => {
  it('is shown as the ledger had it, refundable nowhere here, and its refund is refused before anything is sent', async () => {
    const { iamport, portone, on } = shop();
    let proxy = await on('iamport');
    iamport.addPayment({ merchant_uid: 'V1-CARD', amount: 10_000 });
    assert.equal((await proxy.view('V1-CARD')).body.refundable, true);

    proxy = await on('portone');
    const view = await proxy.view('V1-CARD');
    assert.equal(view.res.status, 200, JSON.stringify(view.body));
    assert.ok(v.safeParse(RefundViewSchema, view.body).success);
    // The widget says "This payment can't be refunded now" and to contact the shop: not a form that cannot succeed.
    assert.deepEqual(
      [view.body.refundable, view.body.reason, view.body.amount, view.body.cancel_amount],
      [false, undefined, 10_000, 0],
    );

    const body = { merchant_uid: 'V1-CARD', cancel_request_amount: 1000, reason: 'x', checksum: 10_000 };
    const refused = await proxy.cancel(body, { key: 'v1-card-1' });
    assert.deepEqual([refused.res.status, refused.body.error.code], [409, 'REFUND_NOT_ALLOWED']);
    assert.match(refused.body.error.message, /not made through PortOne/);
    assert.equal(portone.count('any'), 0, 'PortOne is asked nothing about a payment it never made');
    // Nothing failed at a gateway: no refund.failed telling the shop "the payment provider refused".
    assert.deepEqual(await eventTypes(proxy, 'V1-CARD'), []);
    const [attempt] = await proxy.store.listAttempts('V1-CARD');
    assert.deepEqual([attempt?.outcome, attempt?.error_code], ['rejected', 'REFUND_NOT_ALLOWED']);
    // And the order reads the same afterwards, never "not found".
    const after = await proxy.view('V1-CARD');
    assert.deepEqual([after.res.status, after.body.refundable], [200, false]);
  });

  it('an unpaid virtual account is not revoked, a paid one takes no account, and a fully refunded order still says so', async () => {
    const { iamport, portone, on } = shop();
    let proxy = await on('iamport');
    iamport.addPayment({
      merchant_uid: 'V1-VBANK',
      amount: 20_000,
      pay_method: 'vbank',
      pg_provider: 'html5_inicis',
      status: 'ready',
    });
    iamport.addPayment({ merchant_uid: 'V1-DONE', amount: 5000 });
    iamport.addPayment({ merchant_uid: 'V1-PAID', amount: 20_000, pay_method: 'vbank', pg_provider: 'html5_inicis' });
    assert.equal((await proxy.view('V1-VBANK')).body.revocable, true);
    assert.equal((await proxy.view('V1-PAID')).body.refund_account_required, true);
    assert.equal((await proxy.cancel({ merchant_uid: 'V1-DONE', reason: 'x' })).res.status, 200);

    proxy = await on('portone');
    const vbank = await proxy.view('V1-VBANK');
    assert.equal(vbank.body.refundable, false);
    const revoke = await proxy.cancel({ merchant_uid: 'V1-VBANK', reason: 'x' }, { key: 'v1-vbank-1' });
    assert.deepEqual([revoke.res.status, revoke.body.error.code], [409, 'REFUND_NOT_ALLOWED']);
    // Not "can't be refunded to a bank account here" (PortOne's banks are not what it lacks): refundable nowhere here.
    const paid = await proxy.view('V1-PAID');
    assert.deepEqual([paid.body.refundable, paid.body.reason], [false, undefined]);
    const done = await proxy.view('V1-DONE');
    assert.deepEqual([done.body.refundable, done.body.reason], [false, 'fully_refunded']);
    assert.equal(portone.count('any'), 0);
  });

  it("takes no refund request for it, and a V1 request approved after the switch fails before anything is sent; back on i'mport, approved again, it refunds once", async () => {
    const { iamport, portone, on } = shop();
    let proxy = await on('iamport');
    iamport.addPayment({ merchant_uid: 'V1-ASKED', amount: 10_000 });
    iamport.addPayment({ merchant_uid: 'V1-LATER', amount: 10_000 });
    const asked = await requestCalls(proxy).ask({ merchant_uid: 'V1-ASKED', reason: 'r', cancel_request_amount: 4000 });
    assert.equal(asked.res.status, 201);
    await proxy.view('V1-LATER');

    proxy = await on('portone');
    const calls = requestCalls(proxy);
    const late = await calls.ask({ merchant_uid: 'V1-LATER', reason: 'r', cancel_request_amount: 4000 });
    assert.deepEqual([late.res.status, late.body.error.code], [409, 'REFUND_NOT_ALLOWED']);
    const approved = await calls.approve(asked.body.request.id);
    assert.deepEqual(
      [approved.body.request.status, approved.body.request.error_code, approved.body.refund.error.code],
      ['failed', 'REFUND_NOT_ALLOWED', 'REFUND_NOT_ALLOWED'],
    );
    assert.equal(portone.count('any'), 0);
    // Failed before any gateway could refuse it: refund_request.failed, not refund.failed.
    assert.deepEqual(await eventTypes(proxy, 'V1-ASKED'), [
      'refund_request.created',
      'refund_request.approved',
      'refund_request.failed',
    ]);

    proxy = await on('iamport');
    const again = await requestCalls(proxy).approve(asked.body.request.id);
    assert.equal(again.body.request.status, 'refunded', JSON.stringify(again.body));
    assert.equal(iamport.count('cancel'), 1);
  });
});

describe('a V1 refund whose outcome was not learned before the switch', () => {
  it("is shown as being checked, never as not found; nothing is sent, nor its request decided; back on i'mport it settles, its key answering the refund once", async () => {
    const { iamport, portone, clock, on } = shop();
    let proxy = await on('iamport');
    iamport.addPayment({ merchant_uid: 'V1-LOST', amount: 10_000 });
    await proxy.view('V1-LOST');
    iamport.inject({ kind: 'lose_response' });
    iamport.inject({ kind: 'http_5xx', route: 'payment', times: 1 });
    const body = { merchant_uid: 'V1-LOST', cancel_request_amount: 4000, reason: 'x' };
    assert.equal((await proxy.cancel(body, { key: 'lost-1' })).body.error.code, 'REFUND_OUTCOME_UNKNOWN');
    assert.equal(iamport.getPayment((await proxy.store.getPayment('V1-LOST'))!.imp_uid)?.cancel_amount, 4000);
    // And a refund request approved whose refund's answer was lost likewise.
    iamport.addPayment({ merchant_uid: 'V1-APPROVED', amount: 10_000 });
    const asked = await requestCalls(proxy).ask({
      merchant_uid: 'V1-APPROVED',
      reason: 'r',
      cancel_request_amount: 5000,
    });
    iamport.inject({ kind: 'lose_response' });
    iamport.inject({ kind: 'http_5xx', route: 'payment', times: 1 });
    const id = asked.body.request.id;
    assert.equal((await requestCalls(proxy).approve(id)).body.request.status, 'approved');

    proxy = await on('portone');
    const view = await proxy.view('V1-LOST');
    assert.equal(view.res.status, 200, JSON.stringify(view.body));
    assert.deepEqual([view.body.refundable, view.body.reason], [false, 'OUTCOME_PENDING_CHECK']);
    const same = await proxy.cancel(body, { key: 'lost-1' });
    assert.deepEqual([same.res.status, same.body.error.code], [503, 'REFUND_OUTCOME_UNKNOWN']);
    const other = await proxy.cancel({ ...body, reason: 'y' }, { key: 'lost-2' });
    assert.equal(other.body.error.code, 'REFUND_NOT_ALLOWED');
    // Staff can neither approve it again nor reject it: its refund may have been made.
    const calls = requestCalls(proxy);
    assert.equal((await calls.approve(id)).body.error.code, 'REFUND_IN_PROGRESS');
    assert.equal((await calls.reject(id, { reason: 'no' })).body.error.code, 'REFUND_REQUEST_DECIDED');
    // The attention pass tells the shop once, an hour on, and asks PortOne nothing about the V1 payment.
    clock.advance(3600_000);
    await proxy.outbox.runDue();
    await proxy.settled();
    assert.deepEqual(await eventTypes(proxy, 'V1-LOST'), ['attention.needed']);
    assert.ok((await eventTypes(proxy, 'V1-APPROVED')).includes('attention.needed'));
    assert.equal(portone.count('any'), 0);
    // Days on V2, housekeeping every hour: a key whose refund is still unknown is kept, whatever its age.
    clock.advance(3 * 24 * 3600_000);
    await housekeep({ store: proxy.store, now: clock.now, log: () => {} });

    proxy = await on('iamport');
    const settled = await proxy.view('V1-LOST');
    assert.deepEqual([settled.body.refundable, settled.body.cancel_amount], [true, 4000]);
    const answered = await proxy.cancel(body, { key: 'lost-1' });
    assert.deepEqual([answered.res.status, answered.body.refunded], [200, 4000]);
    assert.equal((await proxy.view('V1-APPROVED')).body.request.status, 'refunded');
    assert.equal(iamport.count('cancel'), 2, 'each refunded once');
  });
});

describe('a V1 refund made before the switch whose answer was never stored for its key', () => {
  it("answers that key's retry after the switch with the refund, not a refusal", async () => {
    const { iamport, portone, on } = shop();
    let proxy = await on('iamport', { loseAnswers: true });
    iamport.addPayment({ merchant_uid: 'V1-UNSTORED', amount: 10_000 });
    const body = { merchant_uid: 'V1-UNSTORED', cancel_request_amount: 3000, reason: 'x' };
    assert.equal((await proxy.cancel(body, { key: 'unstored-1' })).res.status, 200);

    proxy = await on('portone');
    const retry = await proxy.cancel(body, { key: 'unstored-1' });
    assert.deepEqual([retry.res.status, retry.body.refunded, retry.body.cancelable_amount], [200, 3000, 7000]);
    assert.equal(portone.count('any'), 0);
    assert.equal(iamport.count('cancel'), 1);
  });
});

describe("back on i'mport after a while on PortOne V2", () => {
  it('a V2 order is shown, refundable nowhere here, and i’mport is sent nothing for it; an accepted V2 cancel stays being checked', async () => {
    const { iamport, portone, on } = shop();
    let proxy = await on('portone');
    portone.addPayment({ paymentId: 'V2-CARD', total: 8000 });
    assert.equal((await proxy.view('V2-CARD')).body.refundable, true);
    portone.addPayment({ paymentId: 'V2-WAIT', total: 8000, cancelMode: 'REQUESTED' });
    const accepted = await proxy.cancel({ merchant_uid: 'V2-WAIT', reason: 'x' }, { key: 'v2-wait-1' });
    assert.equal(accepted.body.accepted, true);

    proxy = await on('iamport');
    const card = await proxy.view('V2-CARD');
    assert.deepEqual([card.res.status, card.body.refundable, card.body.reason], [200, false, undefined]);
    const refused = await proxy.cancel({ merchant_uid: 'V2-CARD', reason: 'x' }, { key: 'v2-card-1' });
    assert.deepEqual([refused.res.status, refused.body.error.code], [409, 'REFUND_NOT_ALLOWED']);
    const wait = await proxy.view('V2-WAIT');
    assert.deepEqual([wait.res.status, wait.body.reason], [200, 'OUTCOME_PENDING_CHECK']);
    const other = await proxy.cancel({ merchant_uid: 'V2-WAIT', reason: 'y' }, { key: 'v2-wait-2' });
    assert.equal(other.body.error.code, 'REFUND_NOT_ALLOWED');
    assert.equal(iamport.count('any'), 0);
  });
});

describe("an order paid again through i'mport beside a PortOne V2 payment whose refund got no answer", () => {
  it("the attention check's look asks i'mport of its own payment only, never of the V2 one", async () => {
    const { iamport, clock, on } = shop();
    const proxy = await on('iamport');
    const own = iamport.addPayment({ merchant_uid: 'MIX', amount: 10_000 });
    assert.equal((await proxy.view('MIX')).res.status, 200);
    // The V2 payment's refund, sent before the switch and never answered: its payment id is the order's.
    const lost = anAttempt({ merchant_uid: 'MIX', imp_uid: 'MIX', started_at: clock.now() });
    await proxy.store.insertAttempt(lost);
    clock.advance(11 * 60 * 1000); // past the time it could still run, and ATTENTION_AFTER's default
    await proxy.outbox.runDue();
    await proxy.settled();
    const asked = iamport.calls.filter((call) => call.route === 'payment').map((call) => call.path);
    assert.ok(!asked.some((path) => path.endsWith('/MIX')), `i'mport asked of the V2 payment: ${asked.join(', ')}`);
    assert.equal((await proxy.store.getAttempt(lost.id))?.outcome ?? null, null, 'left for PortOne to settle');
    assert.equal((await proxy.store.getPayment('MIX'))?.imp_uid, own.imp_uid);
  });
});

describe('a V1 request whose refund was settled as not made, rejected after the switch', () => {
  it("is rejected from the ledger's copy, and PortOne is asked nothing about the V1 payment", async () => {
    const { iamport, portone, clock, on } = shop();
    let proxy = await on('iamport');
    iamport.addPayment({ merchant_uid: 'V1-REJECT', amount: 10_000 });
    const asked = await requestCalls(proxy).ask({
      merchant_uid: 'V1-REJECT',
      reason: 'r',
      cancel_request_amount: 4000,
    });
    const id = asked.body.request.id;
    iamport.inject({ kind: 'drop', route: 'cancel' });
    assert.equal((await requestCalls(proxy).approve(id)).body.refund.error.code, 'REFUND_OUTCOME_UNKNOWN');
    clock.advance(10 * 60_000 + 1000);
    assert.equal((await proxy.view('V1-REJECT')).body.request.status, 'failed', 'settled as not made, on V1');

    proxy = await on('portone');
    const rejected = await requestCalls(proxy).reject(id, { reason: 'no' });
    assert.deepEqual(
      [rejected.res.status, rejected.body.request?.status],
      [200, 'rejected'],
      JSON.stringify(rejected.body),
    );
    assert.equal(portone.count('any'), 0, 'PortOne is asked nothing about a payment it never made');
  });
});

describe("a V1 virtual account's refund account, checked after the switch", () => {
  it('is refused as its refund is, and neither PortOne nor a bank is asked', async () => {
    const { iamport, portone, on } = shop();
    let proxy = await on('iamport');
    iamport.addPayment({ merchant_uid: 'V1-HOLDER', amount: 20_000, pay_method: 'vbank', pg_provider: 'html5_inicis' });
    assert.equal((await proxy.view('V1-HOLDER')).body.refund_account_required, true);

    proxy = await on('portone');
    const checked = await proxy.app.request('/payments/V1-HOLDER/verify-account', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${await proxy.grant('V1-HOLDER')}` },
      body: JSON.stringify({ refund_holder: '홍길동', refund_bank: 'SHINHAN', refund_account: ACCOUNT }),
    });
    const body = (await checked.json()) as { error?: { code: string } };
    assert.deepEqual([checked.status, body.error?.code], [409, 'REFUND_NOT_ALLOWED'], JSON.stringify(body));
    assert.equal(portone.count('any'), 0);
  });
});
