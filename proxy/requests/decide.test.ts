// Staff decide refund requests through the admin API: every state × action through the routes, one refund per
// approval (concurrent ones included), the audit naming the approver and the request, and the account's lifetime.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { RequestStatus } from '../../shared/refund-requests.ts';
import { adminKeyId } from '../admin/admin-key.ts';
import { createSqliteStore } from '../store/sqlite.ts';
import { adminCalls, json, KEY } from '../test-support/admin-calls.ts';
import { createStillClock, type Harness, tempSqlitePath } from '../test-support/harness.ts';
import { cancelAtIamport } from '../test-support/iamport-side.ts';
import { ACCOUNT, ACCOUNT_DIGITS, requestCalls, vbankAsk, withRequests } from '../test-support/request-calls.ts';
import { randomDataKey } from './account-crypto.ts';

let h: Harness;
afterEach(async () => h?.close());

/** A request of a new vbank order, as the customer makes it; its id. */
const requested = async (uid: string): Promise<string> => {
  h.fake.addPayment({ merchant_uid: uid, amount: 20000, pay_method: 'vbank', pg_provider: 'html5_inicis' });
  const made = await requestCalls(h).ask(vbankAsk(uid));
  assert.equal(made.res.status, 201);
  return made.body.request.id;
};

/** A request brought into `status`: by the routes where one leads there, by the ledger for `approved`/`failed`. */
const inStatus = async (uid: string, status: RequestStatus): Promise<string> => {
  const id = await requested(uid);
  const { withdraw, approve, reject } = requestCalls(h);
  const now = h.clock.now();
  if (status === 'withdrawn') await withdraw(id, uid);
  if (status === 'rejected') await reject(id, { reason: '사용 흔적' });
  if (status === 'refunded') await approve(id);
  if (status === 'approved' || status === 'failed') {
    await h.store.transitionRequest(id, { from: 'requested', to: 'approved', now });
  }
  if (status === 'failed')
    await h.store.transitionRequest(id, { from: 'approved', to: 'failed', now, error_code: 'PG_PROVIDER' });
  assert.equal((await h.store.getRequest(id))?.status, status);
  return id;
};

/** A request made on a proxy whose ledger is a file and whose data key is `oldKey`, then that proxy stopped. */
const sealedThenStopped = async (uid: string) => {
  const path = tempSqlitePath();
  const oldKey = randomDataKey();
  h = await withRequests({ store: createSqliteStore({ path }) }, oldKey);
  const id = await requested(uid);
  const { fake } = h;
  await h.close();
  return { path, oldKey, id, fake };
};

const STATES: readonly RequestStatus[] = ['requested', 'approved', 'refunded', 'failed', 'rejected', 'withdrawn'];
const LEGAL: Record<string, RequestStatus> = {
  'requested:withdraw': 'withdrawn',
  'requested:approve': 'refunded',
  'requested:reject': 'rejected',
  // Nothing was refunded for a failed request: staff approve it again (a new refund) or reject it.
  'failed:approve': 'refunded',
  'failed:reject': 'rejected',
};

