// attention.needed: an attempt unsettled past ATTENTION_AFTER and an event failed after its last retry are each told
// once, to the merchant's webhook (verified by the `standardwebhooks` package) and as a warn line; an attention
// event that fails asks for nothing more; with webhooks off, the warn line alone, once, across restarts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFakePortOne, type FakePortOne } from '../gateways/portone/fake/fake-portone.ts';
import { aFinish } from '../store/contract-fixtures.ts';
import { createSqliteStore } from '../store/sqlite.ts';
import { createHarness, type Harness } from '../test-support/harness.ts';
import { cancelAtIamport, notifyOf } from '../test-support/iamport-side.ts';
import type { WebhookReceiver } from '../test-support/webhook-receiver.ts';
import { newWebhookSecret, webhookStacks } from '../test-support/webhook-stack.ts';

const AFTER_SECONDS = 60;
const SCHEDULE = [5_000];
const SECRET = newWebhookSecret();
const start = webhookStacks({
  secret: SECRET,
  retryDelaysMs: SCHEDULE,
  harness: (options) =>
    createHarness({ ...options, config: { ...options.config, attentionAfterSeconds: AFTER_SECONDS } }),
});

/** A refund whose outcome stays unknown: the answer is lost and every lookup fails. */
const unsettledRefund = async (h: Harness, merchantUid: string) => {
  h.fake.addPayment({ merchant_uid: merchantUid, amount: 10_000 });
  await h.view(merchantUid);
  h.fake.inject({ kind: 'lose_response' });
  h.fake.inject({ kind: 'http_5xx', route: 'payment', times: Number.POSITIVE_INFINITY });
  const answer = await h.cancel(
    { merchant_uid: merchantUid, cancel_request_amount: 4000, reason: 'x' },
    { key: `k1-${merchantUid}` },
  );
  assert.equal(answer.body.error.code, 'REFUND_OUTCOME_UNKNOWN');
  await h.settled();
  const [attempt] = await h.store.listAttempts(merchantUid);
  assert.equal(attempt?.outcome, 'unknown');
  return attempt;
};

/** Moves the clock and runs the background pass as an entry's timer does, then waits for the kicked deliveries. */
const pass = async (h: Harness, ms: number) => {
  h.clock.advance(ms);
  await h.outbox.runDue();
  await h.settled();
};

const attentionPosts = (receiver: WebhookReceiver) =>
  receiver.received
    .map((r) => ({ ...r, parsed: JSON.parse(r.body) as { type: string; data: Record<string, unknown> } }))
    .filter((r) => r.parsed.type === 'attention.needed');

/** `h`'s proxy started again (the same ledger, clock and i'mport, its webhooks to `receiver`) with ATTENTION_AFTER `seconds`. */
const restartOf = (h: Harness, receiver: WebhookReceiver, seconds: number) =>
  createHarness({
    store: h.store,
    clock: h.clock,
    fake: h.fake,
    outside: (url, init) => fetch(url, init),
    config: {
      attentionAfterSeconds: seconds,
      merchantWebhooks: { urls: [receiver.url], secret: SECRET, retryDelaysMs: SCHEDULE },
    },
  });

const warnLines = (h: Harness) => h.logs.filter((l) => l.level === 'warn' && l.msg === 'attention needed');

describe('attention.needed for an attempt left unsettled', () => {
  it('is sent once ATTENTION_AFTER has passed, and only once, with a warn line', async () => {
    const { h, receiver } = await start();
    const attempt = await unsettledRefund(h, 'AT-1');
    await pass(h, 30_000);
    assert.equal(attentionPosts(receiver).length, 0, 'not before ATTENTION_AFTER');
    await pass(h, 31_000);
    const [post, ...more] = attentionPosts(receiver);
    assert.equal(more.length, 0);
    assert.equal(post?.verifyError, null, 'verified by the standardwebhooks package');
    assert.deepEqual(post?.parsed.data, {
      reason: 'attempt_unsettled',
      merchant_uid: 'AT-1',
      imp_uid: attempt!.imp_uid,
      attempt_id: attempt!.id,
      event_id: null,
      event_type: null,
      outcome: 'unknown',
      since: new Date(attempt!.started_at).toISOString(),
      sequence: 1,
    });
    assert.equal(warnLines(h).length, 1);
    assert.equal(warnLines(h)[0]?.attempt_id, attempt!.id);
    await pass(h, 31_000);
    await pass(h, 31_000);
    assert.equal(attentionPosts(receiver).length, 1, 'told once');
    assert.equal(warnLines(h).length, 1);
  });
});

