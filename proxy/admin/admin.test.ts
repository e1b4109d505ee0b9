// The admin API through app.request(): its door (keys, 404 when unset, no CORS), grants, the refund audit as pages
// and as CSV, an order's ledger, the log line and the limit per key.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { afterEach, describe, it } from 'node:test';
import { anAttempt } from '../store/contract-fixtures.ts';
import { createClock, createHarness, type Harness, type HarnessOptions } from '../test-support/harness.ts';

const KEY = 'admin-key-0123456789-abcdefghijklmnopqrstuvwxyz';
const OTHER_KEY = 'another-admin-key-0123456789-abcdefghijklmnopq';
const T = Date.UTC(2026, 0, 1, 3, 0, 0);

let h: Harness;
afterEach(async () => h?.close());

const withAdmin = (options: HarnessOptions = {}, perKeyPerMinute = 0) =>
  createHarness({
    ...options,
    config: { ...options.config, admin: { keys: [KEY, OTHER_KEY], perKeyPerMinute, generated: false } },
  });

const admin = (path: string, init: RequestInit & { key?: string | null } = {}) => {
  const { key = KEY, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (key !== null) headers.set('Authorization', `Bearer ${key}`);
  return h.app.request(path, { ...rest, headers });
};

// `any`: tests read the answers field by field.
const json = async (res: Response) => (await res.json()) as Record<string, any>;

const postGrant = (body: unknown, key: string | null = KEY) =>
  admin('/admin/grants', {
    key,
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });

const claimsOf = (grant: string) => JSON.parse(Buffer.from(grant.split('.')[1]!, 'base64url').toString());

/** RFC 4180 as a spreadsheet reads it: quoted cells, doubled quotes, CRLF rows. */
const parseCsv = (text: string): string[][] => {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i]!;
    if (quoted && ch === '"' && text[i + 1] === '"') {
      cell += '"';
      i += 1;
    } else if (ch === '"') {
      quoted = !quoted;
    } else if (quoted) {
      cell += ch;
    } else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += 1;
    } else {
      cell += ch;
    }
  }
  assert.equal(cell + row.join(''), '', 'the CSV ends with CRLF');
  return rows;
};

