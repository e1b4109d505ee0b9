// The staff routes answer as the admin ones do (the same handlers): the refunds feed in pages and CSV, an order's
// ledger with its webhook deliveries, and sending an event again, recorded with the staff member as the actor.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { adminCalls, json, KEY, parseCsv, withAdmin } from '../test-support/admin-calls.ts';
import type { Harness } from '../test-support/harness.ts';
import { newWebhookSecret, webhookStacks } from '../test-support/webhook-stack.ts';
import { staffCalls } from './staff-calls.ts';

const SCHEDULE = [5_000];
const stack = webhookStacks({ secret: newWebhookSecret(), retryDelaysMs: SCHEDULE, harness: withAdmin });
const start = async () => {
  const { h, receiver } = await stack();
  return { h, receiver, ...staffCalls(h), admin: adminCalls(h).admin };
};

const refund = async (harness: Harness, merchantUid: string, amount = 1000) => {
  harness.fake.addPayment({ merchant_uid: merchantUid, amount: 10_000 });
  const res = await harness.cancel({ merchant_uid: merchantUid, cancel_request_amount: amount, reason: 'x' });
  assert.equal(res.res.status, 200);
  await harness.settled();
};

describe('the staff routes', () => {
  it('GET /staff/refunds answers as /admin/refunds, and its CSV holds the same rows', async () => {
    const { h, staff, staffGrant, admin } = await start();
    for (const [uid, amount] of [
      ['SR-1', 1000],
      ['SR-2', 2500],
      ['SR-3', 700],
    ] as const) {
      await refund(h, uid, amount);
    }
    const grant = await staffGrant('alice');
    const query = '/refunds?limit=2&status=succeeded';
    const mine = await json(await staff(`/staff${query}`, grant));
    assert.deepEqual(mine, await json(await admin(`/admin${query}`)), 'the same answer through either door');
    assert.equal(mine.data.length, 2);
    const next = await json(await staff(`/staff${query}&cursor=${mine.next_cursor}`, grant));
    const rows = [...mine.data, ...next.data];
    assert.deepEqual(
      rows.map((row: Record<string, any>) => row.merchant_uid),
      ['SR-3', 'SR-2', 'SR-1'],
    );

    const csv = await staff('/staff/refunds?status=succeeded', grant, { headers: { Accept: 'text/csv' } });
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('Content-Type') ?? '', /^text\/csv/);
    const [header, ...cells] = parseCsv(await csv.text());
    assert.deepEqual(
      cells.map((cell) => Object.fromEntries(header!.map((name, i) => [name, cell[i]]))),
      rows.map((row: Record<string, unknown>) =>
        Object.fromEntries(header!.map((name) => [name, row[name] === null ? '' : String(row[name])])),
      ),
    );
  });

  it("GET /staff/payments/:merchant_uid shows the order's payment, attempts and deliveries as the admin route does", async () => {
    const { h, receiver, staff, staffGrant, admin } = await start();
    receiver.failNext(1);
    await refund(h, 'SP-1');
    const grant = await staffGrant('alice');
    const body = await json(await staff('/staff/payments/SP-1', grant));
    assert.deepEqual(body, await json(await admin('/admin/payments/SP-1')));
    assert.equal(body.payment.merchant_uid, 'SP-1');
    assert.equal(body.attempts.length, 1);
    assert.deepEqual(
      body.events[0].deliveries.map((d: Record<string, unknown>) => d.status),
      [503],
    );
    const missing = await staff('/staff/payments/SP-NONE', grant);
    assert.equal(missing.status, 404);
    assert.equal((await json(missing)).error.code, 'PAYMENT_NOT_FOUND');
  });

  it('POST /staff/events/:id/redeliver sends a failed event again and records the staff member as the actor', async () => {
    const { h, receiver, staff, staffGrant, admin } = await start();
    receiver.failNext(2);
    await refund(h, 'SE-1');
    h.clock.advance(SCHEDULE[0]! * 2);
    await h.outbox!.runDue();
    const id = String(receiver.received[0]!.headers['webhook-id']);
    const grant = await staffGrant('alice');
    const res = await staff(`/staff/events/${id}/redeliver`, grant, { method: 'POST' });
    assert.equal(res.status, 202);
    assert.equal((await json(res)).event.id, id);
    await h.settled();
    await h.outbox!.runDue();
    const posts = receiver.received.filter((r) => r.headers['webhook-id'] === id);
    assert.deepEqual([posts.length, posts[2]!.verifyError, posts[2]!.answered], [3, null, 204]);

    assert.equal((await admin(`/admin/events/${id}/redeliver`, { method: 'POST' })).status, 202);
    const keyId = createHash('sha256').update(KEY).digest('hex').slice(0, 8);
    assert.deepEqual(
      h.logs.filter((line) => line.msg === 'event redelivered').map((line) => [line.event_id, line.actor]),
      [
        [id, 'staff:alice'],
        [id, `key:${keyId}`],
      ],
    );
  });
});
