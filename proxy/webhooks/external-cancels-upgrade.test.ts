// A console cancel that a release before 6b24f99 already told: that release keyed its event by the entry's
// cancellation_id even when i'mport gave it empty (`external:<imp_uid>:`), where the current code keys it by the
// entry's stand-in. After the upgrade, the next sighting of the payment must not tell the same cancel again.
// That release also told a refund of the proxy's own under that key, once i'mport's later copies showed its entry with
// an empty cancellation_id: the old event then stands for that entry, and for no console cancel of the same amount.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { createFakeIamport } from '../gateways/iamport/fake/fake-iamport.ts';
import { BASE, issueToken, json } from '../gateways/iamport/fake/test-fixture.ts';
import { createSqliteStore } from '../store/sqlite.ts';
import { createHarness, type Harness, tempSqlitePath, WEBHOOKS_ANSWERED } from '../test-support/harness.ts';
import { notifyOf } from '../test-support/iamport-side.ts';
import { patchPayments, rewriteAnswers, withFetch } from '../test-support/rewrite-answers.ts';
import { externalCancelEvent } from './events.ts';

let h: Harness;
afterEach(async () => h?.close());

describe('payment.cancelled_externally across an upgrade', () => {
  it('a console cancel with an empty cancellation_id, told before the upgrade, is not told again after it', async () => {
    const path = tempSqlitePath();
    h = await createHarness({ ...WEBHOOKS_ANSWERED, store: createSqliteStore({ path }) });
    const { fake } = h;
    const at = Math.floor(h.clock.now() / 1000) - 60;
    const p = fake.addPayment({
      merchant_uid: 'UPX-1',
      amount: 30_000,
      status: 'cancelled',
      cancel_amount: 5000,
      cancel_history: [
        { pg_tid: 'pgt-1', amount: 5000, cancelled_at: at, reason: '콘솔 취소', receipt_url: '', cancellation_id: '' },
      ],
    });
    assert.equal((await notifyOf(h, p.imp_uid, 'UPX-1')).status, 200);
    await h.close();
    // As the release before 6b24f99 wrote it: the entry's id was its (empty) cancellation_id.
    const db = new Database(path);
    const told = db
      .prepare(
        `UPDATE webhook_events SET dedupe_key = ? WHERE merchant_uid = ? AND type = 'payment.cancelled_externally'`,
      )
      .run(`external:${p.imp_uid}:`, 'UPX-1');
    db.close();
    assert.equal(told.changes, 1);

    h = await createHarness({ ...WEBHOOKS_ANSWERED, store: createSqliteStore({ path }), fake });
    assert.equal((await notifyOf(h, p.imp_uid, 'UPX-1')).status, 200);
    await h.settled();
    const events = (await h.store.listOrderEvents('UPX-1')).filter((e) => e.type === 'payment.cancelled_externally');
    assert.equal(events.length, 1, 'one console cancel, told once');
  });

  it('of two such cancels, the one told before the upgrade is not told again, and the other is told once', async () => {
    const path = tempSqlitePath();
    h = await createHarness({ ...WEBHOOKS_ANSWERED, store: createSqliteStore({ path }) });
    const { fake } = h;
    const at = Math.floor(h.clock.now() / 1000) - 60;
    const entry = { receipt_url: '', cancellation_id: '', reason: '콘솔 취소' };
    const p = fake.addPayment({
      merchant_uid: 'UPX-2',
      amount: 30_000,
      status: 'cancelled',
      cancel_amount: 8000,
      cancel_history: [
        { ...entry, pg_tid: 'pgt-1', amount: 5000, cancelled_at: at },
        { ...entry, pg_tid: 'pgt-2', amount: 3000, cancelled_at: at + 5 },
      ],
    });
    assert.equal((await notifyOf(h, p.imp_uid, 'UPX-2')).status, 200);
    await h.close();
    // As the release before 6b24f99 left it: the first cancel told under the shared empty key, the second never.
    const db = new Database(path);
    const rows = db
      .prepare(`SELECT id FROM webhook_events WHERE merchant_uid = ? AND type = 'payment.cancelled_externally'
        ORDER BY sequence`)
      .all('UPX-2') as { id: string }[];
    assert.equal(rows.length, 2);
    db.prepare('UPDATE webhook_events SET dedupe_key = ? WHERE id = ?').run(`external:${p.imp_uid}:`, rows[0]!.id);
    db.prepare('DELETE FROM webhook_events WHERE id = ?').run(rows[1]!.id);
    db.close();

    h = await createHarness({ ...WEBHOOKS_ANSWERED, store: createSqliteStore({ path }), fake });
    assert.equal((await notifyOf(h, p.imp_uid, 'UPX-2')).status, 200);
    await h.settled();
    const told = (await h.store.listOrderEvents('UPX-2')).filter((e) => e.type === 'payment.cancelled_externally');
    assert.deepEqual(
      told.map((e) => e.data.amount),
      [5000, 3000],
      'each console cancel told once: the first before the upgrade, the second after it',
    );
  });

  it('a console cancel of the same amount made after the upgrade is still told', async () => {
    let emptyIds = false;
    const raw = createFakeIamport();
    const rewrite = patchPayments((p) => {
      if (emptyIds) p.cancel_history = p.cancel_history.map((e: any) => ({ ...e, cancellation_id: '' }));
    });
    const fake = withFetch(raw, rewriteAnswers(raw.fetch, rewrite));
    h = await createHarness({ ...WEBHOOKS_ANSWERED, store: createSqliteStore({ path: tempSqlitePath() }), fake });
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
