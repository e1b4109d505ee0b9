/** @module Store contract, refund attempts: an append-only audit whose outcome is written once (unknown may settle). */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { aFinish, anAttempt, type StorePair, T0, unique } from './contract-fixtures.ts';
import { LATE_OF_FROM_MESSAGE } from './migrations.ts';
import { inspectSqlStore } from './sql-store.ts';

const OPEN = {
  outcome: null,
  error_code: null,
  iamport_code: null,
  iamport_message: null,
  cancellation_id: null,
  refunded: null,
  iamport_ms: null,
  finished_at: null,
};

export function attemptsContract(stores: () => StorePair): void {
  describe('refund attempts', () => {
    before(() => stores().a.migrate());

    it('stores an open attempt with every start column and no outcome', async () => {
      const { a, b } = stores();
      const start = anAttempt({ requested_amount: null, amount: 12.5, checksum: 20.75 });
      await a.insertAttempt(start);
      assert.deepEqual(await b.getAttempt(start.id), { ...start, ...OPEN });

      const bare = anAttempt({
        imp_uid: null,
        amount: null,
        checksum: null,
        refund_bank: null,
        refund_account_masked: null,
        grant_jti: null,
        client_ip: null,
        origin: null,
        idempotency_key: null,
      });
      await a.insertAttempt(bare);
      assert.deepEqual(await a.getAttempt(bare.id), { ...bare, ...OPEN });
    });

    it("reads late_of back from the message of a late refund's row written before the column (migration 14)", async () => {
      const { a, b } = stores();
      const earlier = unique('attempt');
      const said = (gateway: string) => `${gateway} applied it after attempt ${earlier} was settled as not made`;
      const legacy = anAttempt({ late_of: null });
      const other = anAttempt({ late_of: null });
      await a.insertAttempt(legacy, aFinish({ iamport_message: said('PortOne V2') }));
      await a.insertAttempt(other, aFinish({ iamport_message: `i'mport said: ${said("i'mport")} (not ours)` }));
      await inspectSqlStore(a).rerun(LATE_OF_FROM_MESSAGE);
      assert.equal((await b.getAttempt(legacy.id))?.late_of, earlier);
      assert.equal((await b.getAttempt(other.id))?.late_of, null, 'only a message that is exactly ours');
      const written = anAttempt({ late_of: unique('attempt') });
      await a.insertAttempt(written, aFinish({ iamport_message: said("i'mport") }));
      await inspectSqlStore(a).rerun(LATE_OF_FROM_MESSAGE);
      assert.equal((await b.getAttempt(written.id))?.late_of, written.late_of, 'one written with it is left as it is');
    });

    it('stores an attempt that ended before it was sent (a local refusal)', async () => {
      const { a } = stores();
      const start = anAttempt();
      const refusal = aFinish({
        outcome: 'rejected',
        error_code: 'CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT',
        iamport_code: null,
        cancellation_id: null,
        refunded: null,
        iamport_ms: null,
      });
      await a.insertAttempt(start, refusal);
      assert.deepEqual(await a.getAttempt(start.id), { ...start, ...refusal });
      assert.equal(await a.finishAttempt(start.id, aFinish()), false, 'a refusal is final');
      assert.deepEqual(await a.getAttempt(start.id), { ...start, ...refusal });
    });

    it('finishes an open attempt once and never rewrites it', async () => {
      const { a, b } = stores();
      const start = anAttempt();
      await a.insertAttempt(start);
      const failed = aFinish({
        outcome: 'failed',
        error_code: 'IAMPORT_ERROR',
        iamport_code: 1,
        iamport_message: '취소 실패',
      });
      assert.equal(await a.finishAttempt(start.id, failed), true);
      assert.equal(await b.finishAttempt(start.id, aFinish({ finished_at: T0 + 999 })), false);
      assert.equal(await b.finishAttempt(start.id, aFinish({ outcome: 'unknown' })), false);
      assert.deepEqual(await a.getAttempt(start.id), { ...start, ...failed });
    });

    it('settles an unknown outcome later, and then no more', async () => {
      const { a, b } = stores();
      const start = anAttempt();
      await a.insertAttempt(start);
      const unknown = aFinish({
        outcome: 'unknown',
        error_code: 'IAMPORT_TIMEOUT',
        iamport_code: null,
        cancellation_id: null,
        refunded: null,
      });
      assert.equal(await a.finishAttempt(start.id, unknown), true);
      assert.deepEqual(await a.getAttempt(start.id), { ...start, ...unknown });

      const settled = aFinish({ outcome: 'succeeded', finished_at: T0 + 60_000 });
      assert.equal(await b.finishAttempt(start.id, settled), true);
      assert.deepEqual(await a.getAttempt(start.id), { ...start, ...settled });
      assert.equal(await b.finishAttempt(start.id, aFinish({ outcome: 'failed' })), false);
      assert.deepEqual(await a.getAttempt(start.id), { ...start, ...settled });
    });

    it('lets exactly one of several concurrent finishes win', async () => {
      const { a, b } = stores();
      const start = anAttempt();
      await a.insertAttempt(start);
      const finishes = Array.from({ length: 10 }, (_, i) => aFinish({ finished_at: T0 + i }));
      const won = await Promise.all(finishes.map((finish, i) => (i % 2 === 0 ? a : b).finishAttempt(start.id, finish)));
      assert.equal(won.filter(Boolean).length, 1);
      assert.deepEqual(await a.getAttempt(start.id), { ...start, ...finishes[won.indexOf(true)] });
    });

    it('answers false and null for an attempt it does not have', async () => {
      const { a } = stores();
      const id = unique('attempt');
      assert.equal(await a.finishAttempt(id, aFinish()), false);
      assert.equal(await a.getAttempt(id), null);
    });

    it('refuses a second insert with the same id and keeps the first', async () => {
      const { a, b } = stores();
      const start = anAttempt();
      await a.insertAttempt(start);
      await assert.rejects(b.insertAttempt({ ...start, reason: 'overwritten' }, aFinish()));
      assert.deepEqual(await a.getAttempt(start.id), { ...start, ...OPEN });
    });

    it("lists an order's attempts oldest first, in insertion order within one millisecond", async () => {
      const { a, b } = stores();
      const order = unique('order');
      const at = (started_at: number, label: string) =>
        anAttempt({ merchant_uid: order, started_at, id: `${label}-${unique('a')}` });
      // The tie's ids sort against insertion order, so ordering by id instead of insertion would show.
      const [late, early, tieFirst, tieSecond] = [
        at(T0 + 2, 'late'),
        at(T0, 'early'),
        at(T0 + 1, 'z-tie'),
        at(T0 + 1, 'a-tie'),
      ];
      await a.insertAttempt(late);
      await b.insertAttempt(early);
      await a.insertAttempt(tieFirst, aFinish());
      await b.insertAttempt(tieSecond);
      await a.insertAttempt(anAttempt()); // another order's attempt stays out

      const listed = await b.listAttempts(order);
      assert.deepEqual(
        listed.map((attempt) => attempt.id),
        [early.id, tieFirst.id, tieSecond.id, late.id],
      );
      assert.deepEqual(await a.listAttempts(unique('order')), []);
    });

    it('pages attempts newest first by (started_at, id), filtered, never repeating or skipping across inserts', async () => {
      const { a, b } = stores();
      const order = unique('order');
      // Far in the future of every other test's attempts, so this test's pages hold only its own rows.
      const base = T0 + 10 * 365 * 86_400_000;
      const at = (ms: number, id: string, finish?: ReturnType<typeof aFinish>) =>
        a.insertAttempt(anAttempt({ merchant_uid: order, started_at: base + ms, id: `${order}-${id}` }), finish);
      await at(0, 'a', aFinish());
      await at(1, 'b');
      await at(1, 'c', aFinish({ outcome: 'rejected' }));
      await at(2, 'd', aFinish());
      await at(3, 'e');
      const ids = (rows: { id: string }[]) => rows.map((row) => row.id.slice(order.length + 1));
      const query = { merchant_uid: order, from: base };
      const first = await b.pageAttempts({ ...query, limit: 2 });
      assert.deepEqual(ids(first), ['e', 'd']);
      // Inserted between pages, newer and older than the cursor: neither shows on the pages that follow.
      await at(5, 'new');
      const last = first.at(-1)!;
      const second = await b.pageAttempts({ ...query, limit: 2, after: last });
      assert.deepEqual(ids(second), ['c', 'b'], 'same millisecond: the larger id first');
      const third = await b.pageAttempts({ ...query, limit: 2, after: second.at(-1)! });
      assert.deepEqual(ids(third), ['a']);

      assert.deepEqual(ids(await a.pageAttempts({ ...query, outcome: 'succeeded', limit: 10 })), ['d', 'a']);
      assert.deepEqual(ids(await a.pageAttempts({ ...query, outcome: 'open', limit: 10 })), ['new', 'e', 'b']);
      assert.deepEqual(ids(await a.pageAttempts({ ...query, from: base + 1, to: base + 3, limit: 10 })), [
        'd',
        'c',
        'b',
      ]);
      const everyOrder = await a.pageAttempts({ from: base, limit: 10 });
      assert.deepEqual(ids(everyOrder), ['new', 'e', 'd', 'c', 'b', 'a']);
      assert.deepEqual(everyOrder[0], { ...(await a.getAttempt(`${order}-new`))! });
    });
  });
}
