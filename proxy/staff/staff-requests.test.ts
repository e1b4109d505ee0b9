// Staff decide refund requests through the staff door as through the admin one: the same routes under /staff/, the
// approver recorded as `staff:<sub>` in the request and in the refund's audit; a customer's grant decides nothing.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { json } from '../test-support/admin-calls.ts';
import type { Harness } from '../test-support/harness.ts';
import { requestCalls, withRequests } from '../test-support/request-calls.ts';
import { staffCalls } from './staff-calls.ts';

let h: Harness;
afterEach(async () => h?.close());

const post = (staff: ReturnType<typeof staffCalls>['staff'], path: string, grant: string, body: unknown) =>
  staff(path, grant, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

describe('refund requests through the staff door', () => {
  it('lists, approves (recording staff:<sub>) and rejects; a customer grant is 403 and changes nothing', async () => {
    h = await withRequests();
    const { ask } = requestCalls(h);
    const { staff, staffGrant } = staffCalls(h);
    for (const uid of ['SQ-1', 'SQ-2']) h.fake.addPayment({ merchant_uid: uid, amount: 9000 });
    const first = (await ask({ merchant_uid: 'SQ-1', cancel_request_amount: 5000, reason: '변심' })).body.request.id;
    const second = (await ask({ merchant_uid: 'SQ-2', reason: '불량' })).body.request.id;
    const grant = await staffGrant('kim');

    const list = await json(await staff('/staff/refund-requests?status=requested', grant));
    assert.deepEqual(list.data.map((r: { id: string }) => r.id).sort(), [first, second].sort());

    const customer = await h.grant('SQ-1');
    const refused = await post(staff, `/staff/refund-requests/${first}/approve`, customer, {});
    assert.equal(refused.status, 403);
    assert.equal((await h.store.getRequest(first))?.status, 'requested');
    assert.equal(h.fake.count('cancel'), 0);

    const approved = await json(await post(staff, `/staff/refund-requests/${first}/approve`, grant, { amount: 4000 }));
    assert.equal(approved.request.status, 'refunded');
    assert.equal(approved.request.decided_by, 'staff:kim');
    const [attempt] = await h.store.listAttempts('SQ-1');
    assert.deepEqual([attempt?.amount, attempt?.approved_by, attempt?.request_id], [4000, 'staff:kim', first]);

    const rejected = await json(
      await post(staff, `/staff/refund-requests/${second}/reject`, grant, {
        reason: '사용 흔적',
        allow_new_request: false,
      }),
    );
    assert.deepEqual(
      [rejected.request.status, rejected.request.decided_by, rejected.request.allow_new_request],
      ['rejected', 'staff:kim', false],
    );
    assert.equal(h.fake.count('cancel'), 1, 'one refund in all');
  });
});