/** Every page of GET /admin/refunds with `query`, following next_cursor; `between` runs after each page. */
const allPages = async (query: string, between: () => Promise<void> = async () => {}) => {
  const rows: Record<string, any>[] = [];
  let cursor: string | null = null;
  do {
    const res = await admin(`/admin/refunds?${query}${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(res.status, 200);
    const page = await json(res);
    rows.push(...page.data);
    cursor = page.next_cursor;
    await between();
  } while (cursor);
  return rows;
};

describe('the admin API: its door', () => {
  it('does not exist without ADMIN_API_KEYS: every /admin route answers 404 as an unknown route does', async () => {
    h = await createHarness();
    const unknown = await h.app.request('/no-such-route');
    for (const [path, method] of [
      ['/admin/refunds', 'GET'],
      ['/admin/grants', 'POST'],
      ['/admin/payments/ORD-1', 'GET'],
    ] as const) {
      const res = await admin(path, { method });
      assert.equal(res.status, 404, path);
      assert.deepEqual(await res.json(), await unknown.clone().json());
    }
  });

  it('answers a missing, malformed or wrong key 401 UNAUTHORIZED, all alike, saying nothing about why', async () => {
    h = await withAdmin();
    const answers = await Promise.all(
      [
        admin('/admin/refunds', { key: null }),
        admin('/admin/refunds', { key: `${KEY}x` }),
        admin('/admin/refunds', { key: KEY.slice(0, -1) }),
        admin('/admin/refunds', { key: 'short' }),
        admin('/admin/refunds', { key: null, headers: { Authorization: `Basic ${KEY}` } }),
        admin('/admin/no-such-route', { key: 'wrong' }),
        postGrant({ merchant_uid: 'ORD-1' }, 'wrong'),
      ].map(async (pending) => {
        const res = await pending;
        return { status: res.status, body: await res.json() };
      }),
    );
    for (const answer of answers) {
      assert.deepEqual(answer, answers[0]);
    }
    assert.equal(answers[0]!.status, 401);
    assert.deepEqual(answers[0]!.body, {
      ok: false,
      error: { code: 'UNAUTHORIZED', message: 'An admin key is required (Authorization: Bearer <key>).' },
    });
    assert.equal((await admin('/admin/refunds', { key: OTHER_KEY })).status, 200, 'each listed key opens it');
  });

  it('sends no CORS header, even to an allowed origin, and answers no preflight', async () => {
    h = await withAdmin({ allowedOrigins: ['https://shop.example'] });
    const origin = { Origin: 'https://shop.example' };
    const get = await admin('/admin/refunds', { headers: origin });
    assert.equal(get.status, 200);
    const preflight = await admin('/admin/refunds', {
      key: null,
      method: 'OPTIONS',
      headers: { ...origin, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' },
    });
    assert.equal(preflight.status, 401);
    const grant = await admin('/admin/grants', {
      method: 'POST',
      headers: { ...origin, 'Content-Type': 'application/json' },
      body: JSON.stringify({ merchant_uid: 'ORD-1' }),
    });
    assert.equal(grant.status, 200);
    for (const res of [get, preflight, grant]) {
      const cors = [...res.headers.keys()].filter((name) => name.toLowerCase().startsWith('access-control-'));
      assert.deepEqual(cors, []);
    }
    // The payment routes still answer that origin, so the test would see a CORS header if there were one.
    const payments = await h.app.request('/payments/cancel', { method: 'OPTIONS', headers: origin });
    assert.equal(payments.headers.get('Access-Control-Allow-Origin'), 'https://shop.example');
  });

  it("logs each admin call with the key's id (8 hex digits of its SHA-256), never the key", async () => {
    h = await withAdmin();
    await admin('/admin/refunds');
    await admin('/admin/refunds', { key: OTHER_KEY });
    await admin('/admin/refunds', { key: 'wrong-key' });
    const lines = h.logs.filter((line) => line.msg === 'request');
    const id = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 8);
    assert.deepEqual(
      lines.map((line) => [line.status, line.key_id]),
      [
        [200, id(KEY)],
        [200, id(OTHER_KEY)],
        [401, undefined],
      ],
    );
    const everything = JSON.stringify(h.logs);
    for (const secret of [KEY, OTHER_KEY, 'wrong-key']) assert.ok(!everything.includes(secret));
  });

  it('limits each key on its own (RATE_LIMIT_ADMIN_PER_KEY), 429 with Retry-After, and counts again a minute on', async () => {
    const clock = createClock(T);
    h = await withAdmin({ clock }, 2);
    assert.equal((await admin('/admin/refunds')).status, 200);
    assert.equal((await admin('/admin/refunds')).status, 200);
    const limited = await admin('/admin/refunds');
    assert.equal(limited.status, 429);
    assert.equal((await json(limited)).error.code, 'RATE_LIMITED');
    assert.equal(limited.headers.get('Retry-After'), '60');
    assert.equal((await admin('/admin/refunds', { key: OTHER_KEY })).status, 200, 'the other key has its own count');
    clock.advance(60_000);
    assert.equal((await admin('/admin/refunds')).status, 200);
  });
});

describe('POST /admin/grants', () => {
  it('mints a grant that refunds through /payments/cancel like any other, for 15 minutes unless told', async () => {
    const clock = createClock(T);
    h = await withAdmin({ clock });
    h.fake.addPayment({ merchant_uid: 'ADM-1', amount: 10000 });
    const res = await postGrant({ merchant_uid: 'ADM-1' });
    assert.equal(res.status, 200);
    const { grant, expires_at, ...rest } = await json(res);
    assert.deepEqual(rest, {});
    assert.equal(expires_at, T / 1000 + 900);
    assert.deepEqual(claimsOf(grant), { sub: 'ADM-1', iat: T / 1000, exp: T / 1000 + 900 });
    const refund = await h.cancel({ merchant_uid: 'ADM-1', reason: '단순 변심' }, { grant });
    assert.equal(refund.res.status, 200);
    assert.equal(refund.body.refunded, 10000);
    const other = await h.cancel({ merchant_uid: 'ADM-2', reason: 'x' }, { grant });
    assert.equal(other.res.status, 403, 'for its own order only');
  });

  it('caps a grant with max_amount, under the jti given or one of its own', async () => {
    h = await withAdmin();
    h.fake.addPayment({ merchant_uid: 'ADM-CAP', amount: 10000 });
    const own = claimsOf((await json(await postGrant({ merchant_uid: 'ADM-CAP', max_amount: 3000 }))).grant);
    assert.equal(own.max_amount, 3000);
    assert.match(own.jti, /^[0-9a-f-]{36}$/);
    const given = await json(await postGrant({ merchant_uid: 'ADM-CAP', max_amount: 3000, jti: 'order-7-refund-1' }));
    assert.equal(claimsOf(given.grant).jti, 'order-7-refund-1');
    const first = await h.cancel({ merchant_uid: 'ADM-CAP', reason: 'x', cancel_request_amount: 2000 }, given);
    assert.equal(first.res.status, 200);
    const past = await h.cancel({ merchant_uid: 'ADM-CAP', reason: 'x', cancel_request_amount: 2000 }, given);
    assert.equal(past.res.status, 403, 'the cap holds across requests');
  });

  it('refuses a ttl over MAX_GRANT_TTL and any bad field with 400 naming it', async () => {
    h = await withAdmin({ config: { maxGrantTtlSeconds: 600 } });
    const defaulted = await json(await postGrant({ merchant_uid: 'ADM-1' }));
    const claims = claimsOf(defaulted.grant);
    assert.equal(claims.exp - claims.iat, 600, 'the default never passes MAX_GRANT_TTL');
    assert.equal((await postGrant({ merchant_uid: 'ADM-1', ttl_seconds: 600 })).status, 200);
    const cases: [unknown, RegExp][] = [
      [{ merchant_uid: 'ADM-1', ttl_seconds: 601 }, /ttl_seconds must be at most 600 \(MAX_GRANT_TTL\)/],
      [{ merchant_uid: 'ADM-1', ttl_seconds: 1.5 }, /ttl_seconds/],
      [{ merchant_uid: 'ADM-1', ttl_seconds: 0 }, /ttl_seconds must be at least 1/],
      [{ merchant_uid: 'ADM-1', max_amount: -1 }, /max_amount/],
      [{ merchant_uid: 'ADM-1', jti: '' }, /jti is required/],
      [{ merchant_uid: 'x'.repeat(41) }, /merchant_uid must be at most 40 characters/],
      [{}, /merchant_uid is required/],
      [{ merchant_uid: 'ADM-1', sub: 'ADM-2' }, /sub/],
    ];
    for (const [body, message] of cases) {
      const res = await postGrant(body);
      assert.equal(res.status, 400, JSON.stringify(body));
      const { error } = await json(res);
      assert.equal(error.code, 'INVALID_REQUEST');
      assert.match(error.message, message);
    }
    const text = await admin('/admin/grants', { method: 'POST', body: 'merchant_uid=ADM-1' });
    assert.equal(text.status, 400);
  });
});

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
    h = await withAdmin();
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
    h = await withAdmin();
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
    assert.equal((await ids('from=2026-01-01T00:00:00%2B09:00')).length, 3);
  });

  it('shows accounts masked only, and every audit field a row needs', async () => {
    h = await withAdmin();
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

  it('answers Accept: text/csv with the same rows as the JSON pages, streamed, formulas defused', async () => {
    h = await withAdmin();
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

  it('refuses a limit outside 1 to 500, a cursor it did not give, and an unknown or repeated parameter, naming it', async () => {
    h = await withAdmin();
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
  it("answers the ledger's payment and its attempts, oldest first; 404 PAYMENT_NOT_FOUND when it has none", async () => {
    h = await withAdmin();
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
    assert.deepEqual(Object.keys(body), ['payment', 'attempts']);
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
    assert.equal((await admin(`/admin/payments/${'x'.repeat(41)}`)).status, 400);
  });
});
