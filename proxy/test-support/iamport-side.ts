/**
 * @module What happens at i'mport beside the proxy, for tests: a cancel made straight at i'mport (in its console, or
 * the proxy's own one applied later than it should be), and i'mport's notification of a payment to the proxy.
 */
import assert from 'node:assert/strict';
import { BASE, issueToken, json } from '../gateways/iamport/fake/test-fixture.ts';
import type { Harness } from './harness.ts';

/** A cancel of `amount` made at i'mport, not through the proxy; `checksum`, when given, is checked as i'mport does. */
export const cancelAtIamport = async (h: Harness, impUid: string, amount: number, checksum?: number): Promise<void> => {
  const token = await issueToken(h.fake);
  const body = { imp_uid: impUid, amount, reason: 'at i’mport', ...(checksum === undefined ? {} : { checksum }) };
  const res = await h.fake.fetch(`${BASE}/payments/cancel`, json(body, token));
  assert.equal(res.status, 200);
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
