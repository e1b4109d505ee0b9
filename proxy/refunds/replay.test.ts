// What an Idempotency-Key stores is the answer as sent (one rendering, toAnswer), and a stored answer, including one
// an earlier version of the proxy wrote, replays byte for byte.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createHarness, type Harness } from '../test-support/harness.ts';
import { legacyRequestHash } from './request-hash.ts';

let h: Harness;
afterEach(async () => h?.close());

const storedFor = async (key: string, merchant_uid: string) => {
  await h.settled();
  const { record, created } = await h.store.claimIdempotencyKey({
    key,
    merchant_uid,
    request_hash: '-',
    created_at: 0,
  });
  assert.equal(created, false, 'the key was stored');
  return record;
};

describe('Idempotency-Key: the stored answer', () => {
  it('keeps a keyed hash of the request, never a plain one that could be searched back to the refund account', async () => {
    h = await createHarness();
    h.fake.addPayment({ merchant_uid: 'R-0', amount: 9000, pay_method: 'vbank', pg_provider: 'html5_inicis' });
    const request = {
      merchant_uid: 'R-0',
      reason: 'x',
      refund_holder: '홍길동',
      refund_bank: '88',
      refund_account: '110123456789',
    };
    assert.equal((await h.cancel(request, { key: 'r-key-0' })).res.status, 200);
    const record = await storedFor('r-key-0', 'R-0');
    assert.match(record.request_hash, /^[0-9a-f]{64}$/);
    assert.notEqual(record.request_hash, await legacyRequestHash(request));
    const again = await h.cancel(request, { key: 'r-key-0' });
    assert.equal(again.res.headers.get('Idempotent-Replayed'), 'true', 'the same request still matches it');
  });

  it('is the answer as it was sent, and its replay is the same bytes', async () => {
    h = await createHarness();
    h.fake.addPayment({ merchant_uid: 'R-1', amount: 9000 });
    const request = { merchant_uid: 'R-1', cancel_request_amount: 1000, reason: 'x' };
    const first = await h.cancel(request, { key: 'r-key-1' });
    const record = await storedFor('r-key-1', 'R-1');
    assert.equal(record.response_status, 200);
    // c.json() writes JSON.stringify of the body, so re-serialising what was read gives the bytes sent.
    assert.equal(record.response_body, JSON.stringify(first.body));
    const again = await h.cancel(request, { key: 'r-key-1' });
    assert.equal(JSON.stringify(again.body), record.response_body);
  });

  it('stores a deterministic refusal with its status and fresh balance', async () => {
    h = await createHarness();
    h.fake.addPayment({ merchant_uid: 'R-2', amount: 1000 });
    const over = await h.cancel({ merchant_uid: 'R-2', cancel_request_amount: 5000, reason: 'x' }, { key: 'r-key-2' });
    const record = await storedFor('r-key-2', 'R-2');
    assert.equal(record.response_status, 409);
    assert.equal(record.response_body, JSON.stringify(over.body));
    assert.deepEqual(over.body, {
      ok: false,
      error: { code: 'CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT', message: 'At most 1000 KRW can be refunded.' },
      cancelable_amount: 1000,
    });
  });

  it("replays an answer an earlier version wrote, as written, without calling i'mport", async () => {
    h = await createHarness();
    h.fake.addPayment({ merchant_uid: 'R-3', amount: 9000 });
    const request = { merchant_uid: 'R-3', cancel_request_amount: 500, reason: 'x' };
    const written =
      '{"ok":true,"merchant_uid":"R-3","imp_uid":"imp_000000000001","refunded":500,"cancel_amount":500,' +
      '"cancelable_amount":8500,"status":"cancelled","pay_method":"card","pending":false,' +
      '"receipt_url":"https://r.example/1"}';
    const claim = {
      key: 'r-key-3',
      merchant_uid: 'R-3',
      request_hash: await legacyRequestHash(request), // as an earlier version hashed it: plain SHA-256
      created_at: Date.now(),
    };
    await h.store.claimIdempotencyKey(claim);
    await h.store.completeIdempotencyKey('r-key-3', 200, written);

    const replay = await h.cancel(request, { key: 'r-key-3' });

    assert.equal(replay.res.status, 200);
    assert.equal(replay.res.headers.get('Idempotent-Replayed'), 'true');
    assert.equal(JSON.stringify(replay.body), written);
    assert.equal(h.fake.count('cancel'), 0);
  });
});
