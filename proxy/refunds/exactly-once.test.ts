// Exactly-once: unknown outcomes settled from i'mport, Idempotency-Key replay, and concurrent refunds of one order.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createFakeIamport } from '../gateways/iamport/fake/fake-iamport.ts';
import { createSqliteStore } from '../store/sqlite.ts';
import { createClock, createHarness, type Harness, tempSqlitePath } from '../test-support/harness.ts';
import { cancelAtIamport, notifyOf } from '../test-support/iamport-side.ts';
import { withFetch } from '../test-support/rewrite-answers.ts';

let h: Harness;
afterEach(async () => h?.close());

/** A refund of `amount` of a new order of 5,000 whose cancel got no answer (it never reached i'mport). */
const unanswered = async (merchantUid: string, amount: number, key: string) => {
  const p = h.fake.addPayment({ merchant_uid: merchantUid, amount: 5000 });
  h.fake.inject({ kind: 'drop', route: 'cancel' });
  const body = { merchant_uid: merchantUid, cancel_request_amount: amount, reason: 'x' };
  assert.equal((await h.cancel(body, { key })).body.error.code, 'REFUND_OUTCOME_UNKNOWN');
  return { p, body };
};

/** The same, settled as not made ten minutes on. */
const settledAsNotMade = async (merchantUid: string, amount: number, key: string) => {
  const { p, body } = await unanswered(merchantUid, amount, key);
  h.clock.advance(10 * 60_000 + 1000);
  assert.equal((await h.view(merchantUid)).body.cancelable_amount, 5000, 'settled as not refunded');
  return { p, body };
};

