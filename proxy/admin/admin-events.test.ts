// The admin API's view of the merchant webhooks: an order's events with their deliveries, the events by status in
// keyset pages, and redelivery (same webhook-id, verified by the standardwebhooks package on a loopback receiver).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { adminCalls, json, withAdmin } from '../test-support/admin-calls.ts';
import { newWebhookSecret, refundOnce as refund, webhookStacks } from '../test-support/webhook-stack.ts';

const SCHEDULE = [5_000];
const stack = webhookStacks({ secret: newWebhookSecret(), retryDelaysMs: SCHEDULE, harness: withAdmin });
const start = async () => {
  const { h, receiver } = await stack();
  return { h, receiver, ...adminCalls(h) };
};

describe('admin API: merchant webhook events', () => {
  it("shows an order's events with every delivery attempt", async () => {
    const { h, receiver, admin } = await start();
    receiver.failNext(1);
    await refund(h, 'AE-1');
    const body = await json(await admin('/admin/payments/AE-1'));
    assert.equal(body.events.length, 1);
    const filtered = await admin('/admin/payments/AE-1?status=failed');
    assert.equal(filtered.status, 400, 'no parameters here: a filter would be ignored');
    assert.match((await json(filtered)).error.message, /^status is not a parameter here/);
    const [event] = body.events;
    assert.deepEqual(
      [event.type, event.sequence, event.status, event.attempts, event.data.merchant_uid, event.data.sequence],
      ['refund.succeeded', 1, 'pending', 1, 'AE-1', 1],
    );
    assert.equal(event.id, receiver.received[0]!.headers['webhook-id']);
    assert.equal(typeof event.next_attempt_at, 'number');
    assert.deepEqual(
      event.deliveries.map((d: Record<string, unknown>) => [d.url, d.status]),
      [[receiver.url, 503]],
    );
  });

  it("shows a receiver's URL without its query, where its token may be", async () => {
    const { h, receiver } = await stack(undefined, '?token=RECEIVER-TOKEN-123');
    await refund(h, 'AE-Q');
    assert.equal(receiver.received.length, 1, 'sent to the URL with its query');
    const body = await json(await adminCalls(h).admin('/admin/payments/AE-Q'));
    assert.deepEqual(
      body.events[0].deliveries.map((d: Record<string, unknown>) => d.url),
      [`${receiver.url}?…`],
    );
    assert.doesNotMatch(JSON.stringify(body), /RECEIVER-TOKEN-123/);
  });

  it('lists events by status, newest first, in pages that stay put while events are added', async () => {
    const { h, admin } = await start();
    for (const uid of ['AE-L1', 'AE-L2', 'AE-L3']) await refund(h, uid);
    const first = await json(await admin('/admin/events?status=delivered&limit=2'));
    assert.deepEqual(
      first.data.map((e: Record<string, any>) => e.merchant_uid),
      ['AE-L3', 'AE-L2'],
    );
    assert.ok(first.data.every((e: Record<string, any>) => e.status === 'delivered' && e.next_attempt_at === null));
    await refund(h, 'AE-L4');
    const second = await json(await admin(`/admin/events?status=delivered&limit=2&cursor=${first.next_cursor}`));
    assert.deepEqual(
      [second.data.map((e: Record<string, any>) => e.merchant_uid), second.next_cursor],
      [['AE-L1'], null],
    );
    const pending = await json(await admin('/admin/events?status=pending'));
    assert.deepEqual(pending.data, []);
  });

  it('refuses a bad status, limit or cursor, naming the parameter', async () => {
    const { admin } = await start();
    for (const [query, named] of [
      ['status=lost', /status/],
      ['limit=0', /limit/],
      ['limit=501', /limit/],
      ['cursor=abc', /cursor/],
      // Past what a ledger's integer holds: PostgreSQL refused it as an error of its own (answered 503).
      ['cursor=9999999999999999999', /cursor/],
      ['cursor=9007199254740993', /cursor/],
      ['colour=red', /colour/],
    ] as const) {
      const res = await admin(`/admin/events?${query}`);
      assert.equal(res.status, 400, query);
      assert.match((await json(res)).error.message, named);
    }
  });

  it('redelivers a failed event with the same webhook-id; a pending one is refused and an unknown id is 404', async () => {
    const { h, receiver, admin } = await start();
    receiver.failNext(2);
    await refund(h, 'AE-R');
    h.clock.advance(SCHEDULE[0]! * 2);
    await h.outbox!.runDue();
    const id = String(receiver.received[0]!.headers['webhook-id']);
    const failed = await json(await admin('/admin/events?status=failed'));
    assert.deepEqual(
      failed.data.map((e: Record<string, any>) => e.id),
      [id],
    );

    const res = await admin(`/admin/events/${id}/redeliver`, { method: 'POST' });
    assert.equal(res.status, 202);
    await h.settled();
    await h.outbox!.runDue();
    // The failure's attention.needed event goes to the receiver too: only this event's POSTs are counted.
    const posts = receiver.received.filter((r) => r.headers['webhook-id'] === id);
    assert.equal(posts.length, 3);
    assert.equal(posts[2]!.verifyError, null, 'verified by the standardwebhooks package');
    assert.equal(posts[2]!.answered, 204);
    const events = (await json(await admin('/admin/payments/AE-R'))).events;
    assert.deepEqual([events[0].status, events[0].deliveries.length], ['delivered', 3]);

    await refund(h, 'AE-P');
    receiver.failNext(1);
    await refund(h, 'AE-P2');
    const pendingId = String(receiver.received.at(-1)!.headers['webhook-id']);
    assert.equal((await admin(`/admin/events/${pendingId}/redeliver`, { method: 'POST' })).status, 400);
    assert.equal((await admin('/admin/events/msg_nothing/redeliver', { method: 'POST' })).status, 404);
    assert.equal((await admin(`/admin/events/${id}/redeliver`, { method: 'POST', key: null })).status, 401);
  });
});
