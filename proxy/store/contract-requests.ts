/** @module Store contract, refund requests: one open per order, compare-and-set moves, erasure, and attempt ends. */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { aFinish, anAttempt, aRequest, type StorePair, T0, unique } from './contract-fixtures.ts';
import type { ApprovalClaim, NewRefundRequest, RefundRequestRecord } from './requests.ts';
import type { Store } from './store.ts';

/** Requests written and approved (at T0 + 1), each waiting for its attempt. */
const approvedRequests = async (store: Store, count: number): Promise<NewRefundRequest[]> => {
  const requests = Array.from({ length: count }, () => aRequest());
  for (const r of requests) {
    await store.insertRequest(r);
    await store.transitionRequest(r.id, { from: 'requested', to: 'approved', now: T0 + 1 });
  }
  return requests;
};

export function requestsContract(stores: () => StorePair): void {
  describe('refund requests', () => {
    before(() => stores().a.migrate());

    it('keeps one open request per order, across instances, and reads the latest', async () => {
      const { a, b } = stores();
      const order = unique('order');
      const [first, second] = await Promise.all([
        a.insertRequest(aRequest({ merchant_uid: order })),
        b.insertRequest(aRequest({ merchant_uid: order })),
      ]);
      const made = [first, second].filter((r) => r.created);
      assert.equal(made.length, 1);
      const winner = made[0]!.created ? made[0]!.request : null;
      const loser = [first, second].find((r) => !r.created);
      assert.equal(loser && !loser.created ? loser.open.id : null, winner?.id);
      assert.equal(winner?.status, 'requested');
      assert.equal(winner?.allow_new_request, true);
      assert.equal((await b.latestRequest(order))?.id, winner?.id);
      assert.equal(await a.latestRequest(unique('order')), null);
    });

    it('keeps the cancels a request saw as a list, and none as none', async () => {
      const { a, b } = stores();
      const seen = aRequest({ cancels_seen: ['cncl_1', 'imp_1:1796000000:5000'] });
      const before = aRequest({ cancels_seen: null });
      const empty = aRequest({ cancels_seen: [] });
      for (const r of [seen, before, empty]) await a.insertRequest(r);
      assert.deepEqual((await b.getRequest(seen.id))?.cancels_seen, ['cncl_1', 'imp_1:1796000000:5000']);
      assert.equal((await b.getRequest(before.id))?.cancels_seen, null, 'a request from before the ledger kept them');
      assert.deepEqual((await b.getRequest(empty.id))?.cancels_seen, []);
    });

    it('moves a request only from the status read, once, and erases the account when it ends', async () => {
      const { a, b } = stores();
      const request = aRequest();
      await a.insertRequest(request);
      const approve = { from: 'requested', to: 'approved', now: T0 + 1, decided_at: T0 + 1, decided_by: 'k1' } as const;
      const moves = await Promise.all([
        a.transitionRequest(request.id, approve),
        b.transitionRequest(request.id, approve),
      ]);
      assert.equal(moves.filter(Boolean).length, 1);
      const approved = await b.getRequest(request.id);
      assert.equal(approved?.status, 'approved');
      assert.equal(approved?.decided_by, 'k1');
      assert.equal(approved?.refund_secret, request.refund_secret);
      // A new request of the order may follow once this one is final.
      const rejected = aRequest();
      await a.insertRequest(rejected);
      const moved = await a.transitionRequest(rejected.id, {
        from: 'requested',
        to: 'rejected',
        now: T0 + 2,
        reject_reason: '사용 흔적',
        allow_new_request: false,
      });
      assert.equal(moved?.reject_reason, '사용 흔적');
      assert.equal(moved?.allow_new_request, false);
      assert.equal(moved?.refund_secret, null);
      assert.equal(moved?.refund_account_masked, '****8400');
      assert.equal(await a.transitionRequest(rejected.id, { from: 'requested', to: 'withdrawn', now: T0 + 3 }), null);
    });

    it('moves a request only in the approval round given, when one is', async () => {
      const { a, b } = stores();
      const request = aRequest();
      await a.insertRequest(request);
      await a.transitionRequest(request.id, { from: 'requested', to: 'approved', now: T0 + 1 });
      await a.transitionRequest(request.id, { from: 'approved', to: 'failed', now: T0 + 2, error_code: 'PG_PROVIDER' });
      const second = await a.transitionRequest(request.id, { from: 'failed', to: 'approved', now: T0 + 3 });
      assert.equal(second?.approvals, 2);
      const fail = { from: 'approved', to: 'failed', now: T0 + 4, error_code: 'UPSTREAM_UNAVAILABLE' } as const;
      assert.equal(await b.transitionRequest(request.id, { ...fail, round: 1 }), null, 'read in round 1: not moved');
      assert.equal((await a.getRequest(request.id))?.status, 'approved');
      assert.equal((await b.transitionRequest(request.id, { ...fail, round: 2 }))?.status, 'failed');
    });

    it("writes an approval's attempt only while its request waits for it in that round, bound to it", async () => {
      const { a, b } = stores();
      const request = aRequest();
      await a.insertRequest(request);
      await a.transitionRequest(request.id, { from: 'requested', to: 'approved', now: T0 + 1 });
      const order = { merchant_uid: request.merchant_uid, request_id: request.id };
      const stale = anAttempt({ ...order, request_round: 2 });
      assert.equal(await b.insertAttempt(stale), false, 'another round: not written');
      const first = anAttempt({ ...order, request_round: 1 });
      const second = anAttempt({ ...order, request_round: 1 });
      const written = await Promise.all([a.insertAttempt(first), b.insertAttempt(second)]);
      assert.deepEqual(written.filter(Boolean).length, 1, 'one attempt per round');
      const bound = await a.getRequest(request.id);
      assert.equal(bound?.attempt_id, written[0] ? first.id : second.id);
      const [stored, ...others] = await a.listAttempts(request.merchant_uid);
      assert.equal(others.length, 0);
      // Written as any attempt is (on PostgreSQL its columns travel as one JSON object): every field as given.
      const { request_round: _round, ...given } = written[0] ? first : second;
      for (const [field, value] of Object.entries(given)) {
        assert.deepEqual(stored?.[field as keyof typeof stored], value, field);
      }
      // Its round's refund has begun: a move judged from that round (a stuck approval's) no longer lands.
      const fail = {
        from: 'approved',
        to: 'failed',
        now: T0 + 2,
        error_code: 'UPSTREAM_UNAVAILABLE',
        round: 1,
      } as const;
      assert.equal(await b.transitionRequest(request.id, fail), null);
    });

    it("writes an approval's attempt ended already (a refusal) only in its round with none bound, and moves its request", async () => {
      const { a, b } = stores();
      const request = aRequest();
      await a.insertRequest(request);
      await a.transitionRequest(request.id, { from: 'requested', to: 'approved', now: T0 + 1 });
      const order = { merchant_uid: request.merchant_uid, request_id: request.id };
      const refused = aFinish({ outcome: 'rejected', error_code: 'FORBIDDEN', cancellation_id: null, refunded: null });
      const told: RefundRequestRecord[] = [];
      const tell = (moved: RefundRequestRecord) => void told.push(moved);
      assert.equal(
        await b.insertAttempt(anAttempt({ ...order, request_round: 2 }), refused, tell),
        false,
        'another round',
      );
      assert.deepEqual([(await a.listAttempts(request.merchant_uid)).length, told.length], [0, 0], 'nothing written');
      const own = anAttempt({ ...order, request_round: 1 });
      assert.equal(await a.insertAttempt(own, refused, tell), true);
      const failed = await b.getRequest(request.id);
      assert.deepEqual([failed?.status, failed?.attempt_id, failed?.error_code], ['failed', own.id, 'FORBIDDEN']);
      assert.equal(told.length, 1);
      assert.equal(await b.insertAttempt(anAttempt({ ...order, request_round: 1 }), refused, tell), false, 'ended');
      // Approved again: once its refund is bound, an ended attempt of the same round is not written.
      await a.transitionRequest(request.id, { from: 'failed', to: 'approved', now: T0 + 3 });
      assert.equal(await a.insertAttempt(anAttempt({ ...order, request_round: 2 })), true);
      assert.equal(await b.insertAttempt(anAttempt({ ...order, request_round: 2 }), refused, tell), false, 'begun');
      assert.equal((await a.getRequest(request.id))?.status, 'approved');
    });

    /** A request approved, its refund sent and settled as not made after no answer: `failed`, as the ledger has it. */
    const aFailedApproval = async (store: Store) => {
      const request = aRequest();
      await store.insertRequest(request);
      await store.transitionRequest(request.id, { from: 'requested', to: 'approved', now: T0 + 1 });
      const order = { merchant_uid: request.merchant_uid, request_id: request.id };
      const sent = anAttempt({ ...order, request_round: 1 });
      await store.insertAttempt(sent);
      const unanswered = aFinish({ outcome: 'failed', error_code: 'UPSTREAM_UNAVAILABLE', cancellation_id: null });
      await store.finishAttempt(sent.id, { ...unanswered, refunded: null });
      return { request, order, sent };
    };

    it("records a failed request's refund that applied late once, late of one of its attempts, in the round read", async () => {
      const { a, b } = stores();
      const { request, order, sent } = await aFailedApproval(a);
      // Approved again; that refund refused (the first one's, landing meanwhile, had taken the money): failed again.
      await a.transitionRequest(request.id, { from: 'failed', to: 'approved', now: T0 + 2 });
      const refused = aFinish({
        outcome: 'rejected',
        error_code: 'PG_PROVIDER',
        cancellation_id: null,
        refunded: null,
      });
      assert.equal(await a.insertAttempt(anAttempt({ ...order, request_round: 2 }), refused), true);
      assert.equal((await b.getRequest(request.id))?.status, 'failed');
      const landed = aFinish({ refunded: 4000, finished_at: T0 + 9 });
      const lateOf = (late_of: string, failed_round = 2) => anAttempt({ ...order, failed_round, late_of });
      const other = anAttempt();
      await a.insertAttempt(other);
      assert.equal(await b.insertAttempt(lateOf(other.id), landed), false, "late of another order's attempt");
      assert.equal(await b.insertAttempt(lateOf(sent.id, 1), landed), false, 'in a round that has moved on');
      assert.equal(await b.insertAttempt(anAttempt({ ...order, failed_round: 2 }), landed), false, 'not late at all');
      const asApproval = anAttempt({ ...order, request_round: 2, late_of: sent.id });
      assert.equal(await b.insertAttempt(asApproval, landed), false, "an approval's round, ended: not on a failed one");
      const written = await Promise.all([
        a.insertAttempt(lateOf(sent.id), landed),
        b.insertAttempt(lateOf(sent.id), landed),
      ]);
      assert.deepEqual(written.filter(Boolean).length, 1, 'of two instances, one records it');
      const refunded = await a.getRequest(request.id);
      assert.deepEqual(
        [refunded?.status, refunded?.approved_amount, refunded?.error_code, refunded?.refund_secret],
        ['refunded', 4000, null, null],
      );
      assert.equal((await a.listAttempts(request.merchant_uid)).length, 3);
    });

    it("records a rejected request's refund that applied late: refunded, its rejection's reason kept", async () => {
      const { a, b } = stores();
      const { request, order, sent } = await aFailedApproval(a);
      const rejection = { reject_reason: '재고 없음', allow_new_request: false };
      await a.transitionRequest(request.id, { from: 'failed', to: 'rejected', now: T0 + 2, ...rejection });
      const landed = aFinish({ refunded: 4000, finished_at: T0 + 9 });
      const late = () => anAttempt({ ...order, failed_round: 1, late_of: sent.id });
      const written = await Promise.all([a.insertAttempt(late(), landed), b.insertAttempt(late(), landed)]);
      assert.deepEqual(written.filter(Boolean).length, 1, 'of two instances, one records it');
      const refunded = await b.getRequest(request.id);
      assert.deepEqual(
        [refunded?.status, refunded?.approved_amount, refunded?.reject_reason, refunded?.allow_new_request],
        ['refunded', 4000, '재고 없음', false],
      );
    });

    it("erases a failed request's account once the customer asks anew, and keeps the grant's jti and cap", async () => {
      const { a, b } = stores();
      const order = unique('order');
      const failed = aRequest({ merchant_uid: order, grant_jti: 'jti-1', grant_max_amount: 12_000 });
      await a.insertRequest(failed);
      await a.transitionRequest(failed.id, { from: 'requested', to: 'approved', now: T0 + 1 });
      await a.transitionRequest(failed.id, { from: 'approved', to: 'failed', now: T0 + 2, error_code: 'PG_PROVIDER' });
      const waiting = await b.getRequest(failed.id);
      assert.equal(waiting?.refund_secret, failed.refund_secret, 'a failed request may be approved again: kept');
      assert.equal(waiting?.grant_jti, 'jti-1');
      assert.equal(waiting?.grant_max_amount, 12_000);
      const anew = aRequest({ merchant_uid: order });
      assert.equal((await b.insertRequest(anew)).created, true);
      const superseded = await a.getRequest(failed.id);
      assert.equal(superseded?.refund_secret, null, "no longer its order's latest: never approved again");
      assert.equal(superseded?.refund_account_masked, '****8400');
      assert.equal((await a.getRequest(anew.id))?.refund_secret, anew.refund_secret);
      assert.equal((await a.getRequest(anew.id))?.grant_jti, null);
    });

    it("moves an approved request when its attempt ends, with the attempt's error, and not on an unknown one", async () => {
      const { a, b } = stores();
      const [ok, bad] = await approvedRequests(a, 2);
      const okAttempt = anAttempt({ merchant_uid: ok.merchant_uid, request_id: ok.id, approved_by: 'k1' });
      await a.insertAttempt(okAttempt);
      await b.finishAttempt(okAttempt.id, aFinish({ outcome: 'unknown' }));
      assert.equal((await a.getRequest(ok.id))?.status, 'approved');
      await b.finishAttempt(okAttempt.id, aFinish());
      const refunded = await a.getRequest(ok.id);
      assert.equal(refunded?.status, 'refunded');
      assert.equal(refunded?.attempt_id, okAttempt.id);
      assert.equal(refunded?.refund_secret, null);
      assert.equal((await a.getAttempt(okAttempt.id))?.approved_by, 'k1');

      const refused = anAttempt({ merchant_uid: bad.merchant_uid, request_id: bad.id });
      await b.insertAttempt(
        refused,
        aFinish({ outcome: 'rejected', error_code: 'CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT' }),
      );
      const failed = await a.getRequest(bad.id);
      assert.equal(failed?.status, 'failed');
      assert.equal(failed?.error_code, 'CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT');
    });

    it("tells the request an attempt's end moved, as stored, once committed; nothing when it did not move", async () => {
      const { a, b } = stores();
      const [ok, bad] = await approvedRequests(a, 2);
      const told: RefundRequestRecord[] = [];
      const tell = (request: RefundRequestRecord) => told.push(request);
      const okAttempt = anAttempt({ merchant_uid: ok.merchant_uid, request_id: ok.id });
      await a.insertAttempt(okAttempt, undefined, tell);
      await b.finishAttempt(okAttempt.id, aFinish({ outcome: 'unknown' }), undefined, tell);
      assert.equal(told.length, 0, 'an unknown outcome moves nothing');
      assert.equal(await b.finishAttempt(okAttempt.id, aFinish({ finished_at: T0 + 5 }), undefined, tell), true);
      assert.deepEqual(told, [await a.getRequest(ok.id)]);
      assert.equal(told[0]?.status, 'refunded');
      assert.equal(told[0]?.attempt_id, okAttempt.id);
      assert.equal(told[0]?.updated_at, T0 + 5);
      assert.equal(await b.finishAttempt(okAttempt.id, aFinish(), undefined, tell), false);
      assert.equal(told.length, 1, 'a finished attempt is not rewritten, nor its request told again');

      const refused = anAttempt({ merchant_uid: bad.merchant_uid, request_id: bad.id });
      await b.insertAttempt(refused, aFinish({ outcome: 'rejected', error_code: 'PAYMENT_NOT_PAID' }), tell);
      assert.deepEqual(told.at(-1), await a.getRequest(bad.id));
      assert.equal(told.at(-1)?.status, 'failed');
      assert.equal(told.at(-1)?.error_code, 'PAYMENT_NOT_PAID');

      const plain = anAttempt();
      await a.insertAttempt(plain, undefined, tell);
      await a.finishAttempt(plain.id, aFinish(), undefined, tell);
      assert.equal(told.length, 2, 'an attempt of no request tells nothing');
    });

    it("never lets an attempt's late second end move its request again, after the request was approved anew", async () => {
      const { a, b } = stores();
      const [request] = await approvedRequests(a, 1);
      assert.ok(request);
      const first = anAttempt({ merchant_uid: request.merchant_uid, request_id: request.id });
      await a.insertAttempt(first);
      const refused = aFinish({ outcome: 'rejected', error_code: 'PG_PROVIDER', finished_at: T0 + 2 });
      assert.equal(await a.finishAttempt(first.id, refused), true);
      assert.equal((await a.getRequest(request.id))?.status, 'failed');
      await a.transitionRequest(request.id, { from: 'failed', to: 'approved', now: T0 + 3 });
      // The same end again (another instance that learned the same outcome at the same moment): it ends nothing, so
      // the request, approved for its second refund, stays so.
      const told: RefundRequestRecord[] = [];
      assert.equal(await b.finishAttempt(first.id, refused, undefined, (r) => told.push(r)), false);
      assert.equal((await a.getRequest(request.id))?.status, 'approved');
      assert.equal((await a.getRequest(request.id))?.attempt_id, null);
      assert.deepEqual(told, []);
    });

    it('approves a failed request again (counting approvals, clearing its error) only while it is the latest', async () => {
      const { a, b } = stores();
      const request = aRequest();
      await a.insertRequest(request);
      const approve = { from: 'requested', to: 'approved', now: T0 + 1, decided_by: 'k1' } as const;
      assert.equal((await a.transitionRequest(request.id, approve))?.approvals, 1);
      const fail = { from: 'approved', to: 'failed', now: T0 + 2, error_code: 'PG_PROVIDER' } as const;
      assert.equal((await b.transitionRequest(request.id, fail))?.error_code, 'PG_PROVIDER');
      const again = await b.transitionRequest(request.id, {
        ...approve,
        from: 'failed',
        now: T0 + 3,
        decided_by: 'k2',
      });
      assert.equal(again?.status, 'approved');
      assert.equal(again?.approvals, 2);
      assert.equal(again?.error_code, null);
      assert.equal(again?.decided_by, 'k2');
      assert.equal(again?.refund_secret, request.refund_secret, 'still sealed for the refund');

      // Once the customer asked again, the failed one stays failed: a second refund of one ask is not possible.
      await a.transitionRequest(request.id, { ...fail, from: 'approved', now: T0 + 4 });
      const newer = await a.insertRequest(aRequest({ merchant_uid: request.merchant_uid }));
      assert.equal(newer.created, true);
      assert.equal(await b.transitionRequest(request.id, { ...approve, from: 'failed', now: T0 + 5 }), null);
      assert.equal((await a.getRequest(request.id))?.status, 'failed');
    });

    it('lets either a new request or the failed one approved again win a race, never both', async () => {
      const { a, b } = stores();
      for (let round = 0; round < 5; round += 1) {
        const request = aRequest();
        await a.insertRequest(request);
        await a.transitionRequest(request.id, { from: 'requested', to: 'approved', now: T0 + 1 });
        await a.transitionRequest(request.id, {
          from: 'approved',
          to: 'failed',
          now: T0 + 2,
          error_code: 'PG_PROVIDER',
        });
        const [approved, inserted] = await Promise.all([
          a.transitionRequest(request.id, { from: 'failed', to: 'approved', now: T0 + 3 }),
          b.insertRequest(aRequest({ merchant_uid: request.merchant_uid })),
        ]);
        assert.equal(Number(approved !== null) + Number(inserted.created), 1, `round ${round}`);
      }
    });

    it("claims a request for approval in one write, only if the approval's checks hold, with its event", async () => {
      const { a, b } = stores();
      const claim: ApprovalClaim = {
        now: T0 + 1,
        decided_by: 'staff-7',
        amount: null,
        note: null,
        openablePrefixes: ['v1.sealed.'],
      };
      const asked = aRequest({ tax_free_amount: 2_000 });
      await a.insertRequest(asked);
      const refused = async (changes: Partial<typeof claim>, why: string) => {
        assert.equal(await b.claimApproval(asked.id, { ...claim, ...changes }), null, why);
        const stored = await a.getRequest(asked.id);
        assert.equal(stored?.status, 'requested', why);
        assert.equal(stored?.approvals, 0, why);
      };
      await refused({ amount: 10_001 }, 'more than was asked');
      await refused({ amount: 1_999 }, 'less than its tax-free part');
      await refused({ openablePrefixes: ['v1.other.'] }, 'sealed under a key not configured');
      await refused({ openablePrefixes: [] }, 'no key at all');
      assert.equal(await b.claimApproval(unique('req'), claim), null, 'no such request');

      const told: RefundRequestRecord[] = [];
      const moved = await b.claimApproval(asked.id, { ...claim, amount: 6_000, note: '부분 승인' }, (request) => {
        told.push(request);
        return {
          id: unique('evt'),
          type: 'refund_request.approved',
          merchant_uid: request.merchant_uid,
          data: { approved_amount: request.approved_amount },
          created_at: T0 + 1,
          dedupe_key: unique('dedupe'),
        };
      });
      assert.equal(moved?.status, 'approved');
      assert.equal(moved?.approvals, 1);
      assert.equal(moved?.approved_amount, 6_000);
      assert.equal(moved?.note, '부분 승인');
      assert.equal(moved?.decided_by, 'staff-7');
      assert.equal(moved?.decided_at, T0 + 1);
      assert.equal(moved?.refund_secret, asked.refund_secret, 'still sealed for the refund');
      assert.deepEqual(told, [moved], 'the event is built from the request as moved');
      const [event] = await a.listOrderEvents(asked.merchant_uid);
      assert.deepEqual(event?.data, { approved_amount: 6_000 }, 'written with the move');
      assert.equal(await a.claimApproval(asked.id, claim), null, 'approved already: not again');

      // A failed request is claimed again (its error cleared, what was asked approved) while it is its order's latest.
      await a.transitionRequest(asked.id, { from: 'approved', to: 'failed', now: T0 + 2, error_code: 'PG_PROVIDER' });
      const again = await b.claimApproval(asked.id, { ...claim, now: T0 + 3 });
      assert.equal(again?.approvals, 2);
      assert.equal(again?.error_code, null);
      assert.equal(again?.approved_amount, 10_000);
      assert.equal(again?.note, '부분 승인', 'an approval without a note keeps the last one');
      await a.transitionRequest(asked.id, { from: 'approved', to: 'failed', now: T0 + 4, error_code: 'PG_PROVIDER' });
      assert.equal((await a.insertRequest(aRequest({ merchant_uid: asked.merchant_uid }))).created, true);
      assert.equal(await b.claimApproval(asked.id, { ...claim, now: T0 + 5 }), null, 'the order has a newer request');
      assert.equal((await a.getRequest(asked.id))?.status, 'failed');

      // Without a sealed account no key is needed; of two claims at once, one moves it.
      const card = aRequest({ refund_secret: null, refund_bank: null, refund_account_masked: null });
      await a.insertRequest(card);
      const both = await Promise.all([
        a.claimApproval(card.id, { ...claim, openablePrefixes: [] }),
        b.claimApproval(card.id, { ...claim, openablePrefixes: [] }),
      ]);
      assert.equal(both.filter(Boolean).length, 1);
      assert.equal((await a.getRequest(card.id))?.approvals, 1);
    });

    it('lists approvals whose refund never began, claimed before a time, longest waiting first', async () => {
      const { a, b } = stores();
      // Claimed far past every other test's requests, so theirs come first in the list, and these are told apart.
      const at = T0 + 900_000_000 + Math.floor(Math.random() * 1_000_000) * 10;
      const approve = (id: string, decided_at: number) =>
        a.transitionRequest(id, { from: 'requested', to: 'approved', now: decided_at, decided_at, decided_by: 'k' });
      const [later, earlier, begun, recent, asked] = [0, 1, 2, 3, 4].map(() => aRequest());
      for (const r of [later, earlier, begun, recent, asked]) await a.insertRequest(r!);
      await approve(later!.id, at + 2);
      await approve(earlier!.id, at + 1);
      await approve(begun!.id, at);
      await approve(recent!.id, at + 5);
      const bound = anAttempt({ merchant_uid: begun!.merchant_uid, request_id: begun!.id, request_round: 1 });
      assert.equal(await a.insertAttempt(bound), true, 'its refund began');
      const mine = new Set([later, earlier, begun, recent, asked].map((r) => r!.id));
      const listed = (await b.unstartedApprovals(at + 5, 500)).filter((r) => mine.has(r.id));
      assert.deepEqual(
        listed.map((r) => [r.id, r.status, r.attempt_id]),
        [
          [earlier!.id, 'approved', null],
          [later!.id, 'approved', null],
        ],
      );
    });

    it('pages requests newest first by (created_at, id), filtered by status and time', async () => {
      const { a, b } = stores();
      const base = T0 + 10_000_000 + Math.floor(Math.random() * 1_000_000) * 10;
      const rows = [0, 1, 2].map((i) => aRequest({ created_at: base + i }));
      for (const r of rows) await a.insertRequest(r);
      const window = { from: base, to: base + 3 };
      const first = await b.pageRequests({ ...window, limit: 2 });
      assert.deepEqual(
        first.map((r) => r.id),
        [rows[2]!.id, rows[1]!.id],
      );
      const last = first.at(-1)!;
      const next = await b.pageRequests({ ...window, after: { created_at: last.created_at, id: last.id }, limit: 2 });
      assert.deepEqual(
        next.map((r) => r.id),
        [rows[0]!.id],
      );
      assert.deepEqual(await b.pageRequests({ ...window, status: 'approved', limit: 5 }), []);
    });

    it('pages them oldest first when asked (a queue), and by order', async () => {
      const { a, b } = stores();
      const base = T0 + 20_000_000 + Math.floor(Math.random() * 1_000_000) * 10;
      const rows = [0, 1, 2].map((i) => aRequest({ created_at: base + i }));
      for (const r of rows) await a.insertRequest(r);
      const window = { from: base, to: base + 3, order: 'oldest' } as const;
      const first = await b.pageRequests({ ...window, limit: 2 });
      assert.deepEqual(
        first.map((r) => r.id),
        [rows[0]!.id, rows[1]!.id],
      );
      const last = first.at(-1)!;
      const next = await b.pageRequests({ ...window, after: { created_at: last.created_at, id: last.id }, limit: 2 });
      assert.deepEqual(
        next.map((r) => r.id),
        [rows[2]!.id],
      );
      const one = await b.pageRequests({ ...window, merchant_uid: rows[1]!.merchant_uid, limit: 5 });
      assert.deepEqual(
        one.map((r) => r.id),
        [rows[1]!.id],
      );
    });
  });
}
