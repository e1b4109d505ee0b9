// refund_request.* merchant webhooks: each move of a request sends its event (written with the move), then the
// approved refund's own event, in the order's sequence, verified by a real Standard Webhooks receiver.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { adminKeyId } from '../admin/admin-key.ts';
import { KEY } from '../test-support/admin-calls.ts';
import type { HarnessOptions } from '../test-support/harness.ts';
import { ACCOUNT, ACCOUNT_DIGITS, requestCalls, withRequests } from '../test-support/request-calls.ts';
import { newWebhookSecret, webhookStacks } from '../test-support/webhook-stack.ts';

const start = webhookStacks({
  secret: newWebhookSecret(),
  retryDelaysMs: [5_000],
  harness: (options: HarnessOptions) => withRequests(options),
});

// `any`: the bodies are read field by field.
const bodies = (received: { body: string }[]) =>
  received.map((r) => JSON.parse(r.body) as Record<string, any>).sort((x, y) => x.data.sequence - y.data.sequence); // deliveries run concurrently; the sequence is the order

/** What the receiver got, in order: each event's type, sequence and the status it tells of. */
const timeline = (received: { body: string }[]) =>
  bodies(received).map((b) => [b.type, b.data.sequence, b.data.status]);

/** An approval whose refund failed without a refund event of its own: what the shop hears, in order. */
const APPROVED_THEN_FAILED = [
  ['refund_request.created', 1, 'requested'],
  ['refund_request.approved', 2, 'approved'],
  ['refund_request.failed', 3, 'failed'],
];

