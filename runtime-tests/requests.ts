/**
 * @module Request mode and the staff routes on one runtime: a customer asks under a request-mode grant, staff decide
 * under /staff/ with a staff grant minted by POST /admin/grants, and the refund account is checked where it lives —
 * sealed (AES-256-GCM through the runtime's own WebCrypto) in the refund_requests row of the runtime's PostgreSQL
 * schema, erased once the request ends. Each runtime's test file calls runRequests(name).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { mintGrant } from '../proxy/auth/grant.ts';
import { GRANT_SECRET, proxyEnv, RUNTIME_LABELS, type RuntimeName, startProxy } from './harness.ts';
import { callProxy, runtimeStack } from './stack.ts';

const ADMIN_KEY = 'runtime-requests-admin-key-0123456789abcdef';
const DESK_ORIGIN = 'https://desk.example';
const ACCOUNT = '110-123-456789';
const ACCOUNT_DIGITS = '110123456789';
const MASKED = '****6789';
const ACCOUNT_BODY = { refund_holder: '홍길동', refund_bank: '88', refund_account: ACCOUNT } as const;

/**
 * A fresh 32-byte key in standard base64, drawn until its text has both '+' and '/' (and it ends in '=', as every
 * 32-byte one does), so each runtime's base64 decoding of the whole alphabet is on trial.
 */
const dataKey = (): string => {
  for (;;) {
    const key = randomBytes(32).toString('base64');
    if (key.includes('+') && key.includes('/')) return key;
  }
};

/** How the admin API names a key in decided_by: the first 8 hex digits of its SHA-256. */
const keyId = (key: string): string => createHash('sha256').update(key).digest('hex').slice(0, 8);

/** Workers learn the client IP from CF-Connecting-IP (the edge sets it; here the test plays the edge). */
const EDGE_HEADERS: Readonly<Record<string, string>> = { 'CF-Connecting-IP': '203.0.113.9' };

