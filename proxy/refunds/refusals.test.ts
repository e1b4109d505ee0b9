// i'mport's refusals as the client gets them: a PG's refusal in i'mport's own words (for the shop, through the widget's
// refund-error event) and in the audit; i'mport's own refusals that a code already says, in our words only; a PG's
// refusal the payment shows applied all the same; and, on PortOne V2, what is not a refusal (an edge's 504).
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createFakeIamport } from '../gateways/iamport/fake/fake-iamport.ts';
import { createFakePortOne } from '../gateways/portone/fake/fake-portone.ts';
import { createClock, createHarness, type Harness } from '../test-support/harness.ts';
import { consoleRace } from '../test-support/iamport-side.ts';

let h: Harness;
afterEach(async () => h?.close());

const HANGUL = /[\u3131-\uD79D]/;

/** Refunds `amount` at the fake i'mport behind the proxy's back, as the i'mport console would. */
const refundElsewhere = async (impUid: string, amount: number) => {
  const credentials = { imp_key: 'test_imp_key', imp_secret: 'test_imp_secret' };
  const tokenAnswer = await h.fake.fetch('http://iamport.test/users/getToken', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(credentials),
  });
  const token = ((await tokenAnswer.json()) as { response: { access_token: string } }).response.access_token;
  await h.fake.fetch('http://iamport.test/payments/cancel', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: token },
    body: JSON.stringify({ imp_uid: impUid, amount, reason: 'console' }),
  });
};

