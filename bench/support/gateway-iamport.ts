/**
 * @module The i'mport (PortOne V1) profile: the fake i'mport (fake-process.ts), its seeded orders, and the cancel
 * the proxy's i'mport client sends (`POST /payments/cancel` with a token fetched once).
 */
import type { GatewayProfile } from './gateway-profile.ts';
import { type Answer, jsonField } from './load.ts';
import {
  IMP_KEY,
  IMP_SECRET,
  impUidOf,
  ledgerRecordOf,
  ORDER_AMOUNT,
  REFUND_AMOUNT,
  REFUND_REASON,
  unexpected,
} from './orders.ts';
import { startFake } from './stack.ts';

/** An access token from the fake, for sending it requests directly. */
const fakeToken = async (fakeUrl: string): Promise<string> => {
  const res = await fetch(`${fakeUrl}/users/getToken`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ imp_key: IMP_KEY, imp_secret: IMP_SECRET }),
  });
  const response = jsonField(await res.text(), 'response');
  const token =
    typeof response === 'object' && response !== null && 'access_token' in response ? response.access_token : undefined;
  if (typeof token !== 'string') throw new Error(`no token from the fake: HTTP ${res.status}`);
  return token;
};

export const iamportProfile: GatewayProfile = {
  name: 'iamport',
  straightNote: "i'mport: `POST /payments/cancel` with a token (fetched once).",
  ledgerRecordOf,
  // i'mport answers a refusal with HTTP 200 too: only code 0 is a cancel.
  cancelled: (answer: Answer) =>
    answer.status === 200 && jsonField(answer.body, 'code') === 0 ? null : unexpected(answer),
  async start() {
    const fake = await startFake();
    try {
      const token = await fakeToken(fake.url);
      return {
        url: fake.url,
        seed: async (prefix, count) => void (await fake.call('seed', { prefix, count })),
        directCancel: (prefix, i) => ({
          method: 'POST',
          url: `${fake.url}/payments/cancel`,
          headers: { Accept: 'application/json', Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({
            imp_uid: impUidOf(prefix, i),
            amount: REFUND_AMOUNT,
            checksum: ORDER_AMOUNT,
            reason: REFUND_REASON,
          }),
        }),
        proxyTarget: { iamportUrl: fake.url },
        stop: () => fake.stop(),
      };
    } catch (error) {
      await fake.stop();
      throw error;
    }
  },
};
