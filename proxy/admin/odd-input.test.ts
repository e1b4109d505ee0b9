// Odd input to the staff and admin routes, on SQLite and on PostgreSQL: a decision's body that is not a JSON object,
// or not sent as JSON; staff words and order ids with control characters; a NUL anywhere a client can put one (which
// PostgreSQL cannot store). Each is 400 INVALID_REQUEST, never "the ledger is unavailable", and nothing moves.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPostgresStore } from '../store/postgres.ts';
import { createSqliteStore } from '../store/sqlite.ts';
import type { Store } from '../store/store.ts';
import { adminCalls, json } from '../test-support/admin-calls.ts';
import type { Harness } from '../test-support/harness.ts';
import { useTempSchema } from '../test-support/postgres-schema.ts';
import { requestCalls, withRequests } from '../test-support/request-calls.ts';

const url = useTempSchema('odd_input', 'proxy/admin/odd-input.test.ts');

/** A card order with a request for 8,000 of its 20,000: the request's id. */
const requested = async (h: Harness, uid: string): Promise<string> => {
  h.fake.addPayment({ merchant_uid: uid, amount: 20_000 });
  const made = await requestCalls(h).ask({ merchant_uid: uid, reason: '사이즈', cancel_request_amount: 8000 });
  assert.equal(made.res.status, 201, JSON.stringify(made.body));
  return made.body.request.id;
};

/** 400 INVALID_REQUEST, naming `field` when given; `got` a Response, or one already read as calls answer it. */
const refused = async (got: Response | { res: Response; body: Record<string, any> }, field?: string) => {
  const [res, body] = got instanceof Response ? [got, await json(got)] : [got.res, got.body];
  assert.deepEqual([res.status, body.error?.code], [400, 'INVALID_REQUEST'], JSON.stringify(body));
  if (field) assert.match(body.error.message, new RegExp(field));
};

const oddInputs = (makeStore: () => Store) => {
  const start = () => withRequests({ store: makeStore() });

  it("a decision's body that is not a JSON object, or not sent as JSON: 400, and the request stays requested", async () => {
    const h = await start();
    try {
      const id = await requested(h, 'ODD-BODY');
      const { admin } = adminCalls(h);
      const post = (body: string, type: string) =>
        admin(`/admin/refund-requests/${id}/approve`, { method: 'POST', headers: { 'Content-Type': type }, body });
      await refused(await post('[]', 'application/json'));
      await refused(await post('"yes"', 'application/json'));
      await refused(await post('{"amount":3000}', 'text/plain'));
      assert.equal((await h.store.getRequest(id))?.status, 'requested');
      assert.equal(h.fake.count('cancel'), 0);
      // No body at all is approving as asked.
      const approved = await admin(`/admin/refund-requests/${id}/approve`, { method: 'POST' });
      assert.equal(approved.status, 200);
      assert.equal((await h.store.getRequest(id))?.status, 'refunded');
    } finally {
      await h.close();
    }
  });

  it("staff words with a control character or a bidi override: 400 naming the field (the customer reads a rejection's reason)", async () => {
    const h = await start();
    try {
      const id = await requested(h, 'ODD-TEXT');
      const { reject, approve } = requestCalls(h);
      await refused(await reject(id, { reason: '\u202eevil' }), 'reason');
      await refused(await reject(id, { reason: 'a\u0000b' }), 'reason');
      await refused(await approve(id, { note: 'ok\u0000' }), 'note');
      assert.equal((await h.store.getRequest(id))?.status, 'requested');
      // Lines are words too: the desk's reason is typed into a textarea.
      const lines = await reject(id, { reason: '사용 흔적이 있어요.\r\n택을 떼셨어요.' });
      assert.equal(lines.res.status, 200, JSON.stringify(lines.body));
      assert.equal(lines.body.request.reject_reason, '사용 흔적이 있어요.\r\n택을 떼셨어요.');
    } finally {
      await h.close();
    }
  });

  it('a NUL in an order id, a path id or a cursor, or a range that ends before it starts: 400, never "the ledger is unavailable"', async () => {
    const h = await start();
    try {
      const id = await requested(h, 'ODD-NUL');
      const { admin, postGrant } = adminCalls(h);
      await refused(await postGrant({ merchant_uid: 'ORD\u00001' }), 'merchant_uid');
      await refused(await admin('/admin/refunds?merchant_uid=a%00b'), 'merchant_uid');
      const cursor = Buffer.from(JSON.stringify([Date.now(), 'a\u0000'])).toString('base64url');
      await refused(await admin(`/admin/refunds?cursor=${cursor}`), 'cursor');
      await refused(await admin(`/admin/refund-requests?cursor=${cursor}`), 'cursor');
      // A range that ends before it starts, on both lists alike.
      await refused(await admin('/admin/refunds?from=2030-01-01T00:00:00Z&to=2020-01-01T00:00:00Z'), 'from');
      await refused(await admin('/admin/refund-requests?from=2030-01-01T00:00:00Z&to=2020-01-01T00:00:00Z'), 'from');
      // Ids in paths go to the ledger as they are: unknown ones are 404 on SQLite; PostgreSQL refuses the NUL itself.
      for (const path of ['/admin/payments/a%00b', '/admin/refund-requests/rr_%00/approve']) {
        const res = await admin(path, { method: path.endsWith('approve') ? 'POST' : 'GET' });
        assert.ok([400, 404].includes(res.status), `${path}: ${res.status}`);
      }
      const withdrawn = await requestCalls(h).withdraw('rr_%00', 'ODD-NUL');
      assert.ok([400, 403, 404].includes(withdrawn.res.status), `withdraw: ${withdrawn.res.status}`);
      assert.equal((await h.store.getRequest(id))?.status, 'requested');
    } finally {
      await h.close();
    }
  });
};

describe('odd input to staff and admin routes, SQLite', () => oddInputs(() => createSqliteStore({ path: ':memory:' })));

describe('odd input to staff and admin routes, PostgreSQL', () => {
  if (url) oddInputs(() => createPostgresStore({ url }));
});
