// GET /admin/refunds (pages and CSV) and GET /admin/payments/:merchant_uid, from the ledger the refunds wrote.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { anAttempt } from '../store/contract-fixtures.ts';
import { createSqliteStore } from '../store/sqlite.ts';
import { adminCalls, json, parseCsv, T, withAdmin } from '../test-support/admin-calls.ts';
import type { Harness } from '../test-support/harness.ts';
import { requestCalls, withRequests } from '../test-support/request-calls.ts';

let h: Harness;
let admin: ReturnType<typeof adminCalls>['admin'];
let allPages: ReturnType<typeof adminCalls>['allPages'];
afterEach(async () => h?.close());

/** Opens the harness and binds the calls to it. */
const open = async (made: Promise<Harness>) => {
  h = await made;
  ({ admin, allPages } = adminCalls(h));
};

describe('GET /admin/refunds', () => {
  /** `count` attempts of one order, oldest first, two per millisecond (ties broken by id). */
  const seed = async (count: number, merchant_uid = 'SEED') => {
    for (let i = 0; i < count; i += 1) {
      await h.store.insertAttempt(
        anAttempt({ merchant_uid, id: `att-${String(i).padStart(3, '0')}`, started_at: T + Math.floor(i / 2) }),
      );
    }
  };

  it('pages newest first, { data, next_cursor }, never repeating or skipping a row while attempts are inserted', async () => {
    await open(withAdmin());
    await seed(23);
    const existing = (await h.store.pageAttempts({ limit: 100 })).map((a) => a.id);
    let inserted = 0;
    // Between pages: newer attempts, and attempts in the very millisecond of rows not listed yet.
    const insert = async () => {
      inserted += 1;
      await h.store.insertAttempt(anAttempt({ merchant_uid: 'SEED', id: `new-${inserted}`, started_at: T + 1000 }));
      await h.store.insertAttempt(anAttempt({ merchant_uid: 'SEED', id: `att-x${inserted}`, started_at: T + 2 }));
    };
    const rows = await allPages('limit=5', insert);
    const seen = rows.map((row) => row.id).filter((id) => existing.includes(id));
    assert.deepEqual(seen, existing, 'each existing row once, in order');
    assert.equal(new Set(rows.map((row) => row.id)).size, rows.length, 'no row twice');
    assert.deepEqual(existing.slice(0, 3), ['att-022', 'att-021', 'att-020'], 'newest first, larger id first in a tie');
    const first = await json(await admin('/admin/refunds?limit=5&merchant_uid=SEED'));
    assert.deepEqual(Object.keys(first), ['data', 'next_cursor']);
    assert.equal(typeof first.next_cursor, 'string');
    const last = await json(await admin('/admin/refunds?limit=500'));
    assert.equal(last.next_cursor, null);
  });

  it('filters by merchant_uid, status and from/to (UNIX seconds or ISO dates)', async () => {
    await open(withAdmin());
    h.fake.addPayment({ merchant_uid: 'F-1', amount: 10000 });
    h.fake.addPayment({ merchant_uid: 'F-2', amount: 10000 });
    await h.cancel({ merchant_uid: 'F-1', reason: 'x', cancel_request_amount: 1000 });
    await h.cancel({ merchant_uid: 'F-1', reason: 'x', cancel_request_amount: 99_999 }); // refused: too much
    await h.cancel({ merchant_uid: 'F-2', reason: 'x' });
    await h.settled();
    const ids = async (query: string) => (await allPages(query)).map((row) => `${row.merchant_uid}:${row.status}`);
    assert.deepEqual(await ids('merchant_uid=F-1'), ['F-1:rejected', 'F-1:succeeded']);
    assert.deepEqual(await ids('status=succeeded'), ['F-2:succeeded', 'F-1:succeeded']);
    assert.deepEqual(await ids('status=in_progress'), []);
    const now = Math.floor(Date.now() / 1000);
    assert.equal((await ids(`from=${now - 60}&to=${now + 60}`)).length, 3);
    assert.deepEqual(await ids(`to=${now - 60}`), []);
    assert.deepEqual(await ids('from=2999-01-01'), []);
    assert.deepEqual(await ids('from=2028-02-29'), [], 'a leap day is a day');
    assert.equal((await ids('from=2026-01-01T00:00:00%2B09:00')).length, 3);
  });

  it('shows accounts masked only, and every audit field a row needs', async () => {
    await open(withAdmin());
    h.fake.addPayment({ merchant_uid: 'VB-1', amount: 20000, pay_method: 'vbank', pg_provider: 'html5_inicis' });
    const refund = { reason: '환불', refund_holder: '홍길동', refund_bank: '88', refund_account: '110-123-456789' };
    assert.equal((await h.cancel({ merchant_uid: 'VB-1', ...refund }, { key: 'idem-1' })).res.status, 200);
    await h.settled();
    const res = await admin('/admin/refunds');
    const text = await res.clone().text();
    assert.ok(!text.includes('110123456789') && !text.includes('110-123-456789'));
    const [row] = (await json(res)).data;
    assert.equal(row.refund_account_masked, '****6789');
    assert.equal(row.status, 'succeeded');
    assert.equal(row.refunded, 20000);
    assert.equal(row.idempotency_key, 'idem-1');
    assert.equal(typeof row.id, 'string');
    assert.equal(typeof row.created_at, 'number');
    const csv = await (await admin('/admin/refunds', { headers: { Accept: 'text/csv' } })).text();
    assert.ok(!csv.includes('110123456789'));
  });

  it("answers CSV only when the client prefers it to JSON (Accept's q-values, then its order)", async () => {
    await open(withAdmin());
    await seed(1);
    const kind = async (accept: string) =>
      (await admin('/admin/refunds', { headers: { Accept: accept } })).headers.get('Content-Type')?.split(';')[0];
    assert.equal(await kind('text/csv'), 'text/csv');
    assert.equal(await kind('application/json;q=0.5, text/csv'), 'text/csv');
    assert.equal(await kind('text/csv;q=0.9, application/json'), 'application/json');
    assert.equal(await kind('application/json, text/csv'), 'application/json');
    assert.equal(await kind('*/*'), 'application/json');
    assert.equal(await kind('text/csv;q=0'), 'application/json');
  });

  it('answers Accept: text/csv with the same rows as the JSON pages, streamed, formulas defused', async () => {
    await open(withAdmin());
    await seed(7);
    const hostile = ['=HYPERLINK("http://evil.example","x")', '+1', '-2+3', '@SUM(A1)', 'a, "quoted"\nline'];
    for (const [i, reason] of hostile.entries()) {
      await h.store.insertAttempt(anAttempt({ id: `hostile-${i}`, merchant_uid: 'SEED', reason, started_at: T + 50 }));
    }
    await h.store.insertAttempt(anAttempt({ merchant_uid: 'OTHER', started_at: T + 60 }));
    const json = await allPages('merchant_uid=SEED&limit=3');
    const res = await admin('/admin/refunds?merchant_uid=SEED&limit=3', { headers: { Accept: 'text/csv' } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('Content-Type') ?? '', /^text\/csv; charset=utf-8/);
    assert.ok(res.body instanceof ReadableStream);
    // Read as bytes: Response.text() drops a byte-order mark.
    const bytes = Buffer.from(await res.arrayBuffer());
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a UTF-8 byte-order mark first, for Excel');
    const text = bytes.subarray(3).toString('utf8');
    assert.ok(text.startsWith('id,created_at,'));
    const [header, ...rows] = parseCsv(text);
    assert.equal(rows.length, json.length);
    assert.equal(rows.length, 12);
    const asCells = json.map((row) =>
      header!.map((column) => {
        const value = row[column];
        if (value === null) return '';
        const cell = String(value);
        return typeof value === 'string' && /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
      }),
    );
    assert.deepEqual(rows, asCells);
    const reasons = rows.map((row) => row[header!.indexOf('reason')]);
    assert.ok(reasons.includes(`'=HYPERLINK("http://evil.example","x")`));
    assert.ok(reasons.includes('a, "quoted"\nline'));
    assert.ok(!reasons.some((reason) => /^[=+\-@]/.test(reason!)), 'no cell a spreadsheet would run');
  });

  it('streams the CSV page by page: each page is read from the ledger when the client wants more', async () => {
    const store = createSqliteStore({ path: ':memory:' });
    let reads = 0;
    const pageAttempts = store.pageAttempts.bind(store);
    store.pageAttempts = (query) => {
      reads += 1;
      return pageAttempts(query);
    };
    await open(withAdmin({ store }));
    await seed(12);
    const res = await admin('/admin/refunds?limit=3', { headers: { Accept: 'text/csv' } });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder('utf-8', { ignoreBOM: true }); // keep the byte-order mark to see it
    assert.match(decoder.decode((await reader.read()).value), /^\ufeffid,/, 'the header first');
    assert.ok(reads <= 1, `read ${reads} pages before the first rows were wanted`);
    const firstRows = decoder.decode((await reader.read()).value);
    assert.equal(firstRows.split('\r\n').length - 1, 3, 'one page of rows');
    assert.ok(reads <= 2, `read ${reads} pages for one`);
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += decoder.decode(chunk.value);
    assert.equal(rest.split('\r\n').length - 1, 9);
    assert.equal(reads, 5, 'four full pages, then an empty one that ends it');
  });

  it('refuses a limit outside 1 to 500, a cursor it did not give, and an unknown or repeated parameter, naming it', async () => {
    await open(withAdmin());
    await seed(3);
    assert.equal((await admin('/admin/refunds?limit=500')).status, 200);
    assert.equal((await json(await admin('/admin/refunds?limit=1'))).data.length, 1);
    const cases: [string, RegExp][] = [
      ['limit=501', /limit must be a whole number from 1 to 500/],
      ['limit=0', /limit/],
      ['limit=abc', /limit/],
      ['limit=-1', /limit/],
      ['cursor=nonsense', /cursor is not one this API gave/],
      [`cursor=${Buffer.from('[1,2]').toString('base64url')}`, /cursor/],
      [`cursor=${Buffer.from('{"a":1}').toString('base64url')}`, /cursor/],
      ['status=done', /status must be one of succeeded, rejected, failed, unknown, in_progress/],
      ['from=yesterday', /from must be UNIX seconds or an ISO 8601 date/],
      // Dates Date.parse would roll over to another day.
      ['from=2026-02-30', /from must be UNIX seconds or an ISO 8601 date/],
      ['to=2027-02-29', /to must be UNIX seconds or an ISO 8601 date/],
      ['to=2026-04-31T10:00:00%2B09:00', /to must be UNIX seconds or an ISO 8601 date/],
      ['from=2026-01-01T24:00:00Z', /from must be UNIX seconds or an ISO 8601 date/],
      // ISO 8601's basic form, which read as seconds would be August 1970 and list everything.
      ['from=20260115', /from 20260115 looks like a date: write it as 2026-01-15/],
      ['from=2026-02-01&to=2026-01-01', /from must not be later than to/],
      ['merchant_uid=', /merchant_uid/],
      ['statuss=failed', /statuss is not a parameter here/],
      ['limit=1&limit=2', /limit must be given at most once/],
    ];
    for (const [query, message] of cases) {
      const res = await admin(`/admin/refunds?${query}`);
      assert.equal(res.status, 400, query);
      const { error } = await json(res);
      assert.equal(error.code, 'INVALID_REQUEST');
      assert.match(error.message, message, query);
    }
  });
});

describe('GET /admin/payments/:merchant_uid', () => {
  it("says what each row's amounts are in: a PayPal order's in dollars, in the JSON, the CSV and the order's rows", async () => {
    await open(withRequests());
    h.fake.addPayment({ merchant_uid: 'CUR-USD', amount: 10.1, currency: 'USD', pg_provider: 'paypal_v2' });
    h.fake.addPayment({ merchant_uid: 'CUR-KRW', amount: 10000 });
    assert.equal(
      (await h.cancel({ merchant_uid: 'CUR-USD', reason: 'x', cancel_request_amount: 2.9 })).res.status,
      200,
    );
    assert.equal(
      (await h.cancel({ merchant_uid: 'CUR-KRW', reason: 'x', cancel_request_amount: 1000 })).res.status,
      200,
    );
    await h.settled();
    const rows = (await json(await admin('/admin/refunds'))).data;
    assert.deepEqual(
      rows.map((r: Record<string, unknown>) => [r.merchant_uid, r.refunded, r.currency]),
      [
        ['CUR-KRW', 1000, 'KRW'],
        ['CUR-USD', 2.9, 'USD'],
      ],
    );
    const [header, ...cells] = parseCsv(
      await (await admin('/admin/refunds', { headers: { Accept: 'text/csv' } })).text(),
    );
    assert.equal(header!.at(-1), 'currency', 'the last column: a spreadsheet built on the earlier ones is unchanged');
    assert.deepEqual(
      cells.map((row) => row.at(-1)),
      ['KRW', 'USD'],
    );
    const order = await json(await admin('/admin/payments/CUR-USD'));
    assert.deepEqual(
      order.attempts.map((a: Record<string, unknown>) => a.currency),
      ['USD'],
    );

    // The refund requests' list too; null for an order the ledger holds no payment of (a row written by hand).
    const { ask, list } = requestCalls(h);
    assert.equal((await ask({ merchant_uid: 'CUR-USD', reason: 'more', cancel_request_amount: 7.2 })).res.status, 201);
    await h.store.insertAttempt(anAttempt({ merchant_uid: 'NO-PAYMENT', started_at: T }));
    const requests = (await list()).body.data;
    assert.deepEqual(
      requests.map((r: Record<string, unknown>) => [r.merchant_uid, r.amount, r.currency]),
      [['CUR-USD', 7.2, 'USD']],
    );
    const none = (await json(await admin('/admin/refunds?merchant_uid=NO-PAYMENT'))).data;
    assert.deepEqual(
      none.map((r: Record<string, unknown>) => r.currency),
      [null],
    );
  });

  it("gives each refund its own payment's currency, though its order holds a payment in another", async () => {
    await open(withAdmin());
    const webhook = (impUid: string) =>
      h.app.request('/webhooks/iamport', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ imp_uid: impUid }),
      });
    h.fake.addPayment({ merchant_uid: 'CUR-2', amount: 10.1, currency: 'USD', pg_provider: 'paypal_v2' });
    assert.equal((await h.cancel({ merchant_uid: 'CUR-2', reason: 'x' })).res.status, 200);
    await h.settled();
    // The order moves on to a payment in won (paid again after the refund in full), its webhook recorded.
    const again = h.fake.addPayment({ merchant_uid: 'CUR-2', amount: 13000 });
    assert.equal((await webhook(again.imp_uid)).status, 200);
    await h.settled();
    const order = await json(await admin('/admin/payments/CUR-2'));
    assert.equal(order.payment.currency, 'KRW', 'the order now shows the payment in won');
    const listed = (await json(await admin('/admin/refunds?merchant_uid=CUR-2'))).data;
    const [, ...cells] = parseCsv(await (await admin('/admin/refunds', { headers: { Accept: 'text/csv' } })).text());
    const pairs = (rows: Record<string, unknown>[]) => rows.map((r) => [r.refunded, r.currency]);
    assert.deepEqual(
      { order: pairs(order.attempts), list: pairs(listed), csv: cells.map((c) => c.at(-1)) },
      { order: [[10.1, 'USD']], list: [[10.1, 'USD']], csv: ['USD'] },
    );
  });

  it("answers the ledger's payment and its attempts, oldest first; 404 PAYMENT_NOT_FOUND when it has none", async () => {
    await open(withAdmin());
    const missing = await admin('/admin/payments/NOPE-1');
    assert.equal(missing.status, 404);
    assert.equal((await json(missing)).error.code, 'PAYMENT_NOT_FOUND');
    h.fake.addPayment({ merchant_uid: 'LED-1', amount: 10000 });
    await h.cancel({ merchant_uid: 'LED-1', reason: 'first', cancel_request_amount: 4000 });
    await h.cancel({ merchant_uid: 'LED-1', reason: 'second', cancel_request_amount: 1000 });
    await h.settled();
    const res = await admin('/admin/payments/LED-1');
    assert.equal(res.status, 200);
    const body = await json(res);
    assert.deepEqual(Object.keys(body), ['payment', 'attempts', 'events']);
    assert.equal(body.payment.merchant_uid, 'LED-1');
    assert.equal(body.payment.cancel_amount, 5000);
    assert.equal(body.payment.cancelable_amount, 5000);
    assert.deepEqual(
      body.attempts.map((a: Record<string, unknown>) => [a.reason, a.status, a.refunded]),
      [
        ['first', 'succeeded', 4000],
        ['second', 'succeeded', 1000],
      ],
    );
    const listed = (await json(await admin('/admin/refunds?merchant_uid=LED-1'))).data;
    assert.deepEqual(body.attempts, [...listed].reverse(), 'the same rows as the list');
    assert.equal((await admin(`/admin/payments/${'x'.repeat(129)}`)).status, 400);
  });
});