interface Call {
  /** Another instance's URL (default: the stack's proxy). */
  readonly base?: string;
  readonly method?: string;
  readonly bearer?: string | null;
  readonly key?: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

export const runRequests = (runtime: RuntimeName): void => {
  describe(`request mode and the staff routes on ${RUNTIME_LABELS[runtime]}`, () => {
    const firstKey = dataKey();
    const stack = runtimeStack(runtime, {
      schema: `${runtime}_requests`,
      beside: async () => ({ DATA_ENCRYPTION_KEY: firstKey, ADMIN_API_KEYS: ADMIN_KEY, ALLOWED_ORIGINS: DESK_ORIGIN }),
    });
    const { fake } = stack;

    const call = (path: string, init: Call = {}) =>
      callProxy(`${init.base ?? stack.proxy.url}${path}`, {
        ...init,
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers: { ...(runtime === 'workerd' ? EDGE_HEADERS : {}), ...init.headers },
      });

    const requestGrant = (merchantUid: string) => mintGrant(GRANT_SECRET, { merchantUid, mode: 'request' });
    const staffGrant = async (sub: string): Promise<string> => {
      const { res, body } = await call('/admin/grants', { bearer: ADMIN_KEY, body: { role: 'staff', sub } });
      assert.equal(res.status, 200, JSON.stringify(body));
      return body.grant;
    };

    /** A paid virtual account at the fake, and a request for it under a request-mode grant. */
    const vbankOrder = (merchantUid: string, amount: number) =>
      fake.addPayment({ merchant_uid: merchantUid, amount, pay_method: 'vbank', pg_provider: 'html5_inicis' });
    const ask = async (merchantUid: string, extra: Record<string, unknown> = {}, key?: string) =>
      call('/refund-requests', {
        bearer: await requestGrant(merchantUid),
        ...(key ? { key } : {}),
        body: { merchant_uid: merchantUid, reason: '사이즈가 맞지 않아요', ...ACCOUNT_BODY, ...extra },
      });

    /** The request's row as the runtime wrote it: every column, and each one's text. */
    const requestRow = async (id: string) => {
      const [row] = await stack.ledger.sql<Record<string, unknown>[]>`SELECT * FROM refund_requests WHERE id = ${id}`;
      assert.ok(row, `the ledger holds ${id}`);
      const [{ text } = { text: '' }] = await stack.ledger.sql<
        { text: string }[]
      >`SELECT r::text AS text FROM refund_requests r WHERE id = ${id}`;
      return { row, text };
    };

    it('takes a request under a request-mode grant: the view, 201, the replay, a second one 409, and no refund', async () => {
      vbankOrder('RQ-ASK', 20000);
      const grant = await requestGrant('RQ-ASK');
      const view = await call('/payments/RQ-ASK', { bearer: grant });
      assert.equal(view.res.status, 200, JSON.stringify(view.body));
      assert.deepEqual([view.body.request_mode, view.body.request], [true, null]);

      const first = await ask('RQ-ASK', { cancel_request_amount: 15000 }, 'rq-key-1');
      assert.equal(first.res.status, 201, JSON.stringify(first.body));
      const { id, created_at, ...rest } = first.body.request;
      assert.match(id, /^rr_/);
      assert.equal(typeof created_at, 'number');
      assert.deepEqual(rest, {
        merchant_uid: 'RQ-ASK',
        status: 'requested',
        amount: 15000,
        reason: '사이즈가 맞지 않아요',
      });
      assert.ok(!JSON.stringify(first.body).includes(ACCOUNT_DIGITS), 'the answer never holds the account number');

      const replay = await ask('RQ-ASK', { cancel_request_amount: 15000 }, 'rq-key-1');
      assert.equal(replay.res.status, 201);
      assert.deepEqual(replay.body, first.body, 'the same key and body answer the same');

      const second = await ask('RQ-ASK', { cancel_request_amount: 1000 }, 'rq-key-2');
      assert.equal(second.res.status, 409, JSON.stringify(second.body));
      assert.equal(second.body.error.code, 'REFUND_REQUEST_OPEN');
      assert.equal(second.body.request.id, id, 'the open request comes with the refusal');

      const refund = await call('/payments/cancel', { bearer: grant, body: { merchant_uid: 'RQ-ASK', reason: 'x' } });
      assert.equal(refund.res.status, 403, JSON.stringify(refund.body));
      assert.equal(fake.count('cancel'), 0, "nothing reached i'mport's cancel");
      const again = await call('/payments/RQ-ASK', { bearer: grant });
      assert.deepEqual([again.body.request.id, again.body.request.status], [id, 'requested']);
      const [{ n } = { n: 0 }] = await stack.ledger.sql<
        { n: number }[]
      >`SELECT count(*)::int AS n FROM refund_requests WHERE merchant_uid = 'RQ-ASK'`;
      assert.equal(n, 1, 'one request in the ledger');
    });

    it('keeps the refund account sealed in the ledger: the full number in no column, the masked one shown', async () => {
      vbankOrder('RQ-SEAL', 12000);
      const { res, body } = await ask('RQ-SEAL');
      assert.equal(res.status, 201, JSON.stringify(body));
      const { row, text } = await requestRow(body.request.id);
      assert.ok(!text.includes(ACCOUNT_DIGITS) && !text.includes(ACCOUNT), `no column holds the account: ${text}`);
      for (const [column, value] of Object.entries(row)) {
        assert.ok(!String(value).includes(ACCOUNT_DIGITS), `${column} does not hold the account number`);
      }
      assert.equal(row.refund_account_masked, MASKED);
      assert.match(
        String(row.refund_secret),
        /^v1\.[\w-]+\.[\w-]+\.[\w-]+$/,
        'the account is sealed beside its key id',
      );
      assert.doesNotMatch(stack.proxy.output(), new RegExp(ACCOUNT_DIGITS), 'no log line holds it');
    });

    it('lets staff list and approve with a lowered amount: refunded into the account, by staff:<sub>, the seal erased', async () => {
      const p = vbankOrder('RQ-STAFF', 20000);
      const asked = await ask('RQ-STAFF');
      assert.equal(asked.res.status, 201, JSON.stringify(asked.body));
      const id: string = asked.body.request.id;
      const grant = await staffGrant('kim@shop.example');

      const list = await call('/staff/refund-requests?status=requested', { bearer: grant });
      assert.equal(list.res.status, 200, JSON.stringify(list.body));
      const listed = list.body.data.find((r: { id: string }) => r.id === id);
      assert.deepEqual(
        [listed?.merchant_uid, listed?.status, listed?.amount, listed?.refund_account_masked],
        ['RQ-STAFF', 'requested', 20000, MASKED],
      );

      const cancelsBefore = fake.count('cancel');
      const approved = await call(`/staff/refund-requests/${id}/approve`, {
        bearer: grant,
        body: { amount: 18000, note: '배송비 차감' },
      });
      assert.equal(approved.res.status, 200, JSON.stringify(approved.body));
      assert.deepEqual(
        [approved.body.request.status, approved.body.request.decided_by, approved.body.request.approved_amount],
        ['refunded', 'staff:kim@shop.example', 18000],
      );
      assert.equal(approved.body.refund.refunded, 18000);
      assert.equal(fake.count('cancel'), cancelsBefore + 1, "exactly one cancel reached i'mport");
      const cancels = fake.calls.filter(
        (c) => c.route === 'cancel' && (c.body as Record<string, unknown>).imp_uid === p.imp_uid,
      );
      assert.equal(cancels.length, 1);
      const sent = cancels[0]!.body as Record<string, unknown>;
      assert.deepEqual(
        [sent.amount, sent.refund_holder, sent.refund_bank, sent.refund_account],
        [18000, '홍길동', '88', ACCOUNT_DIGITS],
        'the sealed account was opened for the refund',
      );
      assert.equal(fake.getPayment(p.imp_uid)!.cancel_amount, 18000);

      const { row } = await requestRow(id);
      assert.deepEqual([row.status, row.refund_secret, row.refund_account_masked], ['refunded', null, MASKED]);
      const [attempt] = await stack.ledger.sql<{ approved_by: string; request_id: string; outcome: string }[]>`
        SELECT approved_by, request_id, outcome FROM refund_attempts WHERE merchant_uid = 'RQ-STAFF'`;
      assert.deepEqual(attempt, { approved_by: 'staff:kim@shop.example', request_id: id, outcome: 'succeeded' });
    });

    // The CSV is streamed page by page after the answer's head (proxy/admin/csv.ts): on Workers the reads after the
    // answer run in the stream's pulls, which only a runtime of its own tries.
    it('exports the refunds list as CSV, streamed: the rows the JSON list gives, the account masked', async () => {
      vbankOrder('RQ-CSV', 20000);
      const asked = await ask('RQ-CSV');
      assert.equal(asked.res.status, 201, JSON.stringify(asked.body));
      const grant = await staffGrant('csv@shop.example');
      const approved = await call(`/staff/refund-requests/${asked.body.request.id}/approve`, {
        bearer: grant,
        body: {},
      });
      assert.equal(approved.res.status, 200, JSON.stringify(approved.body));
      const list = await call('/staff/refunds?merchant_uid=RQ-CSV', { bearer: grant });
      assert.equal(list.res.status, 200, JSON.stringify(list.body));
      const csv = await call('/staff/refunds?merchant_uid=RQ-CSV', { bearer: grant, headers: { Accept: 'text/csv' } });
      assert.equal(csv.res.status, 200, csv.body.text);
      assert.match(csv.res.headers.get('Content-Type') ?? '', /^text\/csv/);
      const lines = String(csv.body.text).split('\r\n').filter(Boolean);
      assert.equal(lines.length, 1 + list.body.data.length, csv.body.text);
      assert.deepEqual(
        lines.slice(1).map((line) => line.split(',')[0]),
        list.body.data.map((row: { id: string }) => row.id),
      );
      assert.ok(lines[1]!.includes(MASKED), lines[1]);
      assert.ok(!String(csv.body.text).includes(ACCOUNT_DIGITS), 'never the full account number');
    });

    it("answers the staff routes' preflight from an allowed origin, and keeps each grant to its own routes", async () => {
      const preflight = await fetch(`${stack.proxy.url}/staff/refund-requests`, {
        method: 'OPTIONS',
        headers: {
          ...(runtime === 'workerd' ? EDGE_HEADERS : {}),
          Origin: DESK_ORIGIN,
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'authorization,content-type',
        },
      });
      assert.equal(preflight.status, 204, await preflight.text());
      assert.equal(preflight.headers.get('Access-Control-Allow-Origin'), DESK_ORIGIN);
      assert.match(preflight.headers.get('Access-Control-Allow-Headers') ?? '', /Authorization/i);
      assert.match(preflight.headers.get('Access-Control-Allow-Methods') ?? '', /POST/);

      fake.addPayment({ merchant_uid: 'RQ-DOORS', amount: 5000 });
      const customer = await requestGrant('RQ-DOORS');
      const onStaff = await call('/staff/refund-requests', { bearer: customer });
      assert.equal(onStaff.res.status, 403, JSON.stringify(onStaff.body));
      assert.equal(onStaff.body.error.code, 'FORBIDDEN');
      const staff = await staffGrant('RQ-DOORS');
      const onPayments = await call('/payments/RQ-DOORS', { bearer: staff });
      assert.equal(onPayments.res.status, 403, JSON.stringify(onPayments.body));
      assert.equal(onPayments.body.error.code, 'FORBIDDEN');
    });

    it('lets the customer withdraw a request, erasing its seal', async () => {
      vbankOrder('RQ-WITHDRAW', 9000);
      const asked = await ask('RQ-WITHDRAW');
      assert.equal(asked.res.status, 201, JSON.stringify(asked.body));
      const id: string = asked.body.request.id;
      const withdrawn = await call(`/refund-requests/${id}/withdraw`, {
        method: 'POST',
        bearer: await requestGrant('RQ-WITHDRAW'),
      });
      assert.equal(withdrawn.res.status, 200, JSON.stringify(withdrawn.body));
      assert.equal(withdrawn.body.request.status, 'withdrawn');
      const { row } = await requestRow(id);
      assert.deepEqual([row.status, row.refund_secret], ['withdrawn', null]);
    });

    it('lets staff reject without a new request: the seal erased, and another request 409 REFUND_REQUEST_NOT_ALLOWED', async () => {
      vbankOrder('RQ-REJECT', 9000);
      const asked = await ask('RQ-REJECT');
      assert.equal(asked.res.status, 201, JSON.stringify(asked.body));
      const id: string = asked.body.request.id;
      const rejected = await call(`/staff/refund-requests/${id}/reject`, {
        bearer: await staffGrant('lee'),
        body: { reason: '사용 흔적이 있어요', allow_new_request: false },
      });
      assert.equal(rejected.res.status, 200, JSON.stringify(rejected.body));
      assert.deepEqual(
        [rejected.body.request.status, rejected.body.request.decided_by, rejected.body.request.allow_new_request],
        ['rejected', 'staff:lee', false],
      );
      const { row } = await requestRow(id);
      assert.deepEqual([row.status, row.refund_secret], ['rejected', null]);
      const again = await ask('RQ-REJECT');
      assert.equal(again.res.status, 409, JSON.stringify(again.body));
      assert.equal(again.body.error.code, 'REFUND_REQUEST_NOT_ALLOWED');
    });

    it('takes one of two concurrent requests for an order and answers the other 409 REFUND_REQUEST_OPEN', async () => {
      vbankOrder('RQ-RACE', 8000);
      // The first one's i'mport lookup is slow, so the second arrives while the first holds the order.
      fake.inject({ kind: 'delay', route: 'any', ms: 300 });
      const answers = await Promise.all([ask('RQ-RACE', {}, 'race-a'), ask('RQ-RACE', {}, 'race-b')]);
      assert.deepEqual(answers.map((a) => a.res.status).sort(), [201, 409], JSON.stringify(answers.map((a) => a.body)));
      const refused = answers.find((a) => a.res.status === 409)!;
      // Behind the lease, the ledger's own rule, as this runtime migrated it: one open request per order.
      const [index] = await stack.ledger.sql<{ indexdef: string }[]>`
        SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND indexname = 'refund_requests_one_open'`;
      assert.match(index?.indexdef ?? '', /^CREATE UNIQUE INDEX .* \(merchant_uid\) WHERE .*requested.*approved/);
      assert.equal(refused.body.error.code, 'REFUND_REQUEST_OPEN');
      const rows = await stack.ledger.sql<
        { id: string }[]
      >`SELECT id FROM refund_requests WHERE merchant_uid = 'RQ-RACE'`;
      assert.deepEqual(
        rows.map((r) => r.id),
        [answers.find((a) => a.res.status === 201)!.body.request.id],
      );
    });

    it('opens an account sealed under the previous key after a rotation, and not without it', async () => {
      const p = vbankOrder('RQ-ROTATE', 10000);
      const asked = await ask('RQ-ROTATE');
      assert.equal(asked.res.status, 201, JSON.stringify(asked.body));
      const id: string = asked.body.request.id;
      const approve = (base: string) =>
        call(`/admin/refund-requests/${id}/approve`, { base, bearer: ADMIN_KEY, body: {} });
      const instance = (keys: Record<string, string>) =>
        startProxy(runtime, {
          ...proxyEnv(stack.served.url, stack.ledger.url),
          ADMIN_API_KEYS: ADMIN_KEY,
          ...keys,
        });
      const newKey = dataKey();

      const forgetful = await instance({ DATA_ENCRYPTION_KEY: newKey });
      try {
        const refused = await approve(forgetful.url);
        assert.equal(refused.res.status, 409, JSON.stringify(refused.body));
        assert.equal(refused.body.error.code, 'REFUND_NOT_ALLOWED');
        assert.match(refused.body.error.message, /DATA_ENCRYPTION_KEY_PREVIOUS/);
      } finally {
        await forgetful.stop();
      }
      assert.equal((await requestRow(id)).row.status, 'requested', 'the request waits for a key that opens it');

      const rotated = await instance({ DATA_ENCRYPTION_KEY: newKey, DATA_ENCRYPTION_KEY_PREVIOUS: firstKey });
      try {
        const approved = await approve(rotated.url);
        assert.equal(approved.res.status, 200, JSON.stringify(approved.body));
        assert.deepEqual(
          [approved.body.request.status, approved.body.request.decided_by],
          ['refunded', `key:${keyId(ADMIN_KEY)}`],
        );
      } finally {
        await rotated.stop();
      }
      const sent = fake.calls.filter(
        (c) => c.route === 'cancel' && (c.body as Record<string, unknown>).imp_uid === p.imp_uid,
      );
      assert.deepEqual(
        sent.map((c) => (c.body as Record<string, unknown>).refund_account),
        [ACCOUNT_DIGITS],
      );
      assert.equal((await requestRow(id)).row.refund_secret, null);
    });
  });
};
