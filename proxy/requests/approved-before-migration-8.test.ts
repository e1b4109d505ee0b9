// A ledger upgraded from a release before store migration 8: a request approved (once) then has approvals = 0, the
// column's default, though its approval took round one's key (`request:<id>`) and dedupe keys. Approved again under
// the current code, it must refund under a key of its own and tell its approval, as a request approved here would.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../store/migrations.ts';
import { createSqliteStore } from '../store/sqlite.ts';
import { type Harness, tempSqlitePath, WEBHOOKS_ANSWERED } from '../test-support/harness.ts';
import { ACCOUNT, requestCalls, withRequests } from '../test-support/request-calls.ts';
import { randomDataKey } from './account-crypto.ts';

let h: Harness;
afterEach(async () => h?.close());

/**
 * Takes the ledger file at `path` back to the schema of a release that had applied migrations 1 to 7 only: the columns
 * and indexes later migrations add are dropped and their versions forgotten, so the next start applies 8 onwards to these rows as
 * it would to that release's (every row then has approvals = 0).
 */
const asOfMigration7 = (path: string): void => {
  const db = new Database(path);
  const added: Record<string, readonly string[]> = {
    refund_requests: [
      'approvals',
      'tax_free_amount',
      'vat_amount',
      'grant_jti',
      'grant_max_amount',
      'imp_uid',
      'cancels_seen',
    ],
    refund_attempts: ['holder_check', 'late_of'],
    payments: ['tax_free', 'cancelled_tax_free'],
  };
  // Indexes later migrations add (16), before the columns they cover.
  for (const index of ['refund_attempts_late_of', 'refund_attempts_made_unanswered']) db.exec(`DROP INDEX ${index}`);
  for (const [table, columns] of Object.entries(added)) {
    for (const column of columns) db.exec(`ALTER TABLE ${table} DROP COLUMN ${column}`);
  }
  db.prepare('DELETE FROM schema_migrations WHERE version > 7').run();
  db.close();
  assert.equal(MIGRATIONS.find((m) => m.version === 8)?.name, 'refund_request_approvals');
};

describe('a request approved on a ledger from before approvals were counted (migration 8)', () => {
  it('is approved again after the upgrade: a refund of its own, its request refunded, its approval told', async () => {
    const path = tempSqlitePath();
    const key = randomDataKey();
    h = await withRequests({ ...WEBHOOKS_ANSWERED, store: createSqliteStore({ path }) }, key);
    const { fake } = h;
    fake.addPayment({ merchant_uid: 'UP8-1', amount: 20000, pay_method: 'vbank', pg_provider: 'html5_inicis' });
    const made = await requestCalls(h).ask({
      merchant_uid: 'UP8-1',
      reason: '사이즈가 맞지 않아요',
      cancel_request_amount: 8000,
      refund_holder: '홍길동',
      refund_bank: '88',
      refund_account: ACCOUNT,
    });
    const id: string = made.body.request.id;
    fake.inject({ kind: 'pg_refusal' });
    assert.equal((await requestCalls(h).approve(id)).body.request.status, 'failed');
    await h.close();

    asOfMigration7(path);
    h = await withRequests({ ...WEBHOOKS_ANSWERED, store: createSqliteStore({ path }), fake }, key);
    const again = await requestCalls(h).approve(id);
    assert.equal(fake.count('cancel'), 2, 'the refused one, then a refund of this approval');
    assert.equal(again.body.refund.ok, true, JSON.stringify(again.body.refund));
    assert.equal(again.body.request.status, 'refunded');
    const approvals = (await h.store.listOrderEvents('UP8-1')).filter((e) => e.type === 'refund_request.approved');
    assert.equal(approvals.length, 2, 'each approval told once');
  });
});