describe('a cancel PortOne V2 accepted to finish later (REQUESTED)', () => {
  let portone: FakePortOne;
  const startV2 = webhookStacks({
    secret: newWebhookSecret(),
    retryDelaysMs: SCHEDULE,
    harness: (options) => {
      portone = createFakePortOne({ cancelMode: 'REQUESTED' });
      return createHarness({
        ...options,
        portone,
        config: { ...options.config, attentionAfterSeconds: AFTER_SECONDS },
      });
    },
  });

  it('is not told at ATTENTION_AFTER (the gateway has it); told once if still unfinished a week after it started', async () => {
    const { h, receiver } = await startV2();
    portone.addPayment({ paymentId: 'AT-V2', total: 10_000 });
    await h.view('AT-V2');
    const asked = await h.cancel({ merchant_uid: 'AT-V2', cancel_request_amount: 4000, reason: 'x' }, { key: 'k-v2' });
    assert.equal(asked.body.accepted, true, JSON.stringify(asked.body));
    await pass(h, 61_000);
    await pass(h, 24 * 3600_000);
    assert.equal(attentionPosts(receiver).length, 0, 'a day on, still finishing at PortOne: nothing to tell');
    assert.equal(warnLines(h).length, 0);
    assert.equal(await h.store.countUnsettledAttempts(), 1, 'still counted as not settled on /metrics');
    await pass(h, 6 * 24 * 3600_000);
    const posts = attentionPosts(receiver);
    assert.deepEqual(
      posts.map((p) => [p.parsed.data.reason, p.parsed.data.merchant_uid, p.parsed.data.outcome]),
      [['attempt_unsettled', 'AT-V2', 'unknown']],
      'a week on, unfinished: told once',
    );
  });
});

describe('a cancel PortOne V2 accepted to finish later, with ATTENTION_AFTER set longer than a week', () => {
  it('is told once ATTENTION_AFTER has passed, not at a week', async () => {
    const portone = createFakePortOne({ cancelMode: 'REQUESTED' });
    const h = await createHarness({ portone, config: { attentionAfterSeconds: 14 * 24 * 3600 } });
    try {
      portone.addPayment({ paymentId: 'AT-V2-LONG', total: 10_000 });
      await h.view('AT-V2-LONG');
      const asked = await h.cancel(
        { merchant_uid: 'AT-V2-LONG', cancel_request_amount: 4000, reason: 'x' },
        { key: 'k' },
      );
      assert.equal(asked.body.accepted, true, JSON.stringify(asked.body));
      await pass(h, 8 * 24 * 3600_000);
      assert.equal(warnLines(h).length, 0, 'a week on: ATTENTION_AFTER (two weeks) has not passed');
      await pass(h, 6 * 24 * 3600_000 + 61_000);
      assert.deepEqual(
        warnLines(h).map((l) => [l.reason, l.merchant_uid]),
        [['attempt_unsettled', 'AT-V2-LONG']],
      );
    } finally {
      await h.close();
    }
  });
});

describe('an attempt told of, still unsettled', () => {
  it("is looked at again at later checks, and settled once i'mport shows it; nothing more is told", async () => {
    const { h, receiver } = await start();
    const attempt = await unsettledRefund(h, 'AT-LATER');
    await pass(h, 61_000);
    assert.equal(attentionPosts(receiver).length, 1);
    assert.equal(await h.store.countUnsettledAttempts(), 1);
    // i'mport answers lookups again: it shows the cancel whose answer was lost.
    h.fake.clearFaults();
    await pass(h, 31_000);
    const [settled] = await h.store.listAttempts('AT-LATER');
    assert.deepEqual([settled?.id, settled?.outcome, settled?.refunded], [attempt!.id, 'succeeded', 4000]);
    assert.equal(await h.store.countUnsettledAttempts(), 0, "what /metrics' refund_proxy_unsettled_attempts reads");
    assert.equal(attentionPosts(receiver).length, 1, 'told once');
    assert.equal(warnLines(h).length, 1);
  });
});

