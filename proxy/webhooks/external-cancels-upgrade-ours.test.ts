// A ledger from a release before 6b24f99 whose event under the shared empty key (`external:<imp_uid>:`) told a refund
// of the proxy's own (that release told it as made elsewhere once i'mport's later copies showed its entry with an empty
// cancellation_id: the attempt's id was no longer carried, and its own id was not ''). The current code knows that
// entry as ours; the old event stands for it, and for no console cancel of the same amount made later.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createFakeIamport } from '../gateways/iamport/fake/fake-iamport.ts';
import { BASE, issueToken, json } from '../gateways/iamport/fake/test-fixture.ts';
import { createSqliteStore } from '../store/sqlite.ts';
import { createHarness, type Harness, type HarnessOptions, tempSqlitePath } from '../test-support/harness.ts';
import { notifyOf } from '../test-support/iamport-side.ts';
import { patchPayments, rewriteAnswers, withFetch } from '../test-support/rewrite-answers.ts';
import { externalCancelEvent } from './events.ts';

let h: Harness;
afterEach(async () => h?.close());

const webhooksOn: HarnessOptions = {
  outside: async () => new Response('ok'),
  config: {
    merchantWebhooks: {
      urls: ['https://merchant.example/hooks'],
      secret: `whsec_${btoa('s'.repeat(32))}`,
      retryDelaysMs: [1000],
    },
  },
};

describe('payment.cancelled_externally across an upgrade: the old event told a refund of ours', () => {
  it('a console cancel of the same amount made after the upgrade is still told', async () => {
    let emptyIds = false;
    const raw = createFakeIamport();
    const rewrite = patchPayments((p) => {
      if (emptyIds) p.cancel_history = p.cancel_history.map((e: any) => ({ ...e, cancellation_id: '' }));
    });
    const fake = withFetch(raw, rewriteAnswers(raw.fetch, rewrite));
    h = await createHarness({ ...webhooksOn, store: createSqliteStore({ path: tempSqlitePath() }), fake });
    const p = h.fake.addPayment({ merchant_uid: 'UPX-OURS', amount: 10_000 });
    const ours = await h.cancel({ merchant_uid: 'UPX-OURS', cancel_request_amount: 4000, reason: '단순 변심' });
    assert.equal(ours.res.status, 200);
    assert.ok((await h.store.listAttempts('UPX-OURS'))[0]!.cancellation_id, 'the answer named its entry');

    // i'mport's later copies show the entries with an empty cancellation_id. The release before 6b24f99 then told our
    // refund's entry as made elsewhere, under `external:<imp_uid>:` (its attempt's id no entry carried any more).
    emptyIds = true;
    const stored = await h.store.getPayment('UPX-OURS');
    assert.ok(stored);
    const entry = { ...stored.cancel_history[0]!, cancellation_id: '' };
    const told = externalCancelEvent({ now: h.clock.now, randomId: () => crypto.randomUUID() }, stored, entry, '');
    assert.equal(told.dedupe_key, `external:${p.imp_uid}:`);
    assert.equal(await h.store.insertEvent(told), true);

    // After the upgrade: a console cancel of the same amount, in other words.
    const token = await issueToken(raw);
    const res = await raw.fetch(
      `${BASE}/payments/cancel`,
      json({ imp_uid: p.imp_uid, amount: 4000, reason: 'console' }, token),
    );
    assert.equal(((await res.json()) as { code: number }).code, 0);
    assert.equal((await notifyOf(h, p.imp_uid, 'UPX-OURS')).status, 200);
    await h.settled();
    const external = (await h.store.listOrderEvents('UPX-OURS')).filter(
      (e) => e.type === 'payment.cancelled_externally',
    );
    assert.deepEqual(
      external.map((e) => [e.data.amount, e.data.reason]),
      [
        [4000, '단순 변심'], // the old release's, under the shared key
        [4000, 'console'], // the console's, made after the upgrade: told once
      ],
    );
  });
});