describe("unknown outcomes: the proxy says only what i'mport shows", () => {
  it('a cancel applied but its response lost is reported as done, once', async () => {
    h = await createHarness();
    const p = h.fake.addPayment({ merchant_uid: 'U-LOST', amount: 7000 });
    h.fake.inject({ kind: 'lose_response' });
    const { res, body } = await h.cancel({ merchant_uid: 'U-LOST', reason: 'x' }, { key: 'k-lost' });
    assert.equal(res.status, 200);
    assert.equal(body.refunded, 7000);
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 7000);
    assert.equal((await h.store.getPayment('U-LOST'))!.cancel_amount, 7000);
    const [attempt] = await h.store.listAttempts('U-LOST');
    assert.equal(attempt!.outcome, 'succeeded');
    assert.ok(attempt!.cancellation_id);
  });

  // The cancel was sent and its answer never came: i'mport may still be running it (waiting on the PG), so a lookup
  // that shows nothing yet proves nothing (Gateway.changeMayRunForMs). "Nothing was refunded" would be a guess, and a
  // new refund on it could refund twice if the first applied late.
  for (const fault of [
    { kind: 'drop' as const, route: 'cancel' as const },
    { kind: 'http_5xx' as const, route: 'cancel' as const, status: 502 },
    { kind: 'delay' as const, route: 'cancel' as const, ms: 5000 },
  ]) {
    it(`a cancel whose answer never came (${fault.kind}) stays unknown while i'mport may run it, then the same key refunds once`, async () => {
      h = await createHarness({ timeoutMs: 300 });
      const uid = `U-${fault.kind}`;
      const p = h.fake.addPayment({ merchant_uid: uid, amount: 5000 });
      h.fake.inject(fault);
      const first = await h.cancel({ merchant_uid: uid, reason: 'x' }, { key: `k-${fault.kind}` });
      assert.equal(first.res.status, 503);
      assert.equal(first.body.error.code, 'REFUND_OUTCOME_UNKNOWN');
      assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 0);
      assert.equal((await h.store.listAttempts(uid))[0]!.outcome, 'unknown');
      const during = await h.view(uid);
      assert.deepEqual([during.body.refundable, during.body.reason], [false, 'OUTCOME_PENDING_CHECK']);
      const soon = await h.cancel({ merchant_uid: uid, reason: 'x' }, { key: `k-${fault.kind}` });
      assert.equal(soon.body.error?.code, 'REFUND_OUTCOME_UNKNOWN', 'a lookup showing nothing yet proves nothing');
      const other = await h.cancel({ merchant_uid: uid, reason: 'x' }, { key: `k-${fault.kind}-2` });
      assert.equal(other.body.error?.code, 'REFUND_IN_PROGRESS', 'another request sends nothing beside it');
      assert.equal(h.fake.count('cancel'), 1, 'nothing more was sent while the first may still apply');

      h.clock.advance(10 * 60_000 + 1000);
      const retry = await h.cancel({ merchant_uid: uid, reason: 'x' }, { key: `k-${fault.kind}` });
      assert.equal(retry.res.status, 200, JSON.stringify(retry.body));
      assert.equal(retry.body.refunded, 5000);
      assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 5000);
      assert.deepEqual(
        (await h.store.listAttempts(uid)).map((a) => a.outcome).sort(),
        ['failed', 'succeeded'],
        'the first attempt settled as not refunded, the retry refunded',
      );
    });
  }

  it("a cancel whose answer never came is settled as the refund it was when i'mport applies it late", async () => {
    h = await createHarness({ timeoutMs: 300 });
    const p = h.fake.addPayment({ merchant_uid: 'U-LATE', amount: 5000 });
    h.fake.inject({ kind: 'drop', route: 'cancel' });
    const first = await h.cancel(
      { merchant_uid: 'U-LATE', cancel_request_amount: 2000, reason: 'x' },
      { key: 'k-late' },
    );
    assert.equal(first.body.error.code, 'REFUND_OUTCOME_UNKNOWN');
    // i'mport finishes the cancel after the proxy stopped waiting: it shows up in the payment's history, in its words.
    await cancelAtIamport(h, p.imp_uid, 2000, 5000, 'x');
    const retry = await h.cancel(
      { merchant_uid: 'U-LATE', cancel_request_amount: 2000, reason: 'x' },
      { key: 'k-late' },
    );
    assert.equal(retry.res.status, 200, JSON.stringify(retry.body));
    assert.equal(retry.body.refunded, 2000);
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 2000, 'refunded once');
    assert.deepEqual(
      (await h.store.listAttempts('U-LATE')).map((a) => a.outcome),
      ['succeeded'],
    );
  });

  it("never takes a refund made in i'mport's console before the cancel for the cancel that got no answer", async () => {
    h = await createHarness({ timeoutMs: 300 });
    const p = h.fake.addPayment({ merchant_uid: 'U-CONSOLE', amount: 5000 });
    await h.view('U-CONSOLE');
    // Staff refund 1,000 in i'mport's console, and the ledger learns of it.
    await cancelAtIamport(h, p.imp_uid, 1000, 5000);
    h.clock.advance(60_000);
    assert.equal((await h.view('U-CONSOLE')).body.cancel_amount, 0, 'the ledger has not read it yet');
    await notifyOf(h, p.imp_uid, 'U-CONSOLE');
    assert.equal((await h.view('U-CONSOLE')).body.cancel_amount, 1000);
    h.clock.advance(60_000);
    // The customer's own 1,000 never reaches i'mport.
    h.fake.inject({ kind: 'drop', route: 'cancel' });
    const body = { merchant_uid: 'U-CONSOLE', cancel_request_amount: 1000, reason: 'x' };
    assert.equal((await h.cancel(body, { key: 'k-console' })).body.error.code, 'REFUND_OUTCOME_UNKNOWN');
    h.clock.advance(60_000);
    const soon = await h.cancel(body, { key: 'k-console' });
    assert.equal(
      soon.body.error?.code,
      'REFUND_OUTCOME_UNKNOWN',
      `the console's refund is not this one: ${JSON.stringify(soon.body)}`,
    );
    h.clock.advance(10 * 60_000);
    const retry = await h.cancel(body, { key: 'k-console' });
    assert.equal(retry.res.status, 200, JSON.stringify(retry.body));
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 2000, "the console's and the customer's own, once each");
  });

  /**
   * A harness whose lookups of a payment are counted, and from `arm(n)` on the n-th goes through `nth` (which may
   * answer itself, or wait, then forward it to the fake i'mport); the rest reach the fake as they are.
   */
  const withLookupSeam = async (
    nth: (forward: () => Promise<Response>) => Promise<Response>,
    timeoutMs: number,
  ): Promise<{ arm: (n: number) => void; lookups: () => number }> => {
    const clock = createClock();
    const fake = createFakeIamport({ now: clock.now });
    let armed = 0;
    let lookups = 0;
    const seam: typeof fetch = async (input, init) => {
      const forward = () => fake.fetch(input, init);
      if (String(input).includes('/payments/imp_') && armed > 0 && ++lookups === armed) return nth(forward);
      return forward();
    };
    h = await createHarness({ timeoutMs, clock, fake: withFetch(fake, seam) });
    return { arm: (n) => void (armed = n), lookups: () => lookups };
  };

  it('keeps an order whose cancel got no answer marked when a webhook arrives and its second lookup fails', async () => {
    const seam = await withLookupSeam(async () => new Response('bad gateway', { status: 502 }), 300);
    const { p } = await unanswered('U-MARK', 1000, 'k-mark');
    // i'mport notifies (of something else): its first lookup stores the copy, the one under the order's lease fails.
    seam.arm(2);
    await notifyOf(h, p.imp_uid, 'U-MARK', 'paid');
    assert.equal(seam.lookups(), 2);
    const view = await h.view('U-MARK');
    assert.deepEqual([view.body.refundable, view.body.reason], [false, 'OUTCOME_PENDING_CHECK']);
    h.clock.advance(10 * 60_000 + 1000);
    const after = await h.view('U-MARK');
    assert.deepEqual([after.body.refundable, after.body.cancelable_amount], [true, 5000], 'settled as not refunded');
  });

  it("shows an order whose cancel got no answer as being checked while a webhook's second lookup waits on i'mport", async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const seam = await withLookupSeam(async (forward) => held.then(forward), 60_000);
    const { p } = await unanswered('U-SLOW', 1000, 'k-slow');
    seam.arm(2);
    const notified = notifyOf(h, p.imp_uid, 'U-SLOW', 'paid');
    try {
      while (seam.lookups() < 2) await new Promise((resolve) => setTimeout(resolve, 5));
      const during = await h.view('U-SLOW');
      assert.deepEqual([during.body.refundable, during.body.reason], [false, 'OUTCOME_PENDING_CHECK']);
    } finally {
      release();
      await notified;
    }
    const after = await h.view('U-SLOW');
    assert.deepEqual([after.body.refundable, after.body.reason], [false, 'OUTCOME_PENDING_CHECK'], 'still unknown');
    assert.equal(h.fake.count('cancel'), 1);
  });

  it("a cancel settled as not refunded after ten minutes and applied by i'mport later still: the same key answers that refund", async () => {
    h = await createHarness({ timeoutMs: 300 });
    const { p, body } = await settledAsNotMade('U-LATER', 2000, 'k-later');
    // Later than any gateway should, i'mport applies it after all; a look records it as a cancel made elsewhere.
    await cancelAtIamport(h, p.imp_uid, 2000, 5000, body.reason);
    await notifyOf(h, p.imp_uid, 'U-LATER');
    const retry = await h.cancel(body, { key: 'k-later' });
    assert.equal(retry.res.status, 200, JSON.stringify(retry.body));
    assert.equal(retry.body.refunded, 2000);
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 2000, 'refunded once, not twice');
    assert.equal(h.fake.count('cancel'), 2, "the lost one and the late one at i'mport: none sent for the retry");
    const audit = await h.store.listAttempts('U-LATER');
    const taken = audit.find((a) => a.outcome === 'succeeded');
    assert.equal(taken?.cancellation_id, h.fake.getPayment(p.imp_uid)!.cancel_history[0]!.cancellation_id);
  });

  it("a late cancel is found by the same key's retry even before i'mport's webhook tells of it", async () => {
    h = await createHarness({ timeoutMs: 300 });
    const { p, body } = await settledAsNotMade('U-QUIET', 1000, 'k-quiet');
    await cancelAtIamport(h, p.imp_uid, 1000, 5000, body.reason);
    const retry = await h.cancel(body, { key: 'k-quiet' });
    assert.deepEqual([retry.res.status, retry.body.refunded], [200, 1000], JSON.stringify(retry.body));
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 1000, 'refunded once');
  });

  it("takes its own cancel even when a console refund landed while i'mport waited on the PG for it", async () => {
    h = await createHarness({ timeoutMs: 300 });
    const { p, body } = await unanswered('U-BETWEEN', 1000, 'k-between');
    // i'mport accepted the 1,000 (checksum 5,000) and waits on the PG; staff refund 2,000 in the console meanwhile,
    // and the customer's 1,000 is stamped after it.
    h.clock.advance(1000);
    await cancelAtIamport(h, p.imp_uid, 2000, 5000);
    h.clock.advance(1000);
    await cancelAtIamport(h, p.imp_uid, 1000, undefined, body.reason);
    const retry = await h.cancel(body, { key: 'k-between' });
    assert.deepEqual([retry.res.status, retry.body.refunded], [200, 1000], JSON.stringify(retry.body));
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 3000, 'refunded once');
  });

  it("never takes a console cancel for a retry whose first try was never sent (no token from i'mport)", async () => {
    h = await createHarness({ timeoutMs: 300 });
    const p = h.fake.addPayment({ merchant_uid: 'U-UNSENT', amount: 5000 });
    await h.view('U-UNSENT');
    h.fake.expireTokens();
    h.fake.inject({ kind: 'http_5xx', route: 'token', times: 3 });
    const body = { merchant_uid: 'U-UNSENT', cancel_request_amount: 1000, reason: 'x' };
    assert.equal((await h.cancel(body, { key: 'k-unsent' })).body.error.code, 'UPSTREAM_UNAVAILABLE');
    assert.deepEqual(
      (await h.store.listAttempts('U-UNSENT')).map((a) => [a.outcome, a.error_code]),
      [['failed', 'UPSTREAM_UNAVAILABLE']],
      'written, and ended at once: nothing was sent',
    );
    h.fake.clearFaults();
    h.clock.advance(60_000);
    await cancelAtIamport(h, p.imp_uid, 1000, 5000);
    const retry = await h.cancel(body, { key: 'k-unsent' });
    assert.equal(retry.res.status, 200, JSON.stringify(retry.body));
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 2000, "the console's and the customer's own");
  });

  it('a late cancel is one refund: it counts against the grant, and a second key that got no answer cannot take it too', async () => {
    h = await createHarness({ timeoutMs: 300 });
    const p = h.fake.addPayment({ merchant_uid: 'U-TWO', amount: 5000 });
    // One grant (its jti and cap), minted again for each call as a shop's page would be reloaded.
    const grant = () => h.grant('U-TWO', { maxAmount: 2000, jti: 'g-two' });
    const body = (n: number) => ({ merchant_uid: 'U-TWO', cancel_request_amount: 1000, reason: `r${n}` });
    // Two asks of 1,000, each sent, each without an answer, each settled as not made ten minutes on.
    for (const n of [1, 2]) {
      h.fake.inject({ kind: 'drop', route: 'cancel' });
      assert.equal(
        (await h.cancel(body(n), { key: `k-${n}`, grant: await grant() })).body.error.code,
        'REFUND_OUTCOME_UNKNOWN',
      );
      h.clock.advance(10 * 60_000 + 1000);
      assert.equal((await h.view('U-TWO')).body.refundable, true);
    }
    // One of them applies after all: the first, in its words.
    await cancelAtIamport(h, p.imp_uid, 1000, 5000, 'r1');
    await notifyOf(h, p.imp_uid, 'U-TWO');
    const first = await h.cancel(body(1), { key: 'k-1', grant: await grant() });
    assert.deepEqual([first.res.status, first.body.refunded], [200, 1000], JSON.stringify(first.body));
    const second = await h.cancel(body(2), { key: 'k-2', grant: await grant() });
    assert.equal(second.res.status, 200, JSON.stringify(second.body));
    assert.notEqual(second.body.receipt_url, first.body.receipt_url, 'its own refund, not the same one again');
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 2000);
    const third = await h.cancel(body(3), { key: 'k-3', grant: await grant() });
    assert.equal(third.body.error?.code, 'FORBIDDEN', "the grant's 2,000 are spent: the late one counted");
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 2000);
  });

  it('when even the re-fetch fails, answers 503 REFUND_OUTCOME_UNKNOWN, marks the order, and the retry with the same key reports the refund that did happen', async () => {
    h = await createHarness();
    const p = h.fake.addPayment({ merchant_uid: 'U-DARK', amount: 4000 });
    await h.view('U-DARK');
    h.fake.inject({ kind: 'lose_response' });
    h.fake.inject({ kind: 'drop', route: 'payment' });
    const first = await h.cancel({ merchant_uid: 'U-DARK', reason: 'x' }, { key: 'k-dark' });
    assert.equal(first.res.status, 503);
    assert.equal(first.body.error.code, 'REFUND_OUTCOME_UNKNOWN');
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 4000, "the cancel did happen at i'mport");
    assert.equal((await h.store.getPayment('U-DARK'))!.needs_sync, true);
    assert.equal((await h.store.listAttempts('U-DARK'))[0]!.outcome, 'unknown');

    const retry = await h.cancel({ merchant_uid: 'U-DARK', reason: 'x' }, { key: 'k-dark' });
    assert.equal(retry.res.status, 200, JSON.stringify(retry.body));
    assert.equal(retry.body.refunded, 4000);
    assert.equal(h.fake.count('cancel'), 1, 'the retry did not refund again');
    assert.equal((await h.store.listAttempts('U-DARK'))[0]!.outcome, 'succeeded');
    assert.equal((await h.store.getPayment('U-DARK'))!.cancel_amount, 4000);
  });

  it("a different request after an unknown outcome first settles it from i'mport, and never refunds twice", async () => {
    h = await createHarness();
    const p = h.fake.addPayment({ merchant_uid: 'U-NEXT', amount: 10000 });
    h.fake.inject({ kind: 'lose_response' });
    h.fake.inject({ kind: 'http_5xx', route: 'payment' });
    await h.cancel({ merchant_uid: 'U-NEXT', cancel_request_amount: 6000, reason: 'x' });
    const next = await h.cancel({ merchant_uid: 'U-NEXT', cancel_request_amount: 6000, reason: 'x' });
    assert.equal(next.res.status, 409);
    assert.equal(next.body.error.code, 'CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT');
    assert.equal(next.body.cancelable_amount, 4000);
    assert.equal(h.fake.count('cancel'), 1);
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 6000);
    assert.deepEqual(
      (await h.store.listAttempts('U-NEXT')).map((a) => a.outcome),
      ['succeeded', 'rejected'],
    );
  });

  it("no token (i'mport down before the cancel) is a failure that refunded nothing", async () => {
    h = await createHarness();
    const p = h.fake.addPayment({ merchant_uid: 'U-TOKEN', amount: 1000 });
    await h.view('U-TOKEN');
    h.fake.expireTokens();
    h.fake.inject({ kind: 'http_5xx', route: 'token', times: 2 });
    const { res, body } = await h.cancel({ merchant_uid: 'U-TOKEN', reason: 'x' });
    assert.equal(res.status, 503);
    assert.equal(body.error.code, 'UPSTREAM_UNAVAILABLE');
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 0);
    assert.equal((await h.store.listAttempts('U-TOKEN'))[0]!.outcome, 'failed');
  });
});