describe('the attention check looks at the order first', () => {
  const startDefault = webhookStacks({
    secret: newWebhookSecret(),
    retryDelaysMs: SCHEDULE,
    harness: (options) => createHarness({ ...options, config: { ...options.config, attentionAfterSeconds: 600 } }),
  });

  const startHour = webhookStacks({
    secret: newWebhookSecret(),
    retryDelaysMs: SCHEDULE,
    harness: (options) => createHarness({ ...options, config: { ...options.config, attentionAfterSeconds: 3600 } }),
  });

  it("settles a cancel that got no answer and that i'mport never showed, once it could no longer run there: no attention", async () => {
    const { h, receiver } = await startDefault();
    h.fake.addPayment({ merchant_uid: 'AT-LOOK', amount: 10_000 });
    h.fake.inject({ kind: 'drop', route: 'cancel' });
    const answer = await h.cancel({ merchant_uid: 'AT-LOOK', cancel_request_amount: 4000, reason: 'x' }, { key: 'k' });
    assert.equal(answer.body.error.code, 'REFUND_OUTCOME_UNKNOWN');
    await pass(h, 300_000);
    assert.equal((await h.store.listAttempts('AT-LOOK'))[0]?.outcome, 'unknown', "i'mport may still be running it");
    // Nobody looks at the order; ten minutes on, the check does, and that look settles it.
    await pass(h, 301_000);
    const [attempt] = await h.store.listAttempts('AT-LOOK');
    assert.deepEqual([attempt?.outcome, attempt?.refunded], ['failed', null]);
    assert.equal(attentionPosts(receiver).length, 0, 'settled by the look: nothing for the operator');
    assert.equal(warnLines(h).length, 0);
    assert.equal((await h.view('AT-LOOK')).body.refundable, true);
  });

  it('with ATTENTION_AFTER an hour, still settles a refund whose answer was lost once it could no longer run: refund.succeeded then, not an hour on', async () => {
    const { h, receiver } = await startHour();
    h.fake.addPayment({ merchant_uid: 'AT-HOUR', amount: 10_000 });
    await h.view('AT-HOUR');
    // i'mport refunds it; its answer is lost and so is the re-read (a process killed mid-call leaves the same).
    h.fake.inject({ kind: 'lose_response' });
    h.fake.inject({ kind: 'http_5xx', route: 'payment' });
    const answer = await h.cancel({ merchant_uid: 'AT-HOUR', cancel_request_amount: 4000, reason: 'x' }, { key: 'k' });
    assert.equal(answer.body.error.code, 'REFUND_OUTCOME_UNKNOWN');
    // Nobody asks again, and i'mport sends no webhook for an API cancel: the background alone, eleven minutes on.
    await pass(h, 11 * 60_000);
    const [attempt] = await h.store.listAttempts('AT-HOUR');
    assert.deepEqual([attempt?.outcome, attempt?.refunded], ['succeeded', 4000]);
    const types = receiver.received.map((r) => (JSON.parse(r.body) as { type: string }).type);
    assert.deepEqual(types, ['refund.succeeded']);
  });

  it('tells of an attempt only once its order was looked at: not while a refund or another look holds the order', async () => {
    const { h, receiver } = await start();
    const attempt = await unsettledRefund(h, 'AT-BUSY');
    // Another instance's refund (or look) holds the order: this check cannot look at it now.
    assert.ok(await h.store.acquireLease('order:AT-BUSY', 'another-instance', 10 * 60_000, h.clock.now()));
    await pass(h, 61_000);
    assert.equal(attentionPosts(receiver).length, 0, 'not looked at yet');
    await h.store.releaseLease('order:AT-BUSY', 'another-instance');
    await pass(h, 31_000);
    const [post] = attentionPosts(receiver);
    assert.equal(post?.parsed.data.attempt_id, attempt!.id, "looked at, and still unknown (i'mport's lookups fail)");
  });

  it('settles an attempt left on another payment of the order (a revocation with no answer, the order paid by card since)', async () => {
    const { h, receiver } = await startDefault();
    const account = h.fake.addPayment({ merchant_uid: 'AT-OTHER', amount: 5000, pay_method: 'vbank', status: 'ready' });
    await h.view('AT-OTHER');
    h.fake.inject({ kind: 'drop', route: 'vbank' });
    const revoke = await h.cancel({ merchant_uid: 'AT-OTHER', reason: 'x' }, { key: 'k' });
    assert.equal(revoke.body.error.code, 'REFUND_OUTCOME_UNKNOWN');
    // The customer pays the order by card instead, and i'mport tells the proxy of that payment.
    const card = h.fake.addPayment({ merchant_uid: 'AT-OTHER', amount: 5000 });
    await notifyOf(h, card.imp_uid, 'AT-OTHER', 'paid');
    await pass(h, 601_000);
    const attempts = await h.store.listAttempts('AT-OTHER');
    assert.deepEqual(
      attempts.map((a) => [a.imp_uid, a.outcome]),
      [[account.imp_uid, 'failed']],
      'judged from its own payment, which shows the account not revoked',
    );
    assert.equal(attentionPosts(receiver).length, 0);
  });
});

