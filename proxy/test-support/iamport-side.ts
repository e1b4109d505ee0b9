/**
 * @module What happens at i'mport beside the proxy, for tests: a cancel made straight at i'mport (in its console, or
 * the proxy's own one applied later than it should be), and i'mport's notification of a payment to the proxy.
 */
import assert from 'node:assert/strict';
import type { FakeIamport } from '../gateways/iamport/fake/fake-iamport.ts';
import { BASE, issueToken, json } from '../gateways/iamport/fake/test-fixture.ts';
import type { Harness, TestClock } from './harness.ts';
import { withFetch } from './rewrite-answers.ts';

/**
 * A cancel of `amount` made at i'mport, not through the proxy; `checksum`, when given, is checked as i'mport does. `h`:
 * a harness, or just the fake i'mport (one whose proxy-side fetch is played by the test, say). `reason`: its words, the
 * console's unless given (an attempt's own, for a cancel of the proxy's that i'mport finishes after it stopped waiting).
 */
export const cancelAtIamport = async (
  h: Pick<Harness, 'fake'>,
  impUid: string,
  amount: number,
  checksum?: number,
  reason = 'at i’mport',
): Promise<void> => {
  const token = await issueToken(h.fake);
  const body = { imp_uid: impUid, amount, reason, ...(checksum === undefined ? {} : { checksum }) };
  const res = await h.fake.fetch(`${BASE}/payments/cancel`, json(body, token));
  assert.equal(res.status, 200);
};

/**
 * The fake i'mport, with a console cancel racing the proxy's next cancel once `arm()`ed: made at i'mport after it took
 * the proxy's cancel (its checksum checked), before its answer came back. `stampedEarlierMs`: i'mport stamps a cancel
 * when its PG answers, and the console's PG answered that much before the proxy's (the clock moved back for it).
 */
export const consoleRace = (fake: FakeIamport, clock?: TestClock) => {
  let armed: { impUid: string; amount: number; reason: string; stampedEarlierMs: number } | undefined;
  const racing: typeof fetch = async (input, init) => {
    const res = await fake.fetch(input, init);
    const race = armed;
    if (race && String(input).endsWith('/payments/cancel')) {
      armed = undefined;
      clock?.advance(-race.stampedEarlierMs);
      const token = await issueToken(fake);
      const body = { imp_uid: race.impUid, amount: race.amount, reason: race.reason };
      const made = await fake.fetch(`${BASE}/payments/cancel`, json(body, token));
      assert.equal(((await made.json()) as { code: number }).code, 0, "the console's cancel was made");
      clock?.advance(race.stampedEarlierMs);
    }
    return res;
  };
  return {
    fake: withFetch(fake, racing),
    arm: (impUid: string, amount: number, { stampedEarlierMs = 0, reason = 'console' } = {}) => {
      armed = { impUid, amount, reason, stampedEarlierMs };
    },
  };
};

/** i'mport's webhook for a payment, as i'mport sends it (the proxy trusts it for nothing but the imp_uid). */
export const notifyOf = (h: Harness, impUid: string, merchantUid: string, status = 'cancelled'): Promise<Response> =>
  Promise.resolve(
    h.app.request('/webhooks/iamport', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ imp_uid: impUid, merchant_uid: merchantUid, status }),
    }),
  );