describe('Idempotency-Key', () => {
  it("replays the stored answer for the same key and body without calling i'mport again", async () => {
    h = await createHarness();
    h.fake.addPayment({ merchant_uid: 'I-1', amount: 9000 });
    const first = await h.cancel({ merchant_uid: 'I-1', cancel_request_amount: 1000, reason: 'x' }, { key: 'key-1' });
    const again = await h.cancel({ merchant_uid: 'I-1', cancel_request_amount: 1000, reason: 'x' }, { key: 'key-1' });
    assert.equal(first.res.status, 200);
    assert.equal(first.res.headers.get('Idempotent-Replayed'), null);
    assert.equal(again.res.status, 200);
    assert.equal(again.res.headers.get('Idempotent-Replayed'), 'true');
    assert.deepEqual(again.body, first.body);
    assert.equal(h.fake.count('cancel'), 1);
  });

  it('answers IDEMPOTENCY_KEY_REUSED (422) for the same key with another body, and refunds nothing', async () => {
    h = await createHarness();
    h.fake.addPayment({ merchant_uid: 'I-2', amount: 9000 });
    await h.cancel({ merchant_uid: 'I-2', cancel_request_amount: 1000, reason: 'x' }, { key: 'key-2' });
    const other = await h.cancel({ merchant_uid: 'I-2', cancel_request_amount: 2000, reason: 'x' }, { key: 'key-2' });
    assert.equal(other.res.status, 422);
    assert.equal(other.body.error.code, 'IDEMPOTENCY_KEY_REUSED');
    assert.equal(h.fake.count('cancel'), 1);
  });

  it('replays a refusal too (a deterministic answer), and rejects a malformed key', async () => {
    h = await createHarness();
    h.fake.addPayment({ merchant_uid: 'I-3', amount: 1000 });
    const over = await h.cancel({ merchant_uid: 'I-3', cancel_request_amount: 5000, reason: 'x' }, { key: 'key-3' });
    const replay = await h.cancel({ merchant_uid: 'I-3', cancel_request_amount: 5000, reason: 'x' }, { key: 'key-3' });
    assert.equal(replay.res.headers.get('Idempotent-Replayed'), 'true');
    assert.deepEqual(replay.body, over.body);
    const bad = await h.cancel({ merchant_uid: 'I-3', reason: 'x' }, { key: 'has space' });
    assert.equal(bad.res.status, 400);
  });
});