describe('attention.needed for an event that failed', () => {
  it('is sent once when an event fails after its last retry; its own failure asks for nothing more', async () => {
    const { h, receiver } = await start();
    receiver.down();
    const payment = h.fake.addPayment({ merchant_uid: 'AT-2', amount: 10_000 });
    await h.cancel({ merchant_uid: 'AT-2', cancel_request_amount: 1000, reason: 'x' });
    await h.settled();
    const failedId = String(receiver.received[0]!.headers['webhook-id']);
    await pass(h, 6_000);
    assert.equal((await h.store.getEvent(failedId))?.status, 'failed');
    const [attention, ...more] = attentionPosts(receiver);
    assert.equal(more.length, 0, 'written and tried at once (the receiver is still down)');
    assert.deepEqual(attention?.parsed.data, {
      reason: 'event_failed',
      merchant_uid: 'AT-2',
      imp_uid: payment.imp_uid,
      attempt_id: (await h.store.listAttempts('AT-2'))[0]?.id,
      event_id: failedId,
      event_type: 'refund.succeeded',
      outcome: null,
      since: new Date((await h.store.getEvent(failedId))!.created_at).toISOString(),
      sequence: 2,
    });
    assert.equal(warnLines(h).length, 1);
    assert.equal(warnLines(h)[0]?.event_id, failedId);

    // The attention event fails too, after its own last retry: nothing further is written or logged.
    const attentionId = String(attention!.headers['webhook-id']);
    await pass(h, 6_000);
    assert.equal((await h.store.getEvent(attentionId))?.status, 'failed');
    await pass(h, 31_000);
    await pass(h, 31_000);
    assert.equal((await h.store.listEvents({ limit: 10 })).data.length, 2);
    assert.equal(warnLines(h).length, 1);
  });
});

describe('an event failed whose telling was lost (its instance stopped just after marking it)', () => {
  /** Marks the order's pending event failed at `at` as another instance would, and stops: nobody is told. */
  const failedElsewhere = async (h: Harness, merchantUid: string, at: number) => {
    const [event] = (await h.store.listOrderEvents(merchantUid)).filter((e) => e.status === 'pending');
    const held = await h.store.claimDueEvents('stopped', h.clock.now() + 60_000, 20_000, 1000);
    assert.ok(held.some((e) => e.id === event!.id));
    for (const e of held) {
      await h.store.finishRound(
        e.id,
        'stopped',
        [],
        e.id === event!.id ? { status: 'failed', at } : { status: 'pending', next_attempt_at: 0 },
      );
    }
    return event!.id;
  };
  // Each attention event as often as it was tried (the receiver is down): by the event it tells of, once each.
  const toldOf = (receiver: WebhookReceiver) => [
    ...new Set(attentionPosts(receiver).map((p) => p.parsed.data.event_id)),
  ];

  it('is told at a later check of a running instance, and one failed before the last hour at the next start', async () => {
    const { h, receiver } = await start();
    await pass(h, 31_000); // the first check has read every failed event (none): later ones read the last hour's
    receiver.down();
    h.fake.addPayment({ merchant_uid: 'AT-LOST', amount: 10_000 });
    await h.cancel({ merchant_uid: 'AT-LOST', cancel_request_amount: 1000, reason: 'x' });
    await h.settled();
    const lost = await failedElsewhere(h, 'AT-LOST', h.clock.now());
    await pass(h, 31_000);
    assert.deepEqual(toldOf(receiver), [lost], 'told at the next check');

    // Given up by an instance whose clock is two hours behind: older than a later check reads.
    h.fake.addPayment({ merchant_uid: 'AT-SKEW', amount: 10_000 });
    await h.cancel({ merchant_uid: 'AT-SKEW', cancel_request_amount: 1000, reason: 'x' });
    await h.settled();
    const skewed = await failedElsewhere(h, 'AT-SKEW', h.clock.now() - 2 * 3600 * 1000);
    await pass(h, 31_000);
    assert.deepEqual(toldOf(receiver), [lost]);
    const restarted = await restartOf(h, receiver, AFTER_SECONDS);
    await pass(restarted, 1_000);
    assert.deepEqual(toldOf(receiver), [lost, skewed], 'its first check reads every failed event not told of');
    assert.equal(warnLines(h).length + warnLines(restarted).length, 2, 'each told once');
  });
});