describe('deciding refund requests', () => {
  it('keeps a failed request from refunding again once the order was refunded outside it; rejecting it still works', async () => {
    h = await withRequests();
    const { ask, approve, reject } = requestCalls(h);
    h.fake.addPayment({ merchant_uid: 'FD-1', amount: 20000, pay_method: 'vbank', pg_provider: 'html5_inicis' });
    const body = {
      merchant_uid: 'FD-1',
      reason: '사이즈',
      cancel_request_amount: 8000,
      refund_holder: '홍길동',
      refund_bank: '88',
      refund_account: ACCOUNT,
    };
    const id = (await ask(body)).body.request.id;
    h.fake.inject({ kind: 'pg_refusal' });
    assert.equal((await approve(id)).body.request.status, 'failed');
    const direct = await h.cancel(body); // the customer's own refund, under a refund-mode grant the shop also gave
    assert.equal(direct.res.status, 200, JSON.stringify(direct.body));
    // Approved again, and again: each refused, the first refusal no less than the next.
    for (const time of ['again', 'once more']) {
      h.clock.advance(1000);
      const again = await approve(id);
      const code = again.body.refund?.error?.code ?? again.body.error?.code;
      assert.equal(code, 'REFUND_REQUEST_DECIDED', `${time}: ${JSON.stringify(again.body)}`);
    }
    assert.equal(h.fake.count('cancel'), 2, 'the refused one and the direct one: nothing more was sent');
    assert.equal((await h.view('FD-1')).body.cancel_amount, 8000);
    const rejected = await reject(id, { reason: '직접 환불되었어요' });
    assert.equal(rejected.body.request?.status, 'rejected', JSON.stringify(rejected.body));
  });

  it('moves every legal state × action pair through the routes, and answers 409 to the rest, changing nothing', async () => {
    h = await withRequests();
    const { withdraw, approve, reject } = requestCalls(h);
    for (const state of STATES) {
      for (const action of ['withdraw', 'approve', 'reject'] as const) {
        const uid = `M-${state}-${action}`;
        const id = await inStatus(uid, state);
        const before = await h.store.getRequest(id);
        const cancels = h.fake.count('cancel');
        const call =
          action === 'withdraw' ? withdraw(id, uid) : action === 'approve' ? approve(id) : reject(id, { reason: 'x' });
        const { res, body } = await call;
        const to = LEGAL[`${state}:${action}`];
        if (to) {
          assert.equal(res.status, 200, `${state} × ${action}`);
          assert.equal(body.request.status, to, `${state} × ${action}`);
          assert.equal((await h.store.getRequest(id))?.status, to);
        } else {
          assert.equal(res.status, 409, `${state} × ${action}`);
          const code = state === 'approved' && action === 'approve' ? 'REFUND_IN_PROGRESS' : 'REFUND_REQUEST_DECIDED';
          assert.equal(body.error.code, code, `${state} × ${action}`);
          assert.deepEqual(await h.store.getRequest(id), before, `${state} × ${action} changed nothing`);
          assert.equal(h.fake.count('cancel'), cancels, `${state} × ${action} refunded nothing`);
        }
      }
    }
  });

  it('refunds an approval once, with the lowered amount, auditing the approver and the request', async () => {
    h = await withRequests();
    const { approve } = requestCalls(h);
    const id = await requested('A-1');
    const higher = await approve(id, { amount: 9000 });
    assert.equal(higher.res.status, 400);
    assert.equal(higher.body.error.code, 'INVALID_REQUEST');
    assert.match(higher.body.error.message, /^amount must be at most 8000/);
    const done = await approve(id, { amount: 6000, note: '부분 승인' });
    assert.equal(done.res.status, 200);
    assert.equal(done.body.request.status, 'refunded');
    assert.equal(done.body.request.approved_amount, 6000);
    assert.equal(done.body.request.currency, 'KRW', "the request as the list shows it, its order's currency too");
    const seen = await h.view('A-1');
    assert.equal(seen.body.request.approved_amount, 6000, 'the customer sees what went back');
    assert.equal(seen.body.request.amount, 8000);
    assert.equal(done.body.request.decided_by, `key:${await adminKeyId(KEY)}`);
    assert.equal(done.body.refund.ok, true);
    assert.equal(done.body.refund.refunded, 6000);
    assert.equal(h.fake.count('cancel'), 1);
    const sent = h.fake.calls.find((c) => c.route === 'cancel')!.body as Record<string, unknown>;
    assert.equal(sent.refund_account, ACCOUNT_DIGITS, "i'mport got the full account");
    assert.equal(sent.refund_holder, '홍길동');
    const [attempt] = await h.store.listAttempts('A-1');
    assert.equal(attempt?.request_id, id);
    assert.equal(attempt?.approved_by, `key:${await adminKeyId(KEY)}`);
    assert.equal(attempt?.idempotency_key, `request:${id}`);
    assert.equal(attempt?.refund_account_masked, '****6789');
    const audit = (await json(await adminCalls(h).admin('/admin/refunds?merchant_uid=A-1'))).data;
    assert.deepEqual(
      audit.map((row: Record<string, unknown>) => [row.request_id, row.approved_by]),
      [[id, `key:${await adminKeyId(KEY)}`]],
      "the admin API's audit names the request and its approver",
    );
    const stored = await h.store.getRequest(id);
    assert.equal(stored?.refund_secret, null, 'erased once refunded');
    assert.equal(stored?.attempt_id, attempt?.id);
    assert.equal((await approve(id)).body.error.code, 'REFUND_REQUEST_DECIDED');
    assert.equal(h.fake.count('cancel'), 1);
    const view = await h.view('A-1');
    assert.equal(view.body.request.status, 'refunded');
    assert.equal(view.body.cancel_amount, 6000);
  });

  it('lets exactly one of concurrent approvals refund; the others get 409', async () => {
    h = await withRequests();
    const { approve } = requestCalls(h);
    const id = await requested('A-2');
    const results = await Promise.all([approve(id), approve(id), approve(id), approve(id)]);
    assert.equal(results.filter((r) => r.res.status === 200).length, 1);
    for (const r of results.filter((x) => x.res.status !== 200)) {
      assert.equal(r.res.status, 409);
      assert.ok(['REFUND_REQUEST_DECIDED', 'REFUND_IN_PROGRESS'].includes(r.body.error.code));
    }
    assert.equal(h.fake.count('cancel'), 1);
  });

  it('leaves an approval whose outcome is unknown approved until the attempt settles, then refunded', async () => {
    h = await withRequests();
    const { approve } = requestCalls(h);
    const id = await requested('A-5');
    h.fake.inject({ kind: 'lose_response' });
    h.fake.inject({ kind: 'http_5xx', route: 'payment', times: Number.POSITIVE_INFINITY });
    const unknown = await approve(id);
    assert.equal(unknown.res.status, 200);
    assert.equal(unknown.body.refund.error.code, 'REFUND_OUTCOME_UNKNOWN');
    assert.equal(unknown.body.request.status, 'approved');
    assert.equal((await approve(id)).body.error.code, 'REFUND_IN_PROGRESS');
    assert.ok((await h.store.getRequest(id))?.refund_secret, 'kept while the outcome is unknown');
    h.fake.clearFaults();
    const view = await h.view('A-5');
    assert.equal(view.body.request.status, 'refunded', 'settling the attempt moved its request');
    assert.equal((await h.store.getRequest(id))?.refund_secret, null);
    assert.equal(h.fake.count('cancel'), 1);
  });

  it('approving again an approval whose cancel got no answer looks at the order first: refused while it may run, then refunds once', async () => {
    h = await withRequests();
    const { approve } = requestCalls(h);
    const id = await requested('A-6');
    h.fake.inject({ kind: 'drop', route: 'cancel' });
    const unknown = await approve(id);
    assert.equal(unknown.body.refund.error.code, 'REFUND_OUTCOME_UNKNOWN');
    assert.equal(unknown.body.request.status, 'approved');
    const soon = await approve(id);
    assert.equal(soon.body.error?.code, 'REFUND_IN_PROGRESS', "i'mport may still be running the first cancel");
    assert.equal(h.fake.count('cancel'), 1, 'nothing more was sent');
    // Nobody opened the customer's widget: staff approving again is the look that settles it.
    h.clock.advance(10 * 60_000 + 1000);
    const again = await approve(id);
    assert.equal(again.res.status, 200, JSON.stringify(again.body));
    assert.deepEqual([again.body.refund.ok, again.body.request.status], [true, 'refunded']);
    assert.equal(h.fake.count('cancel'), 2);
    const refunded = h.fake.calls.filter((c) => c.route === 'cancel' && c.status === 200).length;
    assert.equal(refunded, 1, 'one cancel applied');
  });

  it("approving again an approval whose cancel i'mport applied late says it is refunded, and sends nothing", async () => {
    h = await withRequests();
    const { approve } = requestCalls(h);
    const id = await requested('A-7');
    h.fake.inject({ kind: 'hold_response', ms: 3000 });
    h.fake.inject({ kind: 'drop', route: 'payment' });
    const unknown = await approve(id);
    assert.equal(unknown.body.refund.error.code, 'REFUND_OUTCOME_UNKNOWN');
    const again = await approve(id);
    assert.equal(again.body.error?.code, 'REFUND_REQUEST_DECIDED', JSON.stringify(again.body));
    assert.equal((await h.store.getRequest(id))?.status, 'refunded', 'the look found the cancel applied');
    assert.equal(h.fake.count('cancel'), 1);
  });

  it("approving again after i'mport applied the first approval's cancel later than it should: that refund, not a second", async () => {
    h = await withRequests({ timeoutMs: 300 });
    const { ask, approve } = requestCalls(h);
    const p = h.fake.addPayment({ merchant_uid: 'A-8', amount: 20000 });
    const id = (await ask({ merchant_uid: 'A-8', reason: '단순 변심', cancel_request_amount: 8000 })).body.request.id;
    h.fake.inject({ kind: 'drop', route: 'cancel' });
    assert.equal((await approve(id)).body.refund.error.code, 'REFUND_OUTCOME_UNKNOWN');
    h.clock.advance(10 * 60_000 + 1000);
    assert.equal((await h.view('A-8')).body.request.status, 'failed', 'settled as not made');
    // Applied late, and nobody has looked since (a look would have made the request refunded: late-landed.test.ts).
    await cancelAtIamport(h, p.imp_uid, 8000, 20000, '단순 변심');
    const again = await approve(id);
    assert.equal(again.res.status, 200, JSON.stringify(again.body));
    assert.deepEqual(
      [again.body.refund.ok, again.body.refund.refunded, again.body.request.status],
      [true, 8000, 'refunded'],
    );
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 8000, 'refunded once');
  });

  it('rejecting an approval whose cancel got no answer looks at the order first: refused while it may run, then rejected', async () => {
    h = await withRequests();
    const { approve, reject } = requestCalls(h);
    const id = await requested('A-9');
    h.fake.inject({ kind: 'drop', route: 'cancel' });
    assert.equal((await approve(id)).body.refund.error.code, 'REFUND_OUTCOME_UNKNOWN');
    const soon = await reject(id, { reason: '재고 있음' });
    assert.equal(soon.body.error?.code, 'REFUND_REQUEST_DECIDED', 'approved, and its refund may still apply');
    h.clock.advance(10 * 60_000 + 1000);
    const later = await reject(id, { reason: '재고 있음' });
    assert.equal(later.res.status, 200, JSON.stringify(later.body));
    assert.equal(later.body.request.status, 'rejected');
    assert.equal(h.fake.getPayment((await h.store.getPayment('A-9'))!.imp_uid)!.cancel_amount, 0, 'nothing refunded');
  });

  it("fails an approval i'mport refuses, with its code", async () => {
    h = await withRequests();
    const { approve } = requestCalls(h);
    const id = await requested('A-6');
    h.fake.inject({ kind: 'pg_refusal' });
    const refused = await approve(id);
    assert.equal(refused.res.status, 200);
    assert.equal(refused.body.refund.ok, false);
    assert.equal(refused.body.request.status, 'failed');
    assert.equal(refused.body.request.error_code, refused.body.refund.error.code);
    assert.equal(refused.body.request.currency, 'KRW');
  });

  it('approves a failed request again: one more refund, under a key of its own, with the account still sealed', async () => {
    h = await withRequests();
    const { approve } = requestCalls(h);
    const id = await requested('A-7');
    h.fake.inject({ kind: 'pg_refusal' });
    assert.equal((await approve(id)).body.request.status, 'failed');
    assert.ok((await h.store.getRequest(id))?.refund_secret, 'kept while staff may approve again');
    const again = await approve(id, { amount: 5000 });
    assert.equal(again.res.status, 200);
    assert.equal(again.body.refund.ok, true);
    assert.equal(again.body.request.status, 'refunded');
    assert.equal(again.body.request.error_code, null, "the last refund's error is gone with it");
    assert.equal(again.body.request.approved_amount, 5000);
    const cancels = h.fake.calls.filter((c) => c.route === 'cancel');
    assert.equal(cancels.length, 2, 'the refused one, then the one that went through');
    assert.equal((cancels[1]!.body as Record<string, unknown>).refund_account, ACCOUNT_DIGITS);
    const attempts = await h.store.listAttempts('A-7');
    assert.deepEqual(attempts.map((a) => a.idempotency_key).sort(), [`request:${id}`, `request:${id}:2`]);
    assert.equal((await h.store.getRequest(id))?.attempt_id, attempts.find((a) => a.outcome === 'succeeded')?.id);
    assert.equal((await approve(id)).body.error.code, 'REFUND_REQUEST_DECIDED');
    assert.equal(h.fake.count('cancel'), 2);
    assert.equal((await h.view('A-7')).body.cancel_amount, 5000);
  });

  it('does not approve a failed request once the customer asked again; the newer request is the one to decide', async () => {
    h = await withRequests();
    const { ask, approve, reject } = requestCalls(h);
    const id = await requested('A-8');
    h.fake.inject({ kind: 'pg_refusal' });
    assert.equal((await approve(id)).body.request.status, 'failed');
    const newer = await ask(vbankAsk('A-8'));
    assert.equal(newer.res.status, 201, 'a failed request does not hold the order');
    const before = await h.store.getRequest(id);
    const old = await approve(id);
    assert.equal(old.res.status, 409);
    assert.equal(old.body.error.code, 'REFUND_REQUEST_DECIDED');
    assert.match(old.body.error.message, /newer request/);
    assert.deepEqual(await h.store.getRequest(id), before);
    assert.equal(h.fake.count('cancel'), 1, 'only the refused one');
    const newerDone = await approve(newer.body.request.id);
    assert.equal(newerDone.body.request.status, 'refunded');
    // The newer one decided, the old one is still not its order's latest: approving it now would refund one ask twice.
    const late = await approve(id);
    assert.deepEqual([late.res.status, late.body.error?.code], [409, 'REFUND_REQUEST_DECIDED']);
    assert.equal(h.fake.count('cancel'), 2, 'nothing more sent');
    // Closing the old one is harmless, and erases its account.
    assert.equal((await reject(id, { reason: '새 요청으로 처리' })).body.request.status, 'rejected');
    assert.equal((await h.store.getRequest(id))?.refund_secret, null);
    assert.equal(h.fake.count('cancel'), 2);
  });

  it('refunds nothing for an approval after the customer withdrew', async () => {
    h = await withRequests();
    const { approve, withdraw } = requestCalls(h);
    const id = await requested('A-3');
    assert.equal((await withdraw(id, 'A-3')).res.status, 200);
    const late = await approve(id);
    assert.equal(late.body.error.code, 'REFUND_REQUEST_DECIDED');
    assert.equal(h.fake.count('cancel'), 0);
    assert.equal((await h.store.getRequest(id))?.refund_secret, null, 'erased once withdrawn');
  });

  it('rejects with a reason (required); allow_new_request=false refuses a new request', async () => {
    h = await withRequests();
    const { reject, ask } = requestCalls(h);
    const id = await requested('A-4');
    assert.equal((await reject(id, { reason: '  ' })).res.status, 400);
    assert.equal((await reject(id, {})).res.status, 400);
    // The reason in EUC-KR ("한글"): refused, not kept with U+FFFD where the staff member's words were.
    const eucKr = await reject(id, new Blob(['{"reason":"', new Uint8Array([0xc7, 0xd1, 0xb1, 0xdb]), '"}']));
    assert.equal(eucKr.res.status, 400);
    assert.match(eucKr.body.error.message, /not UTF-8/);
    const done = await reject(id, { reason: '사용 흔적이 있어요', allow_new_request: false });
    assert.equal(done.body.request.status, 'rejected');
    assert.equal(done.body.request.reject_reason, '사용 흔적이 있어요');
    assert.equal(done.body.request.currency, 'KRW');
    const again = await ask(vbankAsk('A-4'));
    assert.equal(again.res.status, 409);
    assert.equal(again.body.error.code, 'REFUND_REQUEST_NOT_ALLOWED');
    const view = await h.view('A-4');
    assert.equal(view.body.request.allow_new_request, false);
    assert.equal((await requestCalls(h).approve('rr_none')).res.status, 404);
  });

  it('allow_new_request=false on an older request bars a new one after the newer is withdrawn', async () => {
    h = await withRequests();
    const { ask, approve, reject, withdraw } = requestCalls(h);
    h.fake.addPayment({ merchant_uid: 'A-4B', amount: 20_000 });
    const body = { merchant_uid: 'A-4B', reason: '환불', cancel_request_amount: 8000 };
    const first = (await ask(body)).body.request.id;
    h.fake.inject({ kind: 'pg_refusal' });
    assert.equal((await approve(first)).body.request.status, 'failed');
    const second = (await ask({ ...body, reason: '다시' })).body.request.id;
    const barred = await reject(first, { reason: '반품 불가 상품', allow_new_request: false });
    assert.equal(barred.res.status, 200);
    const withdrawn = await withdraw(second, 'A-4B');
    assert.equal(withdrawn.res.status, 200);
    assert.equal(withdrawn.body.request.allow_new_request, false, 'the withdrawal says so');
    assert.equal((await h.view('A-4B')).body.request.allow_new_request, false, 'the view says so too');
    const third = await ask({ ...body, reason: '세 번째' });
    assert.deepEqual([third.res.status, third.body.error?.code], [409, 'REFUND_REQUEST_NOT_ALLOWED']);
    assert.equal(third.body.request.id, first, 'the rejection that said so');
  });

  it("a later rejection that takes a new request lifts an earlier one's bar, in the view and for the ask", async () => {
    h = await withRequests();
    const { ask, approve, reject } = requestCalls(h);
    h.fake.addPayment({ merchant_uid: 'A-4C', amount: 20_000 });
    const body = { merchant_uid: 'A-4C', reason: '환불', cancel_request_amount: 8000 };
    const first = (await ask(body)).body.request.id;
    h.fake.inject({ kind: 'pg_refusal' });
    assert.equal((await approve(first)).body.request.status, 'failed');
    const second = (await ask({ ...body, reason: '다시' })).body.request.id;
    assert.equal((await reject(first, { reason: '반품 불가 상품', allow_new_request: false })).res.status, 200);
    h.clock.advance(1000);
    const lifted = await reject(second, { reason: '계좌를 고쳐 다시 요청해 주세요', allow_new_request: true });
    assert.equal(lifted.res.status, 200);
    assert.equal((await h.view('A-4C')).body.request.allow_new_request, true);
    const third = await ask({ ...body, reason: '세 번째' });
    assert.equal(third.res.status, 201, JSON.stringify(third.body));
  });

  for (const [how, clock] of [
    ['rejecting an older, stale request afterwards (the default takes a new request)', 'moving'],
    ['two rejections in one millisecond, the barring one of the older request', 'still'],
  ] as const) {
    it(`a bar on the order stands after ${how}`, async () => {
      h = await withRequests(clock === 'still' ? { clock: createStillClock(Date.UTC(2026, 11, 6, 3)) } : {});
      const { ask, approve, reject } = requestCalls(h);
      h.fake.addPayment({ merchant_uid: 'A-4D', amount: 20_000 });
      const body = { merchant_uid: 'A-4D', reason: '환불', cancel_request_amount: 8000 };
      const older = (await ask(body)).body.request.id;
      h.fake.inject({ kind: 'pg_refusal' });
      assert.equal((await approve(older)).body.request.status, 'failed');
      h.clock.advance(1000);
      const newer = (await ask({ ...body, reason: '다시' })).body.request.id;
      if (clock === 'moving') {
        assert.equal((await reject(newer, { reason: '반품 불가 상품', allow_new_request: false })).res.status, 200);
        h.clock.advance(1000);
        assert.equal((await reject(older, { reason: '정리' })).res.status, 200);
      } else {
        assert.equal((await reject(newer, { reason: '계좌 확인 후 다시', allow_new_request: true })).res.status, 200);
        assert.equal((await reject(older, { reason: '반품 불가 상품', allow_new_request: false })).res.status, 200);
      }
      assert.equal((await h.view('A-4D')).body.request.allow_new_request, false);
      const again = await ask({ ...body, reason: '세 번째' });
      assert.deepEqual([again.res.status, again.body.error?.code], [409, 'REFUND_REQUEST_NOT_ALLOWED']);
    });
  }

  it('lists requests newest first, filtered and keyset-paginated, with the masked account only', async () => {
    h = await withRequests();
    const { list, reject } = requestCalls(h);
    const ids = [];
    for (const uid of ['L-1', 'L-2', 'L-3']) {
      ids.push(await requested(uid));
      h.clock.advance(1000);
    }
    await reject(ids[0]!, { reason: 'x' });
    const first = await list('limit=2');
    assert.deepEqual(
      first.body.data.map((r: { id: string }) => r.id),
      [ids[2], ids[1]],
    );
    const second = await list(`limit=2&cursor=${first.body.next_cursor}`);
    assert.deepEqual(
      second.body.data.map((r: { id: string }) => r.id),
      [ids[0]],
    );
    assert.equal(second.body.next_cursor, null);
    const rejected = await list('status=rejected');
    assert.deepEqual(
      rejected.body.data.map((r: { id: string }) => r.id),
      [ids[0]],
    );
    assert.equal(rejected.body.data[0].refund_account_masked, '****6789');
    assert.equal((await list('status=nope')).res.status, 400);
    assert.ok(!JSON.stringify([first.body, second.body]).includes(ACCOUNT_DIGITS));
    // A queue reads oldest first, page by page; one order's requests by merchant_uid.
    const queue = await list('order=oldest&limit=2');
    const rest = await list(`order=oldest&limit=2&cursor=${queue.body.next_cursor}`);
    assert.deepEqual(
      [...queue.body.data, ...rest.body.data].map((r: { id: string }) => r.id),
      ids,
    );
    const one = await list('merchant_uid=L-2');
    assert.deepEqual(
      one.body.data.map((r: { id: string }) => r.id),
      [ids[1]],
    );
    assert.equal((await list('order=sideways')).res.status, 400);
  });
});