describe('refund_request events', () => {
  it('created, approved, then refund.succeeded, in sequence, with the masked account only', async () => {
    const { h, receiver } = await start();
    h.fake.addPayment({ merchant_uid: 'EV-1', amount: 20000, pay_method: 'vbank', pg_provider: 'html5_inicis' });
    const { ask, approve } = requestCalls(h);
    const made = await ask({
      merchant_uid: 'EV-1',
      reason: '단순 변심',
      cancel_request_amount: 7000,
      refund_holder: '홍길동',
      refund_bank: '88',
      refund_account: ACCOUNT,
    });
    const id = made.body.request.id;
    await h.settled();
    await approve(id, { amount: 5000 });
    await h.settled();
    const sent = bodies(receiver.received);
    assert.ok(receiver.received.every((r) => r.verifyError === null));
    assert.deepEqual(
      sent.map((b) => [b.type, b.data.sequence]),
      [
        ['refund_request.created', 1],
        ['refund_request.approved', 2],
        ['refund.succeeded', 3],
      ],
    );
    assert.deepEqual(sent[1]!.data, {
      request_id: id,
      merchant_uid: 'EV-1',
      status: 'approved',
      amount: 7000,
      approved_amount: 5000,
      reason: '단순 변심',
      refund_account_masked: '****6789',
      decided_by: `key:${await adminKeyId(KEY)}`,
      reject_reason: null,
      allow_new_request: true,
      created_at: made.body.request.created_at,
      decided_at: sent[1]!.data.decided_at,
      sequence: 2,
    });
    assert.equal(typeof sent[1]!.data.decided_at, 'number');
    assert.equal(sent[0]!.data.status, 'requested');
    assert.ok(!JSON.stringify(sent).includes(ACCOUNT_DIGITS));
  });

  it('a failed refund approved again: approved, refund.failed, then approved again and refund.succeeded', async () => {
    const { h, receiver } = await start();
    h.fake.addPayment({ merchant_uid: 'EV-3', amount: 9000 });
    const { ask, approve } = requestCalls(h);
    const id = (await ask({ merchant_uid: 'EV-3', reason: '단순 변심' })).body.request.id;
    h.fake.inject({ kind: 'pg_refusal' });
    await approve(id);
    await approve(id);
    await h.settled();
    assert.deepEqual(timeline(receiver.received), [
      ['refund_request.created', 1, 'requested'],
      ['refund_request.approved', 2, 'approved'],
      ['refund.failed', 3, 'paid'],
      ['refund_request.approved', 4, 'approved'],
      ['refund.succeeded', 5, 'cancelled'],
    ]);
    assert.equal(
      new Set(receiver.received.map((r) => r.headers['webhook-id'])).size,
      5,
      'five events, five webhook-ids',
    );
  });

  it('an approval whose refund fails with no refund event of its own: refund_request.failed, with the code', async () => {
    const { h, receiver } = await start();
    const { ask, approve } = requestCalls(h);
    // i'mport's token cannot be had, so the cancel is never sent: the attempt ends failed, with nothing to tell the
    // shop but the request's failure.
    const paid = h.fake.addPayment({ merchant_uid: 'EV-4', amount: 9000 });
    const id = (await ask({ merchant_uid: 'EV-4', reason: '단순 변심' })).body.request.id;
    h.fake.expireTokens();
    h.fake.inject({ kind: 'http_5xx', route: 'token', times: 5 });
    const approved = await approve(id);
    assert.equal(approved.body.refund.ok, false);
    assert.equal(approved.body.request.status, 'failed');
    await h.settled();
    assert.deepEqual(timeline(receiver.received), APPROVED_THEN_FAILED);
    const sent = bodies(receiver.received);
    assert.equal(sent[2]!.data.error_code, approved.body.request.error_code);
    assert.equal(sent[2]!.data.request_id, id);
    assert.ok(receiver.received.every((r) => r.verifyError === null));
    assert.equal(h.fake.getPayment(paid.imp_uid)!.cancel_amount, 0);
  });

  it('an approval whose refund got no answer: still approved, then refund_request.failed once a look settles it as not done', async () => {
    const { h, receiver } = await start();
    const { ask, approve } = requestCalls(h);
    // i'mport answers the cancel with a 5xx and the re-read does not show it: it may still be running there. Once it
    // can no longer be (Gateway.changeMayRunForMs), a look at the order settles it as not done.
    h.fake.addPayment({ merchant_uid: 'EV-5', amount: 9000 });
    const id = (await ask({ merchant_uid: 'EV-5', reason: '단순 변심' })).body.request.id;
    h.fake.inject({ kind: 'http_5xx', route: 'cancel' });
    const approved = await approve(id);
    assert.equal(approved.body.refund.error.code, 'REFUND_OUTCOME_UNKNOWN');
    assert.equal(approved.body.request.status, 'approved', 'nobody knows yet how it ended');
    h.clock.advance(10 * 60_000 + 1000);
    assert.equal((await h.view('EV-5')).body.request.status, 'failed');
    await h.settled();
    // Signed ten minutes ahead of the receiver's own clock, so its timestamp check fails: only the bodies are read.
    assert.deepEqual(timeline(receiver.received), APPROVED_THEN_FAILED);
    const sent = bodies(receiver.received);
    assert.deepEqual([sent[2]!.data.error_code, sent[2]!.data.request_id], ['UPSTREAM_UNAVAILABLE', id]);
    assert.equal(h.fake.count('cancel'), 1);
  });

  it('withdrawn and rejected', async () => {
    const { h, receiver } = await start();
    h.fake.addPayment({ merchant_uid: 'EV-2', amount: 9000 });
    const { ask, withdraw, reject } = requestCalls(h);
    const first = await ask({ merchant_uid: 'EV-2', reason: 'a' });
    await withdraw(first.body.request.id, 'EV-2');
    const second = await ask({ merchant_uid: 'EV-2', reason: 'b' });
    await reject(second.body.request.id, { reason: '기간 경과', allow_new_request: false });
    await h.settled();
    const sent = bodies(receiver.received);
    assert.deepEqual(
      sent.map((b) => b.type),
      ['refund_request.created', 'refund_request.withdrawn', 'refund_request.created', 'refund_request.rejected'],
    );
    assert.deepEqual(
      [sent[3]!.data.reject_reason, sent[3]!.data.allow_new_request, sent[3]!.data.status],
      ['기간 경과', false, 'rejected'],
    );
    assert.equal(sent[1]!.data.status, 'withdrawn');
  });
});