describe("an order whose row was left marked for a re-read (a webhook's look cut short)", () => {
  it("is looked at by the check at the top of the hour: a cancel made in i'mport's console meanwhile is told, once", async () => {
    const { h } = await start();
    const p = h.fake.addPayment({ merchant_uid: 'AT-MARK', amount: 10_000 });
    await h.view('AT-MARK');
    await cancelAtIamport(h, p.imp_uid, 3000);
    // Its webhook's look cut short (its wait for the order ended at a shutdown, say): only the row's mark is left.
    await h.store.markNeedsSync(p.imp_uid, h.clock.now());
    // Read from the ledger's outbox: the test clock runs hours ahead, past what a receiver's signature check allows.
    const told = async () =>
      (await h.store.listOrderEvents('AT-MARK'))
        .filter((e) => e.type === 'payment.cancelled_externally')
        .map((e) => (e.data as { amount: number }).amount);
    // Looked at in the first minutes of each hour by the clock, once the mark is older than a change could run (10 min).
    const HOUR = 3600_000;
    const boundary = Math.ceil((h.clock.now() + 11 * 60_000) / HOUR) * HOUR;
    const checkAt = async (at: number) => {
      h.clock.set(at);
      await pass(h, 0);
    };
    await checkAt(boundary - 60_000);
    assert.deepEqual(await told(), [], "not in the hour's last minute");
    await checkAt(boundary + 10_000);
    assert.deepEqual(await told(), [3000]);
    assert.equal((await h.store.getPayment('AT-MARK'))?.needs_sync, false, 'the copy read again cleared it');
    await checkAt(boundary + HOUR + 10_000);
    assert.deepEqual(await told(), [3000], 'once');
  });

  it("reads an order's older payment left marked as its own, and sets aside another gateway's rows, which stay marked", async () => {
    const { h } = await start();
    // An unpaid account, then the order paid by card: the card is the order's payment.
    const account = h.fake.addPayment({ merchant_uid: 'AT-OLDER', amount: 5000, pay_method: 'vbank', status: 'ready' });
    await h.view('AT-OLDER');
    const card = h.fake.addPayment({ merchant_uid: 'AT-OLDER', amount: 5000 });
    await notifyOf(h, card.imp_uid, 'AT-OLDER', 'paid');
    // The account paid after all; its webhook's look cut short, only the mark on its row is left.
    h.fake.addPayment({ ...account, status: 'paid' });
    await h.store.markNeedsSync(account.imp_uid, h.clock.now());
    // And 60 rows of PortOne V2 payments (their id is their order's) kept from before a switch to i'mport, marked: none
    // can be asked about, so they stay marked and, were they picked, would take every look of the hour (10).
    for (let i = 0; i < 60; i++) {
      const uid = `AT-V2-${i}`;
      await h.store.upsertPayment(
        { ...(await h.store.getPaymentByImpUid(card.imp_uid))!, imp_uid: uid, merchant_uid: uid },
        0,
      );
      await h.store.markNeedsSync(uid, h.clock.now());
    }
    const HOUR = 3600_000;
    h.clock.set(Math.ceil((h.clock.now() + 11 * 60_000) / HOUR) * HOUR + 10_000);
    const lookups = h.fake.count('payment');
    await pass(h, 0);
    const older = await h.store.getPaymentByImpUid(account.imp_uid);
    assert.deepEqual([older?.status, older?.needs_sync], ['paid', false], 'read again and stored: the mark cleared');
    assert.equal((await h.store.getPayment('AT-OLDER'))?.imp_uid, card.imp_uid, "the card stays the order's payment");
    assert.equal(h.fake.count('payment') - lookups, 1, "the account's lookup only: nothing asked of the other rows");
    assert.equal((await h.store.getPaymentByImpUid('AT-V2-0'))?.needs_sync, true);
  });
});