describe('concurrent refunds of one order', () => {
  it("two at once through one proxy both succeed in turn, and the ledger equals i'mport", async () => {
    h = await createHarness();
    const p = h.fake.addPayment({ merchant_uid: 'C-1', amount: 10000 });
    h.fake.inject({ kind: 'delay', route: 'cancel', ms: 100 });
    const [a, b] = await Promise.all([
      h.cancel({ merchant_uid: 'C-1', cancel_request_amount: 3000, reason: 'a' }),
      h.cancel({ merchant_uid: 'C-1', cancel_request_amount: 3000, reason: 'b' }),
    ]);
    assert.deepEqual([a.res.status, b.res.status], [200, 200]);
    assert.deepEqual([a.body.cancelable_amount, b.body.cancelable_amount].sort(), [4000, 7000]);
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 6000);
    assert.equal((await h.store.getPayment('C-1'))!.cancel_amount, 6000);
  });

  it("two proxy instances sharing one ledger file never over-refund: 5 racing for 3 refunds' worth", async () => {
    const path = tempSqlitePath();
    const storeA = createSqliteStore({ path });
    const storeB = createSqliteStore({ path });
    h = await createHarness({ store: storeA });
    const other = await createHarness({ store: storeB, fake: h.fake, clock: h.clock });
    const p = h.fake.addPayment({ merchant_uid: 'C-2', amount: 9000 });
    const results = await Promise.all(
      [h, other, h, other, h].map((proxy, i) =>
        proxy.cancel({ merchant_uid: 'C-2', cancel_request_amount: 3000, reason: `r${i}` }),
      ),
    );
    const ok = results.filter((r) => r.res.status === 200);
    const refused = results.filter((r) => r.res.status !== 200);
    assert.equal(ok.length, 3);
    assert.ok(
      refused.every((r) =>
        [
          'CANCEL_AMOUNT_EXCEEDS_CANCELLABLE_AMOUNT',
          'PAYMENT_ALREADY_CANCELLED',
          'CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN',
        ].includes(r.body.error.code),
      ),
      JSON.stringify(refused.map((r) => r.body)),
    );
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 9000);
    assert.equal((await storeA.getPayment('C-2'))!.cancel_amount, 9000);
    assert.equal((await storeA.listAttempts('C-2')).length, 5, 'every attempt is audited');
    await other.close();
  });
});
