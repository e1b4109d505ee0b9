// VERIFY_REFUND_HOLDER through the proxy's routes, over the V1 fake's GET /vbanks/holder: a mismatch refuses before
// any cancel and changes nothing; a lookup that cannot be made goes on (when_available) or refuses (required); off
// asks nothing; the attempt keeps the outcome; no log line holds the name the bank returned.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { HolderCheckConfig } from '../config.ts';
import { createFakeIamport } from '../gateways/iamport/fake/fake-iamport.ts';
import { createHarness, type Harness } from '../test-support/harness.ts';
import { ACCOUNT, ACCOUNT_DIGITS, requestCalls, withRequests } from '../test-support/request-calls.ts';
import { rewriteAnswers, withFetch } from '../test-support/rewrite-answers.ts';

let h: Harness;
afterEach(async () => h?.close());

// A name the bank returns, long enough that a log holding it whole is told from one holding it masked.
const BANK_HOLDER = '주식회사 가나다라마';

const setup = async (verify: HolderCheckConfig['verify'], iamportLookup = true) => {
  h = await createHarness({ config: { holderCheck: { verify, iamportLookup } } });
  h.fake.addAccount({ bank: '88', number: ACCOUNT_DIGITS, holder: BANK_HOLDER });
  return h.fake.addPayment({ merchant_uid: 'VB-1', amount: 20000, pay_method: 'vbank', pg_provider: 'html5_inicis' });
};

const refund = (holder: string, account = ACCOUNT) =>
  h.cancel({ merchant_uid: 'VB-1', reason: '환불', refund_holder: holder, refund_bank: '88', refund_account: account });

const onlyAttempt = async () => {
  const attempts = await h.store.listAttempts('VB-1');
  assert.equal(attempts.length, 1);
  return attempts[0]!;
};

const logsNeverHoldTheName = () => {
  const text = JSON.stringify(h.logs);
  assert.ok(!text.includes('가나다라마'), 'no log line holds the name the bank returned');
};

describe('VERIFY_REFUND_HOLDER=when_available (the default)', () => {
  it('refunds when the holder matches once normalised ((주), spaces, full width), and audits it verified', async () => {
    await setup('when_available');
    const ok = await refund('(주) 가나다라마');
    assert.equal(ok.res.status, 200);
    assert.equal(h.fake.count('holder'), 1);
    assert.equal(h.fake.count('cancel'), 1);
    const attempt = await onlyAttempt();
    assert.equal(attempt.outcome, 'succeeded');
    assert.equal(attempt.holder_check, 'verified');
    const line = h.logs.find((l) => l.msg === 'refund holder check');
    assert.equal(line?.holder_check, 'verified');
    logsNeverHoldTheName();
  });

  it('refuses a mismatch with 400 REFUND_ACCOUNT_HOLDER_MISMATCH before any cancel, changing nothing', async () => {
    const { imp_uid } = await setup('when_available');
    const wrong = await refund('홍길동');
    assert.equal(wrong.res.status, 400);
    assert.equal(wrong.body.error.code, 'REFUND_ACCOUNT_HOLDER_MISMATCH');
    assert.ok(!JSON.stringify(wrong.body).includes('가나다라마'), "the answer never says the bank's holder");
    assert.equal(h.fake.count('cancel'), 0);
    assert.equal(h.fake.getPayment(imp_uid)?.cancel_amount, 0);
    assert.equal((await h.store.getPayment('VB-1'))?.cancel_amount, 0);
    const attempt = await onlyAttempt();
    assert.equal(attempt.outcome, 'rejected');
    assert.equal(attempt.error_code, 'REFUND_ACCOUNT_HOLDER_MISMATCH');
    assert.equal(attempt.holder_check, 'mismatch');
    assert.match(attempt.iamport_message ?? '', /가\*+마/);
    const line = h.logs.find((l) => l.msg === 'refund holder check');
    assert.deepEqual([line?.holder_check, line?.returned], ['mismatch', '가***마']);
    logsNeverHoldTheName();
  });

  it('refuses an account the bank does not know as a mismatch', async () => {
    await setup('when_available');
    const typo = await refund('가나다라마', '110-123-456780');
    assert.equal(typo.body.error.code, 'REFUND_ACCOUNT_HOLDER_MISMATCH');
    assert.equal(h.fake.count('cancel'), 0);
    assert.equal((await onlyAttempt()).holder_check, 'mismatch');
  });

  it('goes on when the lookup is unavailable (5xx) or hidden, auditing which', async () => {
    await setup('when_available');
    h.fake.inject({ kind: 'http_5xx', status: 503, route: 'holder' });
    const first = await h.cancel({
      merchant_uid: 'VB-1',
      reason: '환불',
      cancel_request_amount: 1000,
      refund_holder: '아무개',
      refund_bank: '88',
      refund_account: ACCOUNT,
    });
    assert.equal(first.res.status, 200);
    h.fake.hideHolderLookup();
    const second = await h.cancel({
      merchant_uid: 'VB-1',
      reason: '환불',
      cancel_request_amount: 1000,
      refund_holder: '아무개',
      refund_bank: '88',
      refund_account: ACCOUNT,
    });
    assert.equal(second.res.status, 200);
    assert.equal(h.fake.count('cancel'), 2);
    const checks = (await h.store.listAttempts('VB-1')).map((a) => a.holder_check);
    assert.deepEqual(checks, ['unavailable', 'not_offered']);
  });

  it("goes on when i'mport answers the lookup with an error echoing the account, which no log line keeps whole", async () => {
    const fake = createFakeIamport();
    const echoing = rewriteAnswers(fake.fetch, ({ path }) =>
      path === '/vbanks/holder'
        ? { status: 200, json: { code: -1, message: `은행 점검 중입니다 (${ACCOUNT_DIGITS})`, response: null } }
        : undefined,
    );
    h = await createHarness({
      fake: withFetch(fake, echoing),
      config: { holderCheck: { verify: 'when_available', iamportLookup: true } },
    });
    h.fake.addPayment({ merchant_uid: 'VB-1', amount: 20000, pay_method: 'vbank', pg_provider: 'html5_inicis' });
    assert.equal((await refund('아무개')).res.status, 200);
    assert.equal((await onlyAttempt()).holder_check, 'unavailable');
    const text = JSON.stringify(h.logs);
    assert.ok(text.includes(`****${ACCOUNT_DIGITS.slice(-4)}`), "the gateway's words are logged, masked");
    assert.ok(!text.includes(ACCOUNT_DIGITS), 'no log line holds the full account number');
  });

  it('goes on, audited not_offered, when IAMPORT_HOLDER_LOOKUP is off (nothing asked)', async () => {
    await setup('when_available', false);
    assert.equal((await refund('아무개')).res.status, 200);
    assert.equal(h.fake.count('holder'), 0);
    assert.equal((await onlyAttempt()).holder_check, 'not_offered');
  });
});

