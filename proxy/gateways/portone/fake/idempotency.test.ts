/**
 * @module Tests of `Idempotency-Key` as the REST V2 overview documents it (docs page "멱등 키"; the OpenAPI does not
 * list it): the quoted 16–256 ASCII form, replaying a finished request's answer, 409
 * `IDEMPOTENCY_OUTSTANDING_REQUEST` while the first is running, a client disconnect not stopping the request, and the
 * 3-hour window.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { api, BASE, postJson, readAnswer, setup, until } from './test-fixture.ts';

const KEY = '"refund-0123456789abcdef"';
const key = (header: string) => ({ 'Idempotency-Key': header });

const paid = () => {
  const fixture = setup();
  fixture.fake.addPayment({ paymentId: 'order-1', total: 10000 });
  return fixture;
};

describe('the Idempotency-Key header: "RFC 8941에 따라 문자열을 쌍따옴표로", "16~256자의 ASCII 문자열"', () => {
  const invalid: [string, string][] = [
    ['an unquoted key', 'refund-0123456789abcdef'],
    ['15 characters', `"${'a'.repeat(15)}"`],
    ['257 characters', `"${'a'.repeat(257)}"`],
    ['a non-ASCII character (Latin-1 é; a header holds no wider ones)', '"refund-é123456789abcdef"'],
    ['an unescaped quote inside', '"refund-0123"456789abcdef"'],
  ];
  for (const [name, header] of invalid) {
    it(`refuses ${name} with 400 INVALID_REQUEST and cancels nothing`, async () => {
      const { fake } = paid();
      const { status, body } = await api(fake).post('/payments/order-1/cancel', { reason: 'r' }, key(header));
      assert.equal(status, 400);
      assert.equal(body.type, 'INVALID_REQUEST');
      assert.equal(fake.getPayment('order-1')?.amount.cancelled, 0);
    });
  }

  it('takes keys of 16 and of 256 characters', async () => {
    const { fake } = paid();
    const short = await api(fake).post(
      '/payments/order-1/cancel',
      { reason: 'r', amount: 1 },
      key(`"${'a'.repeat(16)}"`),
    );
    const long = await api(fake).post(
      '/payments/order-1/cancel',
      { reason: 'r', amount: 1 },
      key(`"${'b'.repeat(256)}"`),
    );
    assert.deepEqual([short.status, long.status], [200, 200]);
  });

  it('ignores the header on GET ("GET은 무시됨")', async () => {
    const { fake } = paid();
    assert.equal((await api(fake).get('/payments/order-1', key('not quoted'))).status, 200);
  });
});

describe('a retry with the same key', () => {
  it('gets the first answer after it finished ("기존 응답을 그대로 반환"), applying nothing twice', async () => {
    const { fake } = paid();
    const first = await api(fake).post('/payments/order-1/cancel', { reason: 'r', amount: 4000 }, key(KEY));
    const again = await api(fake).post('/payments/order-1/cancel', { reason: 'r', amount: 4000 }, key(KEY));
    assert.equal(first.status, 200);
    assert.deepEqual([again.status, again.body], [first.status, first.body]);
    assert.equal(fake.getPayment('order-1')?.amount.cancelled, 4000);
  });

  it('gets the first answer even when it was an error and the payment has changed since', async () => {
    const { fake } = paid();
    const body = { reason: 'r', amount: 1000, currentCancellableAmount: 9000 };
    const first = await api(fake).post('/payments/order-1/cancel', body, key(KEY));
    assert.equal(first.body.type, 'CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN');
    await api(fake).post('/payments/order-1/cancel', { reason: 'r', amount: 1000 });
    const again = await api(fake).post('/payments/order-1/cancel', body, key(KEY));
    assert.deepEqual([again.status, again.body], [409, first.body]);
  });

  it('answers 409 IDEMPOTENCY_OUTSTANDING_REQUEST while the first is still running, then the first answer', async () => {
    const { fake } = paid();
    fake.inject({ kind: 'stall' });
    const first = api(fake).post('/payments/order-1/cancel', { reason: 'r' }, key(KEY));
    await until(() => fake.stalled === 1);
    const during = await api(fake).post('/payments/order-1/cancel', { reason: 'r' }, key(KEY));
    assert.deepEqual([during.status, during.body.type], [409, 'IDEMPOTENCY_OUTSTANDING_REQUEST']);
    assert.equal(fake.releaseStalled(), 1);
    const done = await first;
    assert.equal(done.status, 200);
    const after = await api(fake).post('/payments/order-1/cancel', { reason: 'r' }, key(KEY));
    assert.deepEqual(after.body, done.body);
    assert.equal(fake.getPayment('order-1')?.cancellations.length, 1);
  });

  it('finds out the outcome of a request the client gave up on: a disconnect does not cancel it', async () => {
    const { fake } = paid();
    fake.inject({ kind: 'stall' });
    const controller = new AbortController();
    const request = fake.fetch(`${BASE}/payments/order-1/cancel`, {
      ...postJson(fake, { reason: 'r' }, key(KEY)),
      signal: controller.signal,
    });
    await until(() => fake.stalled === 1);
    controller.abort();
    await assert.rejects(request, { name: 'AbortError' });
    fake.releaseStalled();
    await until(() => fake.getPayment('order-1')?.status === 'CANCELLED');
    const retry = await readAnswer(
      await fake.fetch(`${BASE}/payments/order-1/cancel`, postJson(fake, { reason: 'r' }, key(KEY))),
    );
    assert.equal(retry.status, 200);
    assert.equal((retry.body.cancellation as { totalAmount: number }).totalAmount, 10000);
  });

  it('recovers an answer lost on the way back (lose_response) without cancelling twice', async () => {
    const { fake } = paid();
    fake.inject({ kind: 'lose_response' });
    const send = () =>
      fake.fetch(`${BASE}/payments/order-1/cancel`, postJson(fake, { reason: 'r', amount: 2500 }, key(KEY)));
    await assert.rejects(send(), { name: 'TypeError', message: 'fetch failed' });
    const retry = await readAnswer(await send());
    assert.equal(retry.status, 200);
    assert.equal(fake.getPayment('order-1')?.amount.cancelled, 2500);
  });

  it('is a new request once the key is older than 3 hours ("멱등성 보장 기간: 3시간")', async () => {
    const { fake, advance } = paid();
    await api(fake).post('/payments/order-1/cancel', { reason: 'r' }, key(KEY));
    advance(3 * 3600 - 1);
    assert.equal((await api(fake).post('/payments/order-1/cancel', { reason: 'r' }, key(KEY))).status, 200);
    advance(1);
    const later = await api(fake).post('/payments/order-1/cancel', { reason: 'r' }, key(KEY));
    assert.deepEqual([later.status, later.body.type], [409, 'PAYMENT_ALREADY_CANCELLED']);
  });
});