describe("i'mport's refusals", () => {
  it("a PG's refusal of a cancel i'mport shows applied all the same is that refund: answered, counted, never sent again", async () => {
    h = await createHarness();
    const p = h.fake.addPayment({ merchant_uid: 'RF-DONE', amount: 10_000 });
    const grant = () => h.grant('RF-DONE', { maxAmount: 5000, jti: 'g-1' });
    h.fake.inject({ kind: 'pg_refusal', applied: true, message: '해당거래 취소실패(기취소성공)' });
    const body = { merchant_uid: 'RF-DONE', reason: 'x', cancel_request_amount: 5000 };
    const first = await h.cancel(body, { key: 'k-1', grant: await grant() });
    assert.deepEqual([first.res.status, first.body.refunded, first.body.cancelable_amount], [200, 5000, 5000]);
    const view = await h.view('RF-DONE', { grant: await grant() });
    assert.deepEqual([view.body.cancelable_amount, view.body.grant_remaining], [5000, 0]);
    const again = await h.cancel(body, { key: 'k-2', grant: await grant() });
    assert.equal(again.body.error?.code, 'FORBIDDEN', JSON.stringify(again.body));
    const retry = await h.cancel(body, { key: 'k-1', grant: await grant() });
    assert.deepEqual([retry.res.status, retry.body.refunded], [200, 5000], 'its key answers the same refund');
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 5000, 'refunded once');
  });

  it("a PG's refusal of a revocation i'mport shows applied all the same: the account is revoked, and said so", async () => {
    h = await createHarness();
    const p = h.fake.addPayment({ merchant_uid: 'RF-REVOKED', amount: 15_000, pay_method: 'vbank', status: 'ready' });
    h.fake.inject({ kind: 'pg_refusal', route: 'vbank', applied: true });
    const { res, body } = await h.cancel({ merchant_uid: 'RF-REVOKED', reason: 'x' });
    assert.deepEqual([res.status, body.revoked], [200, true], JSON.stringify(body));
    const [attempt] = await h.store.listAttempts('RF-REVOKED');
    assert.equal(attempt!.outcome, 'succeeded');
    assert.equal(h.fake.getPayment(p.imp_uid)!.status, 'failed');
  });

  it("a PG's refusal while the console cancels the same amount stays a refusal: that cancel is not the refund's", async () => {
    const clock = createClock();
    const race = consoleRace(createFakeIamport({ now: clock.now }));
    h = await createHarness({ clock, fake: race.fake });
    const p = h.fake.addPayment({ merchant_uid: 'RF-RACE', amount: 10_000 });
    assert.equal((await h.view('RF-RACE')).res.status, 200);
    h.fake.inject({ kind: 'pg_refusal' }); // not applied
    race.arm(p.imp_uid, 3000);
    const { res, body } = await h.cancel({ merchant_uid: 'RF-RACE', reason: '단순 변심', cancel_request_amount: 3000 });
    assert.notEqual(res.status, 200, JSON.stringify(body));
    assert.equal(body.error.code, 'CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN');
    assert.equal((await h.store.listAttempts('RF-RACE'))[0]!.outcome, 'rejected');
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 3000, "the console's 3,000 alone moved");
  });

  it("a PG's refusal applied all the same, with the console's cancel of the same amount stamped just before it: its own", async () => {
    const clock = createClock();
    const race = consoleRace(createFakeIamport({ now: clock.now }), clock);
    h = await createHarness({ clock, fake: race.fake });
    const p = h.fake.addPayment({ merchant_uid: 'RF-ORDER', amount: 10_000 });
    assert.equal((await h.view('RF-ORDER')).res.status, 200);
    h.fake.inject({ kind: 'pg_refusal', applied: true, message: '해당거래 취소실패(기취소성공)' });
    race.arm(p.imp_uid, 3000, { stampedEarlierMs: 2000 });
    const { res, body } = await h.cancel({
      merchant_uid: 'RF-ORDER',
      reason: '단순 변심',
      cancel_request_amount: 3000,
    });
    assert.deepEqual([res.status, body.refunded], [200, 3000], JSON.stringify(body));
    const [attempt] = await h.store.listAttempts('RF-ORDER');
    const own = h.fake.getPayment(p.imp_uid)!.cancel_history.find((e) => e.reason === '단순 변심');
    assert.equal(attempt!.cancellation_id, own!.cancellation_id, "the entry with its own reason, not the console's");
  });

  it("a PG's refusal whose re-read fails is not known yet, never refused: a second key finds the first refund made", async () => {
    h = await createHarness({ timeoutMs: 300 });
    const p = h.fake.addPayment({ merchant_uid: 'RF-BLIND', amount: 10_000 });
    assert.equal((await h.view('RF-BLIND')).res.status, 200);
    h.fake.inject({ kind: 'pg_refusal', applied: true, message: '해당거래 취소실패(기취소성공)' });
    h.fake.inject({ kind: 'http_5xx', route: 'payment' });
    const body = { merchant_uid: 'RF-BLIND', reason: '단순 변심', cancel_request_amount: 3000 };
    const first = await h.cancel(body, { key: 'k-1' });
    assert.equal(first.body.error?.code, 'REFUND_OUTCOME_UNKNOWN', JSON.stringify(first.body));
    const view = await h.view('RF-BLIND');
    assert.deepEqual([view.body.cancel_amount, view.body.cancelable_amount], [3000, 7000], 'the first refund, shown');
    const retry = await h.cancel(body, { key: 'k-1' });
    assert.deepEqual([retry.res.status, retry.body.refunded], [200, 3000], 'its key answers the refund the PG made');
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 3000, 'refunded once');
  });

  it("an earlier key's late cancel landing while a later key's is refused by its PG stays the earlier key's", async () => {
    const clock = createClock();
    const race = consoleRace(createFakeIamport({ now: clock.now }));
    h = await createHarness({ clock, fake: race.fake, timeoutMs: 300 });
    const p = h.fake.addPayment({ merchant_uid: 'RF-LATE', amount: 10_000 });
    assert.equal((await h.view('RF-LATE')).res.status, 200);
    const body = { merchant_uid: 'RF-LATE', reason: '단순 변심', cancel_request_amount: 3000 };
    h.fake.inject({ kind: 'drop', route: 'cancel' });
    assert.equal((await h.cancel(body, { key: 'k-1' })).body.error.code, 'REFUND_OUTCOME_UNKNOWN');
    clock.advance(10 * 60_000 + 1000);
    assert.equal((await h.view('RF-LATE')).body.refundable, true, 'k-1 settled as not made');
    h.fake.inject({ kind: 'pg_refusal' }); // k-2's PG says no, and means it
    race.arm(p.imp_uid, 3000, { reason: '단순 변심' }); // k-1's cancel, applied late by i'mport, lands meanwhile
    const second = await h.cancel(body, { key: 'k-2' });
    assert.notEqual(second.res.status, 200, JSON.stringify(second.body));
    const retry = await h.cancel(body, { key: 'k-1' });
    assert.deepEqual([retry.res.status, retry.body.refunded], [200, 3000], "k-1's retry answers its late refund");
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 3000, 'one refund intent, refunded once');
  });

  it("i'mport's own refusal (already fully cancelled in the console, the ledger behind) is never taken for the refund", async () => {
    h = await createHarness();
    const p = h.fake.addPayment({ merchant_uid: 'RF-GONE', amount: 10_000 });
    assert.equal((await h.view('RF-GONE')).res.status, 200);
    await refundElsewhere(p.imp_uid, 10_000); // no webhook reaches the proxy
    h.clock.advance(60_000);
    const { res, body } = await h.cancel({ merchant_uid: 'RF-GONE', reason: 'console' });
    assert.deepEqual(
      [res.status, body.error?.code],
      [409, 'CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN'],
      JSON.stringify(body),
    );
    assert.equal(body.cancelable_amount, 0);
    assert.equal((await h.store.listAttempts('RF-GONE'))[0]!.outcome, 'rejected');
  });

  it("PortOne V2: a PG's refusal while PortOne shows the refund's own cancellation unfinished leaves it unknown, not refused", async () => {
    const clock = createClock();
    const fake = createFakePortOne({ now: clock.now, cancelMode: 'REQUESTED' });
    let first = true;
    const refusing: typeof fetch = async (input, init) => {
      const res = await fake.fetch(input, init);
      if (!first || !String(input).endsWith('/cancel')) return res;
      first = false;
      const pg = { type: 'PG_PROVIDER', message: 'PG', pgCode: 'X', pgMessage: '해당거래 취소실패(기취소성공)' };
      return new Response(JSON.stringify(pg), { status: 502, headers: { 'Content-Type': 'application/json' } });
    };
    h = await createHarness({ clock, portone: { ...fake, fetch: refusing } });
    fake.addPayment({ paymentId: 'RF-V2', total: 10_000 });
    const grant = () => h.grant('RF-V2', { maxAmount: 5000, jti: 'g-1' });
    const body = { merchant_uid: 'RF-V2', reason: 'x', cancel_request_amount: 5000 };
    const answer = await h.cancel(body, { key: 'k-1', grant: await grant() });
    assert.equal(answer.body.error?.code, 'REFUND_OUTCOME_UNKNOWN', JSON.stringify(answer.body));
    const again = await h.cancel(body, { key: 'k-2', grant: await grant() });
    assert.notEqual(again.res.status, 200, 'nothing more is sent while it is unfinished');
    const [cancellation] = fake.getPayment('RF-V2')!.cancellations;
    fake.settleCancellation('RF-V2', cancellation!.id, 'SUCCEEDED');
    const view = await h.view('RF-V2', { grant: await grant() });
    assert.deepEqual([view.body.cancelable_amount, view.body.grant_remaining], [5000, 0]);
    const retry = await h.cancel(body, { key: 'k-1', grant: await grant() });
    assert.deepEqual([retry.res.status, retry.body.refunded], [200, 5000], 'its key answers the refund PortOne made');
    assert.equal(fake.getPayment('RF-V2')!.amount.cancelled, 5000, 'refunded once, within the cap');
  });

  it("PortOne V2: an edge's 504 without PortOne's error type is not known, never 'nothing was refunded'", async () => {
    const clock = createClock();
    const fake = createFakePortOne({ now: clock.now });
    let applied: Promise<Response> | undefined;
    const timingOut: typeof fetch = async (input, init) => {
      if (applied || !String(input).endsWith('/cancel')) return fake.fetch(input, init);
      // PortOne goes on with the cancel after the edge in front of it gave up.
      applied = new Promise((resolve) => setTimeout(resolve, 50)).then(() => fake.fetch(input, init));
      const edge = { message: 'Endpoint request timed out' };
      return new Response(JSON.stringify(edge), { status: 504, headers: { 'Content-Type': 'application/json' } });
    };
    h = await createHarness({ clock, portone: { ...fake, fetch: timingOut } });
    fake.addPayment({ paymentId: 'RF-504', total: 10_000 });
    const body = { merchant_uid: 'RF-504', reason: 'x', cancel_request_amount: 4000 };
    const first = await h.cancel(body, { key: 'k-1' });
    assert.equal(first.body.error?.code, 'REFUND_OUTCOME_UNKNOWN', JSON.stringify(first.body));
    await applied;
    const retry = await h.cancel(body, { key: 'k-1' });
    assert.deepEqual([retry.res.status, retry.body.refunded], [200, 4000], JSON.stringify(retry.body));
    assert.equal(fake.getPayment('RF-504')!.amount.cancelled, 4000, 'refunded once');
  });

  it('PortOne V2: a 5xx whose words echo the refund account keeps them masked in the audit and the log', async () => {
    const clock = createClock();
    const fake = createFakePortOne({ now: clock.now });
    const echoing: typeof fetch = async (input, init) => {
      if (!String(input).endsWith('/cancel')) return fake.fetch(input, init);
      const error = { type: 'INTERNAL', message: '환불계좌 110-123-456789 처리 중 오류' };
      return new Response(JSON.stringify(error), { status: 500, headers: { 'Content-Type': 'application/json' } });
    };
    h = await createHarness({ clock, portone: { ...fake, fetch: echoing } });
    fake.addPayment({ paymentId: 'RF-ECHO', total: 10_000, method: 'virtual_account' });
    const account = { refund_holder: '홍길동', refund_bank: 'SHINHAN', refund_account: '110-123-456789' };
    const first = await h.cancel({ merchant_uid: 'RF-ECHO', reason: 'x', ...account }, { key: 'k-echo' });
    assert.equal(first.body.error?.code, 'REFUND_OUTCOME_UNKNOWN', JSON.stringify(first.body));
    await h.settled();
    const kept = JSON.stringify([await h.store.listAttempts('RF-ECHO'), h.logs, first.body]);
    assert.ok(kept.includes('****6789'), 'the words are kept, masked');
    assert.ok(!/110-?123-?456789/.test(kept), 'no full account number in the audit, the log or the answer');
  });

  it("a PG's refusal i'mport does not show applied stays a refusal (the control)", async () => {
    h = await createHarness();
    h.fake.addPayment({ merchant_uid: 'RF-NOT', amount: 10_000, pay_method: 'vbank', status: 'ready' });
    h.fake.inject({ kind: 'pg_refusal', route: 'vbank' });
    const { res, body } = await h.cancel({ merchant_uid: 'RF-NOT', reason: 'x' });
    assert.deepEqual([res.status, body.error?.code], [502, 'PG_PROVIDER']);
    assert.equal((await h.store.listAttempts('RF-NOT'))[0]!.outcome, 'rejected');
  });

  it("a PG's refusal answers PG_PROVIDER (502) with i'mport's message as it is, and the audit records it", async () => {
    h = await createHarness();
    const p = h.fake.addPayment({ merchant_uid: 'RF-PG', amount: 8000 });
    h.fake.inject({ kind: 'pg_refusal', message: '해당거래 취소실패(잔액부족)' });
    const { res, body } = await h.cancel({ merchant_uid: 'RF-PG', reason: 'x' });
    const said = '결제취소에 실패하였습니다.(해당거래 취소실패(잔액부족))';
    assert.equal(res.status, 502);
    assert.deepEqual(body.error, { code: 'PG_PROVIDER', message: said });
    const [attempt] = await h.store.listAttempts('RF-PG');
    assert.deepEqual(
      [attempt!.outcome, attempt!.error_code, attempt!.iamport_code, attempt!.iamport_message],
      ['rejected', 'PG_PROVIDER', -1, said],
    );
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 0);
  });

  it('masks an account number a PG echoes in its refusal, in the answer and the audit alike', async () => {
    h = await createHarness();
    h.fake.addPayment({ merchant_uid: 'RF-ACC', amount: 8000 });
    h.fake.inject({ kind: 'pg_refusal', message: '환불계좌 110-1234-5678901 예금주 불일치' });
    const { res, body } = await h.cancel({ merchant_uid: 'RF-ACC', reason: 'x' });
    assert.equal(res.status, 502);
    assert.equal(body.error.message, '결제취소에 실패하였습니다.(환불계좌 ****8901 예금주 불일치)');
    const [attempt] = await h.store.listAttempts('RF-ACC');
    assert.equal(attempt!.iamport_message, body.error.message);
    assert.ok(!JSON.stringify([body, attempt, h.logs]).includes('5678901'), 'the full number is nowhere');
  });

  it('masks the refund account a PG echoes however it writes it (spaces), in the answer and the audit', async () => {
    h = await createHarness();
    h.fake.addPayment({ merchant_uid: 'RF-VB', amount: 8000, pay_method: 'vbank', pg_provider: 'html5_inicis' });
    h.fake.inject({ kind: 'pg_refusal', message: '계좌 110 123 456789 예금주 불일치' });
    const { res, body } = await h.cancel({
      merchant_uid: 'RF-VB',
      reason: 'x',
      refund_holder: '홍길동',
      refund_bank: '88',
      refund_account: '110-123-456789',
    });
    assert.equal(res.status, 502);
    assert.equal(body.error.message, '결제취소에 실패하였습니다.(계좌 ****6789 예금주 불일치)');
    const [attempt] = await h.store.listAttempts('RF-VB');
    assert.ok(!JSON.stringify([body, attempt, h.logs]).includes('110 123 456789'), 'the full number is nowhere');
  });

  it("a checksum refusal while i'mport's lookups fail answers CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN in our words; i'mport's stay in the audit", async () => {
    h = await createHarness();
    const p = h.fake.addPayment({ merchant_uid: 'RF-SUM', amount: 10_000 });
    await h.view('RF-SUM');
    await refundElsewhere(p.imp_uid, 4000);
    h.fake.inject({ kind: 'http_5xx', route: 'payment' });
    const { res, body } = await h.cancel({ merchant_uid: 'RF-SUM', reason: 'x' });
    assert.equal(res.status, 409);
    assert.equal(body.error.code, 'CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN');
    assert.doesNotMatch(body.error.message, HANGUL, "not i'mport's text");
    assert.equal(body.cancelable_amount, undefined, 'no balance is claimed that could not be read');
    const [attempt] = await h.store.listAttempts('RF-SUM');
    assert.equal(attempt!.outcome, 'rejected');
    assert.match(attempt!.iamport_message ?? '', /취소가능잔액\(checksum\)이 일치하지 않습니다/);
    assert.equal(h.fake.getPayment(p.imp_uid)!.cancel_amount, 4000, 'nothing more was refunded');
    const retry = await h.cancel({ merchant_uid: 'RF-SUM', reason: 'x' });
    assert.equal(retry.body.refunded, 6000, "the next request reads i'mport first");
  });

  it("no failure answer of a refund carries i'mport's words but a PG's refusal", async () => {
    h = await createHarness();
    h.fake.addPayment({ merchant_uid: 'RF-ALL', amount: 3000 });
    await h.view('RF-ALL');
    const failures: Record<string, any>[] = [];
    const attempt = async (fault?: Parameters<typeof h.fake.inject>[0]) => {
      // Each after the one before can no longer be running at i'mport (Gateway.changeMayRunForMs), so it is settled.
      h.clock.advance(11 * 60_000);
      if (fault) h.fake.inject(fault);
      const { body } = await h.cancel({ merchant_uid: 'RF-ALL', cancel_request_amount: 1000, reason: 'x' });
      if (!body.ok) failures.push(body);
      h.fake.clearFaults();
    };
    await attempt({ kind: 'http_5xx', route: 'cancel', status: 500 });
    await attempt({ kind: 'drop', route: 'any', times: 3 });
    await attempt({ kind: 'lose_response' });
    h.fake.inject({ kind: 'http_5xx', route: 'payment', times: 5 });
    await attempt({ kind: 'lose_response' });
    await attempt({ kind: 'pg_refusal', message: '카드사 취소 불가' });
    await attempt();
    await attempt();
    const codes = failures.map((f) => f.error.code);
    assert.deepEqual(codes, [
      'REFUND_OUTCOME_UNKNOWN',
      'REFUND_IN_PROGRESS', // i'mport unreachable, and the first refund not settled yet
      'REFUND_OUTCOME_UNKNOWN',
      'PG_PROVIDER',
      'PAYMENT_ALREADY_CANCELLED',
    ]);
    for (const f of failures) {
      if (f.error.code !== 'PG_PROVIDER') assert.doesNotMatch(f.error.message, HANGUL, JSON.stringify(f));
    }
  });
});
