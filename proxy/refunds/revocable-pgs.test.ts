// Which unpaid virtual accounts can be revoked: i'mport revokes for some PGs only, and KG Inicis's only with Inicis's own
// API key (`DELETE /vbanks/{imp_uid}?pg_api_key=`, iamport-v1.md §4.1, §5.1; IAMPORT_INICIS_PG_API_KEY). Before, every
// unpaid account was offered as "cancel the account", and the revocation then failed with a 502 that said the PG had
// refused a refund.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createFakeIamport } from '../gateways/iamport/fake/fake-iamport.ts';
import { createHarness, type Harness } from '../test-support/harness.ts';
import { withFetch } from '../test-support/rewrite-answers.ts';

let h: Harness;
afterEach(async () => h?.close());

const unpaid = (merchant_uid: string, pg_provider: string) =>
  ({ merchant_uid, amount: 12000, pay_method: 'vbank', pg_provider, status: 'ready', paid_at: 0 }) as const;

const revokes = () => h.fake.calls.filter((c) => c.route === 'vbank');

describe('revoking an unpaid virtual account', () => {
  it("sends KG Inicis's key with an Inicis account's revocation, in the query", async () => {
    const fake = createFakeIamport();
    const urls: string[] = [];
    const recording: typeof fetch = (input, init) => {
      urls.push(String(input));
      return fake.fetch(input, init);
    };
    // The harness sets IAMPORT_INICIS_PG_API_KEY, as a shop on Inicis does.
    h = await createHarness({ fake: withFetch(fake, recording) });
    h.fake.addPayment(unpaid('RP-1', 'html5_inicis'));
    assert.equal((await h.view('RP-1')).body.revocable, true);
    const done = await h.cancel({ merchant_uid: 'RP-1', reason: 'r' });
    assert.deepEqual([done.res.status, done.body.revoked], [200, true]);
    const revoke = urls.find((url) => url.includes('/vbanks/'));
    assert.equal(new URL(revoke!).searchParams.get('pg_api_key'), 'test_inicis_pg_key');
    assert.ok(!h.logs.some((line) => JSON.stringify(line).includes('test_inicis_pg_key')), 'the key is never logged');
  });

  it("offers no revocation of an Inicis account without the key, and refuses one before i'mport is asked", async () => {
    h = await createHarness({ inicisPgApiKey: null });
    h.fake.addPayment(unpaid('RP-2', 'html5_inicis'));
    const view = await h.view('RP-2');
    assert.deepEqual([view.body.revocable, view.body.refundable, view.body.reason], [false, false, 'not_paid']);
    const refused = await h.cancel({ merchant_uid: 'RP-2', reason: 'r' });
    assert.deepEqual([refused.res.status, refused.body.error.code], [409, 'REFUND_NOT_ALLOWED']);
    assert.equal(revokes().length, 0);
  });

  it("offers none on a PG i'mport does not revoke for (NHN KCP)", async () => {
    h = await createHarness();
    h.fake.addPayment(unpaid('RP-3', 'kcp'));
    const view = await h.view('RP-3');
    assert.deepEqual([view.body.revocable, view.body.reason], [false, 'not_paid']);
    assert.equal((await h.cancel({ merchant_uid: 'RP-3', reason: 'r' })).body.error.code, 'REFUND_NOT_ALLOWED');
    assert.equal(revokes().length, 0);
  });

  // A runtime whose fetch error names the URL (Deno: "error sending request for url (…)") put the key in the detail kept.
  it("keeps Inicis's key out of every log line, attempt and answer when the revocation gets no answer", async () => {
    const fake = createFakeIamport();
    const denoLike: typeof fetch = async (input, init) => {
      const url = String(input);
      if (url.includes('/vbanks/')) {
        // Deno's fetch rejects with the request's URL in its message.
        throw new TypeError(`error sending request for url (${url}): connection closed before message completed`);
      }
      return fake.fetch(input, init);
    };
    h = await createHarness({ fake: withFetch(fake, denoLike) });
    h.fake.addPayment(unpaid('KE-1', 'html5_inicis'));
    await h.view('KE-1');
    const done = await h.cancel({ merchant_uid: 'KE-1', reason: 'r' });
    await h.settled();
    const where = [
      ...h.logs.map((l) => `log ${JSON.stringify(l)}`),
      ...(await h.store.listAttempts('KE-1')).map((a) => `attempt ${JSON.stringify(a)}`),
      `answer ${JSON.stringify(done.body)}`,
    ].filter((s) => s.includes('test_inicis_pg_key'));
    assert.deepEqual(where, [], 'the key is never logged');
  });
});
