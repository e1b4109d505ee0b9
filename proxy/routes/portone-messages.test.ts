// On PortOne V2 every answer (and log line) that names the gateway names PortOne: a merchant reading an answer, an event or the
// audit's note is never sent looking for i'mport, which this shop does not use.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createFakePortOne, type FakePortOne } from '../gateways/portone/fake/fake-portone.ts';
import { createClock, createHarness, type Harness } from '../test-support/harness.ts';

let h: Harness;
let fake: FakePortOne;
afterEach(async () => {
  await h?.settled();
  await h?.close();
});

const setup = async () => {
  const clock = createClock(Date.UTC(2026, 0, 15, 3));
  fake = createFakePortOne({ now: clock.now });
  h = await createHarness({ clock, portone: fake, timeoutMs: 1000 });
};

/** The answer's code and message, checked to name PortOne and not i'mport. */
const named = (body: Record<string, any>) => {
  const { code, message } = body.error as { code: string; message: string };
  assert.match(message, /PortOne/, message);
  assert.doesNotMatch(message, /i'mport|iamport/i, message);
  return code;
};

describe('answers on PortOne V2 name PortOne', () => {
  it('when PortOne cannot be reached for a view, a refund or an account check', async () => {
    await setup();
    fake.addPayment({ paymentId: 'M-1', total: 10_000 });
    fake.inject({ kind: 'http_5xx', route: 'payment', times: 3 });
    const view = await h.view('M-1');
    assert.equal(view.res.status, 503);
    assert.equal(named(view.body), 'UPSTREAM_UNAVAILABLE');
    const refund = await h.cancel({ merchant_uid: 'M-1', reason: 'r' });
    assert.equal(refund.res.status, 503);
    assert.equal(named(refund.body), 'UPSTREAM_UNAVAILABLE');
    assert.equal(fake.count('cancel'), 0);
    // The operator's log says so too.
    const said = h.logs.map((line) => String(line.msg));
    assert.ok(said.includes('PortOne lookup failed'), said.join(' | '));
    assert.ok(said.includes('PortOne lookup failed before a refund'), said.join(' | '));
    assert.deepEqual(
      said.filter((msg) => /i'mport/.test(msg)),
      [],
    );
  });

  it('when a refund was sent and neither its answer nor a re-read came back', async () => {
    await setup();
    fake.addPayment({ paymentId: 'M-2', total: 10_000 });
    assert.equal((await h.view('M-2')).res.status, 200);
    fake.inject({ kind: 'lose_response', route: 'cancel' });
    fake.inject({ kind: 'http_5xx', route: 'payment', times: 3 });
    const refund = await h.cancel({ merchant_uid: 'M-2', reason: 'r' }, { key: 'K-M-2-000000001' });
    assert.equal(refund.res.status, 503, JSON.stringify(refund.body));
    assert.equal(named(refund.body), 'REFUND_OUTCOME_UNKNOWN');
    // Still unreadable: the retry with the key says the same, in PortOne's name.
    fake.inject({ kind: 'http_5xx', route: 'payment', times: 3 });
    const again = await h.cancel({ merchant_uid: 'M-2', reason: 'r' }, { key: 'K-M-2-000000001' });
    assert.equal(named(again.body), 'REFUND_OUTCOME_UNKNOWN');
    assert.equal(fake.count('cancel'), 1);
  });
});
