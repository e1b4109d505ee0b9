// What the proxy says back must not carry what a client sent or what it runs on: no echoed paths or order ids, no
// upstream hosts, masks that hide an account number's length; and text that would display as something else than it
// is (controls, bidi overrides, lone surrogates) never reaches i'mport or the audit.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createHarness, type Harness } from '../test-support/harness.ts';

let h: Harness;
afterEach(async () => h?.close());

describe('small leaks', () => {
  it('a 404 echoes neither the path nor the merchant_uid', async () => {
    h = await createHarness();
    const route = await h.app.request('/payments-<script>alert(1)</script>/x');
    assert.equal(route.status, 404);
    assert.doesNotMatch(await route.text(), /script|payments-/);
    const order = await h.view('ORDER-<b>SECRET</b>');
    assert.equal(order.res.status, 404);
    assert.equal(order.body.error.code, 'PAYMENT_NOT_FOUND');
    assert.doesNotMatch(JSON.stringify(order.body), /SECRET/);
  });

  it("answers i'mport being unreachable without naming its host or port", async () => {
    h = await createHarness();
    h.fake.addPayment({ merchant_uid: 'LEAK-1', amount: 1000 });
    h.fake.inject({ kind: 'drop', route: 'find' });
    const view = await h.view('LEAK-1');
    assert.equal(view.res.status, 503);
    assert.doesNotMatch(JSON.stringify(view.body), /iamport\.test|fetch failed|TypeError|:\d{2,5}\b/);
    assert.ok(
      h.logs.some((line) => line.msg === "i'mport lookup failed"),
      'the detail is in the log',
    );
  });

  it('masks an account number as ****1234 whatever its length', async () => {
    h = await createHarness();
    h.fake.addPayment({ merchant_uid: 'LEAK-2', amount: 1000, pay_method: 'vbank', pg_provider: 'html5_inicis' });
    const account = { refund_holder: '홍길동', refund_bank: '88', refund_account: '1234567890123456' };
    const res = await h.cancel({ merchant_uid: 'LEAK-2', reason: 'x', ...account });
    assert.equal(res.res.status, 200);
    const [attempt] = await h.store.listAttempts('LEAK-2');
    assert.equal(attempt!.refund_account_masked, '****3456');
  });

  for (const [name, text] of [
    ['a right-to-left override', '단순 변심\u202e심변 순단'],
    ['a bidi isolate', '\u2066환불\u2069'],
    ['a control character', '환불\u0000요청'],
    ['a line break', '환불\n요청'],
    ['a lone surrogate', '환불\ud800'],
    ['a line separator', '환불\u2028요청'],
    ['nothing but a zero-width space', '\u200b'],
  ] as const) {
    it(`refuses ${name} in reason and refund_holder with 400 naming the field, and sends nothing`, async () => {
      h = await createHarness();
      h.fake.addPayment({ merchant_uid: 'LEAK-3', amount: 1000, pay_method: 'vbank', pg_provider: 'html5_inicis' });
      const account = { refund_holder: '홍길동', refund_bank: '88', refund_account: '1234567890' };
      const base = { merchant_uid: 'LEAK-3', reason: '단순 변심', ...account };
      for (const field of ['reason', 'refund_holder'] as const) {
        const res = await h.cancel({ ...base, [field]: text });
        assert.equal(res.res.status, 400);
        assert.equal(res.body.error.code, 'INVALID_REQUEST');
        const says =
          `^${field} must be visible text without control characters, line separators, zero-width spaces, ` +
          'bidirectional overrides or unpaired surrogates';
        assert.match(res.body.error.message, new RegExp(says));
      }
      assert.equal(h.fake.count('cancel'), 0);
      assert.deepEqual(await h.store.listAttempts('LEAK-3'), []);
    });
  }

  it('names a refused Origin in its 403 cut to 200 characters, as the log does', async () => {
    h = await createHarness();
    const origin = `https://${'a'.repeat(10_000)}.example`;
    const { res, body } = await h.view('LEAK-O', { headers: { Origin: origin } });
    assert.equal(res.status, 403);
    assert.equal(body.error.message, `Origin ${origin.slice(0, 200)}… is not in ALLOWED_ORIGINS.`);
  });

  it('takes application/json itself (with parameters), nothing that merely starts like it', async () => {
    h = await createHarness();
    h.fake.addPayment({ merchant_uid: 'LEAK-4', amount: 1000 });
    const grant = await h.grant('LEAK-4');
    const post = (type: string) =>
      h.app.request('/payments/cancel', {
        method: 'POST',
        headers: { Authorization: `Bearer ${grant}`, 'Content-Type': type },
        body: JSON.stringify({ merchant_uid: 'LEAK-4', cancel_request_amount: 100, reason: 'x' }),
      });
    for (const type of ['application/json-patch+json', 'application/jsonp', 'text/json', 'application/json5']) {
      assert.equal((await post(type)).status, 400, type);
    }
    assert.equal(h.fake.count('cancel'), 0);
    assert.equal((await post('Application/JSON; charset=utf-8')).status, 200);
  });
});