describe('ATTENTION_AFTER changed on a restart', () => {
  it('counts for the attempts already unsettled: lowered, the older ones told at the first check; none told twice', async () => {
    const { h, receiver } = await start();
    await unsettledRefund(h, 'AT-OLD');
    h.clock.advance(40_000);
    await unsettledRefund(h, 'AT-NEW');
    // The same ledger, clock and i'mport, restarted with another ATTENTION_AFTER.
    const restart = (seconds: number) => restartOf(h, receiver, seconds);
    const lowered = await restart(30);
    await pass(lowered, 1_000);
    assert.deepEqual(
      attentionPosts(receiver).map((p) => p.parsed.data.merchant_uid),
      ['AT-OLD'],
      'older than 30 s: told at the first check; AT-NEW (1 s old) waits',
    );
    await pass(lowered, 31_000);
    assert.deepEqual(
      attentionPosts(receiver)
        .map((p) => p.parsed.data.merchant_uid)
        .sort(),
      ['AT-NEW', 'AT-OLD'],
    );
    const raised = await restart(3600);
    const lowest = await restart(1);
    await pass(raised, 31_000);
    await pass(lowest, 31_000);
    assert.equal(attentionPosts(receiver).length, 2, 'told once, whatever the value after');
    assert.equal(warnLines(raised).length + warnLines(lowest).length, 0);
  });
});

describe('attention with merchant webhooks off', () => {
  it('logs the warn line once, writes no event, and does not log it again after a restart', async () => {
    const h = await createHarness({ config: { attentionAfterSeconds: AFTER_SECONDS } });
    try {
      const attempt = await unsettledRefund(h, 'AT-3');
      await pass(h, 61_000);
      await pass(h, 31_000);
      assert.equal(warnLines(h).length, 1);
      assert.deepEqual(
        [warnLines(h)[0]?.reason, warnLines(h)[0]?.attempt_id, warnLines(h)[0]?.event],
        ['attempt_unsettled', attempt!.id, undefined],
      );
      assert.deepEqual((await h.store.listEvents({ limit: 10 })).data, []);
      // Another instance (or this one restarted) on the same ledger: the flag is in the ledger, so no second line.
      const again = await createHarness({ store: h.store, clock: h.clock, config: { attentionAfterSeconds: 60 } });
      await again.outbox.runDue();
      assert.equal(warnLines(again).length, 0);
    } finally {
      await h.close();
    }
  });
});

describe('an attempt settled between the check listing it and telling of it', () => {
  // Another request or instance settles the attempt just before this check flags it: the flag's write must see that.
  const startRacing = webhookStacks({
    secret: newWebhookSecret(),
    retryDelaysMs: SCHEDULE,
    harness: (options) => {
      const inner = createSqliteStore({ path: ':memory:' });
      const store = new Proxy(inner, {
        get(target, property, receiver) {
          if (property !== 'flagAttention') return Reflect.get(target, property, receiver);
          return async (...args: Parameters<typeof inner.flagAttention>) => {
            const [, , , only] = args;
            if (only && 'unsettledAttempt' in only) await inner.finishAttempt(only.unsettledAttempt, aFinish());
            return inner.flagAttention(...args);
          };
        },
      });
      return createHarness({ ...options, store, config: { ...options.config, attentionAfterSeconds: AFTER_SECONDS } });
    },
  });

  it('is not told of: no attention.needed, no warn line', async () => {
    const { h, receiver } = await startRacing();
    await unsettledRefund(h, 'AT-RACE');
    await pass(h, 61_000);
    assert.equal(await h.store.countUnsettledAttempts(), 0, 'settled meanwhile');
    assert.equal(attentionPosts(receiver).length, 0);
    assert.equal(warnLines(h).length, 0);
  });
});