describe("the refund account's lifetime", () => {
  it('is never in the ledger file in clear, nor a log or an answer, and gone once the request ends', async () => {
    const path = tempSqlitePath();
    const contents = () =>
      [path, `${path}-wal`]
        .filter(existsSync)
        .map((file) => readFileSync(file).toString('latin1'))
        .join('');
    const digitsIn = (text: string) => text.includes(ACCOUNT_DIGITS) || text.includes(ACCOUNT);
    h = await withRequests({ store: createSqliteStore({ path }) });
    const id = await requested('E-1');
    assert.ok((await h.store.getRequest(id))?.refund_secret, 'kept, sealed, while needed');
    assert.ok(!digitsIn(contents()), 'not in the database file while requested');
    const done = await requestCalls(h).approve(id);
    assert.equal(done.body.request.status, 'refunded');
    await h.settled();
    assert.ok(!digitsIn(contents()), 'not in the database file after');
    assert.equal((await h.store.getRequest(id))?.refund_secret, null);
    assert.ok(!digitsIn(JSON.stringify(h.logs)), 'never in a log line');
    assert.ok(!digitsIn(JSON.stringify([done.body, (await h.view('E-1')).body])), 'never in an answer');
  });

  it('leaves a request sealed under a key no longer configured as it is: 409 naming the keys, then approved once it is', async () => {
    const { path, oldKey, id, fake } = await sealedThenStopped('K-2');
    // Rotated too early: the old key dropped instead of moved to DATA_ENCRYPTION_KEY_PREVIOUS.
    h = await withRequests({ store: createSqliteStore({ path }), fake }, randomDataKey());
    const refused = await requestCalls(h).approve(id);
    assert.equal(refused.res.status, 409);
    assert.equal(refused.body.error.code, 'REFUND_NOT_ALLOWED');
    assert.match(refused.body.error.message, /DATA_ENCRYPTION_KEY_PREVIOUS/);
    const stored = await h.store.getRequest(id);
    assert.equal(stored?.status, 'requested', 'still waiting, for a fixed key');
    assert.equal(stored?.approvals, 0);
    assert.ok(stored?.refund_secret, 'the sealed account is kept');
    assert.equal(h.fake.calls.filter((c) => c.route === 'cancel').length, 0, 'nothing refunded');
    await h.close();
    h = await withRequests({
      store: createSqliteStore({ path }),
      fake,
      config: { dataKeys: { current: randomDataKey(), previous: oldKey } },
    });
    assert.equal((await requestCalls(h).approve(id)).body.request.status, 'refunded');
  });

  it('fails a claimed approval whose sealed account does not open (a damaged value): nothing refunded', async () => {
    const path = tempSqlitePath();
    h = await withRequests({ store: createSqliteStore({ path }) });
    const id = await requested('K-3');
    // The key's id is right, the sealed bytes are not: only opening the value can tell.
    const secret = (await h.store.getRequest(id))!.refund_secret!;
    const damaged = `${secret.slice(0, -4)}${secret.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    const db = new Database(path);
    db.prepare('UPDATE refund_requests SET refund_secret = ? WHERE id = ?').run(damaged, id);
    db.close();
    const refused = await requestCalls(h).approve(id);
    assert.equal(refused.res.status, 409);
    assert.equal(refused.body.error.code, 'REFUND_NOT_ALLOWED');
    const stored = await h.store.getRequest(id);
    assert.equal(stored?.status, 'failed', 'staff follow up, as after any refund that could not be made');
    assert.equal(stored?.error_code, 'REFUND_NOT_ALLOWED');
    assert.equal(h.fake.calls.filter((c) => c.route === 'cancel').length, 0, 'nothing refunded');
  });

  it("counts an approval's refund against the customer's grant's max_amount, as the customer's own refund would", async () => {
    h = await withRequests();
    const { ask, approve } = requestCalls(h);
    h.fake.addPayment({ merchant_uid: 'CAP-1', amount: 20000, pay_method: 'card', pg_provider: 'html5_inicis' });
    const grant = await h.grant('CAP-1', { mode: 'request', maxAmount: 5000, jti: 'cap-1' });
    const body = { merchant_uid: 'CAP-1', reason: '단순 변심', cancel_request_amount: 5000 };
    const first = await ask(body, { grant });
    assert.equal(first.res.status, 201);
    assert.equal((await approve(first.body.request.id)).body.request.status, 'refunded');
    const [attempt] = await h.store.listAttempts('CAP-1');
    assert.equal(attempt?.grant_jti, 'cap-1', "the approval's refund is audited under the customer's grant");
    const again = await ask(body, { grant });
    assert.equal(again.res.status, 403, 'the grant allowed 5000 in all, and the approved refund used it');
    assert.equal(again.body.error.code, 'FORBIDDEN');
    assert.equal(h.fake.count('cancel'), 1);
  });

  it("sends an approval's refund with the customer's grant's tax parts, as the customer's own refund would be", async () => {
    h = await withRequests();
    const { ask, approve } = requestCalls(h);
    h.fake.addPayment({ merchant_uid: 'TAX-R', amount: 20000, pay_method: 'card', pg_provider: 'nice' });
    const grant = await h.grant('TAX-R', { mode: 'request', taxFreeAmount: 5000, vatAmount: 500 });
    const made = await ask({ merchant_uid: 'TAX-R', reason: '단순 변심', cancel_request_amount: 10500 }, { grant });
    assert.equal(made.res.status, 201);
    assert.equal((await approve(made.body.request.id)).body.request.status, 'refunded');
    const sent = h.fake.calls.find((c) => c.route === 'cancel')?.body as Record<string, unknown>;
    assert.deepEqual([sent.amount, sent.tax_free, sent.vat_amount], [10500, 5000, 500]);
  });

  it('refuses a direct refund of an order with an open request (409), so one ask never refunds twice', async () => {
    h = await withRequests();
    const id = await requested('OPEN-1');
    const direct = { ...vbankAsk('OPEN-1'), cancel_request_amount: 8000 };
    const refused = await h.cancel(direct); // a refund-mode grant for the same order
    assert.equal(refused.res.status, 409);
    assert.equal(refused.body.error.code, 'REFUND_REQUEST_OPEN');
    assert.deepEqual(
      [refused.body.request?.id, refused.body.request?.status],
      [id, 'requested'],
      'the open request in the body, as POST /refund-requests shows it',
    );
    assert.equal(h.fake.count('cancel'), 0, 'nothing sent');
    const done = await requestCalls(h).approve(id);
    assert.equal(done.body.request.status, 'refunded', 'the request is how this order refunds');
    assert.equal(h.fake.count('cancel'), 1);
    const after = await h.cancel({ ...direct, cancel_request_amount: 1000 });
    assert.equal(after.res.status, 200, 'once the request has ended, refunds as before');
  });

  it("keeps the approvals' Idempotency-Keys to itself: a client's key may not begin with request:", async () => {
    h = await withRequests();
    const id = await requested('KEY-1');
    const taken = { key: `request:${id}` };
    const viaRefund = await h.cancel({ ...vbankAsk('KEY-1'), cancel_request_amount: 1000 }, taken);
    assert.equal(viaRefund.res.status, 400);
    assert.equal(viaRefund.body.error.code, 'INVALID_REQUEST');
    assert.match(viaRefund.body.error.message, /^Idempotency-Key must not begin with "request:"/);
    const viaRequest = await requestCalls(h).ask(vbankAsk('KEY-1'), taken);
    assert.equal(viaRequest.res.status, 400);
    assert.equal(h.fake.count('cancel'), 0);
    const done = await requestCalls(h).approve(id);
    assert.equal(done.body.request.status, 'refunded', 'the approval ran under its own key');
    assert.equal(done.body.refund.refunded, 8000);
  });

  it('answers 400 to an approval of a fraction of a won, before anything moves', async () => {
    h = await withRequests();
    const id = await requested('FR-1');
    const before = await h.store.getRequest(id);
    const refused = await requestCalls(h).approve(id, { amount: 1.5 });
    assert.equal(refused.res.status, 400);
    assert.equal(refused.body.error.code, 'INVALID_REQUEST');
    assert.match(refused.body.error.message, /^amount must be a whole number of won/);
    assert.deepEqual(await h.store.getRequest(id), before, 'nothing moved');
    assert.deepEqual(await h.store.listAttempts('FR-1'), [], 'no attempt audited');
    assert.equal((await requestCalls(h).approve('rr_nosuch', { amount: 1.5 })).res.status, 404);
    assert.equal((await requestCalls(h).approve(id, { amount: 1000 })).body.request.status, 'refunded');
  });

  it('opens a request sealed under the previous key after a rotation', async () => {
    const { path, oldKey, id, fake } = await sealedThenStopped('K-1');
    const store = createSqliteStore({ path });
    h = await withRequests({ store, fake, config: { dataKeys: { current: randomDataKey(), previous: oldKey } } });
    const done = await requestCalls(h).approve(id);
    assert.equal(done.body.request.status, 'refunded');
    assert.equal(
      (h.fake.calls.find((c) => c.route === 'cancel')!.body as Record<string, unknown>).refund_account,
      ACCOUNT_DIGITS,
    );
  });
});