describe('VERIFY_REFUND_HOLDER=required', () => {
  it('answers 503 UPSTREAM_UNAVAILABLE and sends nothing when the lookup fails or is not offered', async () => {
    await setup('required');
    h.fake.inject({ kind: 'http_5xx', status: 502, route: 'holder' });
    const failed = await refund('가나다라마');
    assert.equal(failed.res.status, 503);
    assert.equal(failed.body.error.code, 'UPSTREAM_UNAVAILABLE');
    h.fake.hideHolderLookup();
    assert.equal((await refund('가나다라마')).res.status, 503);
    assert.equal(h.fake.count('cancel'), 0);
    const checks = (await h.store.listAttempts('VB-1')).map((a) => [a.outcome, a.holder_check]);
    assert.deepEqual(checks, [
      ['rejected', 'unavailable'],
      ['rejected', 'not_offered'],
    ]);
  });

  it('refunds on a retry with the same Idempotency-Key once the bank answers again', async () => {
    await setup('required');
    h.fake.inject({ kind: 'http_5xx', status: 503, route: 'holder' });
    const body = {
      merchant_uid: 'VB-1',
      reason: '환불',
      refund_holder: '가나다라마',
      refund_bank: '88',
      refund_account: ACCOUNT,
    };
    assert.equal((await h.cancel(body, { key: 'holder-key-1' })).res.status, 503);
    await h.settled();
    const retried = await h.cancel(body, { key: 'holder-key-1' });
    assert.equal(retried.res.status, 200);
    assert.equal(h.fake.count('cancel'), 1);
  });

  it('refunds a verified holder', async () => {
    await setup('required');
    assert.equal((await refund('가나다라마')).res.status, 200);
    assert.equal((await onlyAttempt()).holder_check, 'verified');
  });
});

describe('VERIFY_REFUND_HOLDER=off', () => {
  it('asks the bank nothing, refunds even a wrong holder, and audits off', async () => {
    await setup('off');
    assert.equal((await refund('홍길동')).res.status, 200);
    assert.equal(h.fake.count('holder'), 0);
    assert.equal((await onlyAttempt()).holder_check, 'off');
  });
});

describe('the holder check and refunds without an account', () => {
  it('checks nothing for a card refund (holder_check null)', async () => {
    await setup('required');
    h.fake.addPayment({ merchant_uid: 'CARD-1', amount: 5000 });
    const ok = await h.cancel({ merchant_uid: 'CARD-1', reason: '환불' });
    assert.equal(ok.res.status, 200);
    assert.equal(h.fake.count('holder'), 0);
    assert.equal((await h.store.listAttempts('CARD-1'))[0]?.holder_check, null);
  });
});

describe('the holder check in request mode', () => {
  it('refuses a request with a mismatched holder (nothing written), and checks again at approval', async () => {
    h = await withRequests({ config: { holderCheck: { verify: 'when_available', iamportLookup: true } } });
    h.fake.addAccount({ bank: '88', number: ACCOUNT_DIGITS, holder: BANK_HOLDER });
    h.fake.addPayment({ merchant_uid: 'R-1', amount: 20000, pay_method: 'vbank', pg_provider: 'html5_inicis' });
    const { ask, approve } = requestCalls(h);
    const body = { merchant_uid: 'R-1', reason: '환불', refund_bank: '88', refund_account: ACCOUNT };
    const wrong = await ask({ ...body, refund_holder: '홍길동' });
    assert.equal(wrong.res.status, 400);
    assert.equal(wrong.body.error.code, 'REFUND_ACCOUNT_HOLDER_MISMATCH');
    assert.equal(await h.store.latestRequest('R-1'), null);
    const made = await ask({ ...body, refund_holder: '가나다라마' });
    assert.equal(made.res.status, 201);
    const approved = await approve(made.body.request.id);
    assert.equal(approved.res.status, 200);
    assert.equal(h.fake.count('holder'), 3, 'the wrong request, the right one, the approval');
    assert.equal((await h.store.listAttempts('R-1'))[0]?.holder_check, 'verified');
    logsNeverHoldTheName();
  });
});
