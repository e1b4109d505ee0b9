// Abuse beyond the refund route (fuzz.test.ts): generated bodies to every other route that takes one (request mode's,
// the admin API's, the staff console's, the account check), generated queries to every list, and generated path
// segments under every method. None may cause a 5xx; every refusal is our JSON error with a code of the shared table;
// no answer or log line may hold the admin key, the grant secret, the data key or a full account number. And webhooks
// in each gateway's shape, signed, unsigned or signed wrong, to its route: no 5xx, and none makes a refund.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { isErrorCode } from '../../shared/errors.ts';
import { createFakePortOne } from '../gateways/portone/fake/fake-portone.ts';
import { randomDataKey } from '../requests/account-crypto.ts';
import { json, KEY } from '../test-support/admin-calls.ts';
import {
  createClock,
  createHarness,
  GRANT_SECRET,
  type Harness,
  PORTONE_WEBHOOK_SECRET,
} from '../test-support/harness.ts';
import { ACCOUNT_DIGITS, requestCalls, vbankAsk, withRequests } from '../test-support/request-calls.ts';

const RUNS = 1500;
const ORIGIN = 'https://shop.example';

/** Values near what a route reads and far from it: numbers at the edges, escapes, long and odd strings, anything. */
const valueArbitrary = fc.oneof(
  fc.anything(),
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.constantFrom(
    '',
    ' ',
    '0',
    '-1',
    '1e309',
    'NaN',
    '9007199254740993',
    '%',
    '%zz',
    '../x',
    '\u0000',
    'A'.repeat(5000),
  ),
);

/** Each field's values that pass (or nearly), so that many calls get past validation to the work behind it. */
const NEAR: Record<string, readonly unknown[]> = {
  merchant_uid: ['FZ-CARD', 'FZ-VB', 'FZ-NEW'],
  cancel_request_amount: [1000, 8000, 20000, 0.5],
  reason: ['사이즈가 맞지 않아요', 'changed my mind'],
  refund_holder: ['홍길동'],
  refund_bank: ['88', '004', 'BK88'],
  refund_account: ['110-123-456789', '123456789012'],
  checksum: [20000, 12000],
  imp_uid: ['imp_unknown'],
  amount: [1000, 8000, 9000.5],
  note: ['확인했어요'],
  allow_new_request: [true, false],
  ttl_seconds: [60, 900, 86400],
  max_amount: [1000, 50000],
  jti: ['order-7-grant', 'j'],
  role: ['staff'],
  sub: ['bob@shop.example'],
  mode: ['refund', 'request'],
  tax_free_amount: [0, 500],
  vat_amount: [100],
  status: ['pending', 'failed', 'delivered', 'succeeded', 'rejected', 'unknown', 'requested', 'approved', 'refunded'],
  from: ['2026-01-01', '2026-01-01T00:00:00Z', 1767225600],
  to: ['2027-01-01', 1798761600000],
  limit: [1, 50, 500, 501, 0],
  cursor: ['', 'eyJ4IjoxfQ'],
  order: ['oldest', 'newest'],
};

/** An object of some of `fields`, each usually a value that passes, sometimes anything. */
const fieldsArbitrary = (fields: readonly string[]) =>
  fc.record(
    Object.fromEntries(
      fields.map((field) => [
        field,
        fc.oneof(
          { weight: 3, arbitrary: fc.constantFrom(...(NEAR[field] ?? [''])) },
          { weight: 1, arbitrary: valueArbitrary },
        ),
      ]),
    ),
    { requiredKeys: [] },
  );

/** A route's fields sent as JSON, or (one in ten) the first of them as the whole body. */
const bodyArbitrary = (fields: readonly string[]) =>
  fc.record({ fields: fieldsArbitrary(fields), broken: fc.nat(9).map((n) => n === 0) });

/** A generated value as text: a string as it is, anything else as JSON (String() throws on a prototype-less object). */
const asText = (value: unknown): string => (typeof value === 'string' ? value : (JSON.stringify(value) ?? ''));

interface Seen {
  readonly statuses: Map<number, number>;
  readonly answers: string[];
}

/** Asserts what every answer must be, and keeps it for the leak check. */
const check = async (seen: Seen, res: Response, what: string): Promise<void> => {
  const text = await res.text();
  seen.answers.push(text);
  seen.statuses.set(res.status, (seen.statuses.get(res.status) ?? 0) + 1);
  assert.ok(res.status < 500, `${res.status} for ${what}: ${text.slice(0, 300)}`);
  if (res.status >= 400) {
    const code = (JSON.parse(text) as { error?: { code?: unknown } }).error?.code;
    assert.ok(isErrorCode(code), `${res.status} without a code of ours for ${what}: ${text.slice(0, 300)}`);
  }
};

const setUp = async (): Promise<{ h: Harness; dataKey: string; requestId: string; staff: string }> => {
  const dataKey = randomDataKey();
  const h = await withRequests({ allowedOrigins: [ORIGIN] }, dataKey);
  h.fake.addPayment({ merchant_uid: 'FZ-VB', amount: 20000, pay_method: 'vbank', pg_provider: 'html5_inicis' });
  h.fake.addPayment({ merchant_uid: 'FZ-CARD', amount: 20000 });
  const made = await requestCalls(h).ask(vbankAsk('FZ-VB'));
  assert.equal(made.res.status, 201);
  const minted = await h.app.request('/admin/grants', {
    method: 'POST',
    headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ role: 'staff', sub: 'alice@shop.example' }),
  });
  return { h, dataKey, requestId: made.body.request.id, staff: (await json(minted)).grant };
};

const assertNoLeak = (h: Harness, seen: Seen, secrets: readonly string[]): void => {
  const everything = seen.answers.join('\n') + JSON.stringify(h.logs);
  for (const secret of secrets) assert.ok(!everything.includes(secret), `leaked: ${secret.slice(0, 8)}…`);
};

describe('fuzzed calls to the routes besides the refund', () => {
  it(`${RUNS} generated bodies to every route that reads one: no 5xx, our error codes, no secret out`, async () => {
    const { h, dataKey, requestId, staff } = await setUp();
    try {
      const customer = await h.grant('FZ-CARD');
      const asking = await h.grant('FZ-CARD', { mode: 'request' });
      const grantFields = ['merchant_uid', 'ttl_seconds', 'max_amount', 'jti', 'mode', 'tax_free_amount', 'vat_amount'];
      const askFields = [
        'merchant_uid',
        'cancel_request_amount',
        'reason',
        'refund_holder',
        'refund_bank',
        'refund_account',
      ];
      const accountFields = ['refund_holder', 'refund_bank', 'refund_account'];
      const routes: ReadonlyArray<readonly [path: string, token: string, fields: readonly string[]]> = [
        ['/admin/grants', KEY, grantFields],
        ['/admin/grants', KEY, ['role', 'sub', 'ttl_seconds']],
        [`/admin/refund-requests/${requestId}/approve`, KEY, ['amount', 'note']],
        [`/admin/refund-requests/${requestId}/reject`, KEY, ['reason', 'allow_new_request']],
        ['/admin/events/msg_unknown/redeliver', KEY, []],
        [`/staff/refund-requests/${requestId}/approve`, staff, ['amount', 'note']],
        [`/staff/refund-requests/${requestId}/reject`, staff, ['reason', 'allow_new_request']],
        ['/refund-requests', asking, [...askFields, 'checksum', 'imp_uid']],
        [`/refund-requests/${requestId}/withdraw`, asking, []],
        ['/payments/FZ-CARD/verify-account', customer, accountFields],
      ];
      const seen: Seen = { statuses: new Map(), answers: [] };
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...routes).chain((route) => fc.tuple(fc.constant(route), bodyArbitrary(route[2]))),
          async ([[path, token], { fields, broken }]) => {
            const text = broken ? asText(Object.values(fields)[0]) : JSON.stringify(fields);
            const res = await h.app.request(path, {
              method: 'POST',
              headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Origin: ORIGIN },
              body: text,
            });
            await check(seen, res, `POST ${path} ${text.slice(0, 200)}`);
          },
        ),
        { numRuns: RUNS },
      );
      await h.settled();
      assertNoLeak(h, seen, [KEY, GRANT_SECRET, dataKey, ACCOUNT_DIGITS, '123456789012', customer, asking, staff]);
      // Some calls went through (a grant minted, an account checked), most were refused: not one refusal repeated.
      const got = (status: number) => (seen.statuses.get(status) ?? 0) > 0;
      assert.ok(got(200) && got(400), JSON.stringify([...seen.statuses]));
    } finally {
      await h.close();
    }
  });

  it(`${RUNS} generated queries to every list: no 5xx, our error codes, no secret out`, async () => {
    const { h, dataKey, staff } = await setUp();
    try {
      const lists = [
        '/admin/refunds',
        '/admin/events',
        '/admin/refund-requests',
        '/staff/refunds',
        '/staff/refund-requests',
      ];
      const seen: Seen = { statuses: new Map(), answers: [] };
      const queryArbitrary = fieldsArbitrary(['merchant_uid', 'status', 'from', 'to', 'limit', 'cursor', 'order']);
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...lists), queryArbitrary, fc.boolean(), async (path, query, csv) => {
          const search = Object.entries(query)
            .map(([k, v]) => `${k}=${encodeURIComponent(asText(v))}`)
            .join('&');
          const res = await h.app.request(`${path}?${search}`, {
            headers: {
              Authorization: `Bearer ${path.startsWith('/staff') ? staff : KEY}`,
              Origin: ORIGIN,
              ...(csv ? { Accept: 'text/csv' } : {}),
            },
          });
          await check(seen, res, `GET ${path}?${search.slice(0, 200)}`);
        }),
        { numRuns: RUNS },
      );
      const got = (status: number) => (seen.statuses.get(status) ?? 0) > 0;
      assert.ok(got(200) && got(400), JSON.stringify([...seen.statuses]));
      assertNoLeak(h, seen, [KEY, GRANT_SECRET, dataKey, ACCOUNT_DIGITS, staff]);
    } finally {
      await h.close();
    }
  });

  it(`${RUNS} generated path segments under every method and caller: no 5xx, our codes, no secret out`, async () => {
    const { h, dataKey, staff } = await setUp();
    try {
      const customer = await h.grant('FZ-CARD');
      const templates = [
        '/payments/$',
        '/payments/$/verify-account',
        '/admin/payments/$',
        '/staff/payments/$',
        '/admin/events/$/redeliver',
        '/staff/events/$/redeliver',
        '/refund-requests/$/withdraw',
        '/admin/refund-requests/$/approve',
        '/staff/refund-requests/$/reject',
        '/$',
        '/admin/$',
        '/staff/$',
        '/sandbox/$',
      ];
      const segmentArbitrary = fc.oneof(
        fc.string({ maxLength: 30 }).map(encodeURIComponent),
        fc.constantFrom('%', '%zz', '%2F', '..', '%00', 'FZ-CARD', 'A'.repeat(3000), '%E0%A4%A', '%F0%9F%98%80'),
      );
      const seen: Seen = { statuses: new Map(), answers: [] };
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...templates),
          segmentArbitrary,
          fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH'),
          fc.constantFrom(KEY, staff, customer, null),
          async (template, segment, method, token) => {
            const path = template.replace('$', segment);
            const res = await h.app.request(path, {
              method,
              headers: {
                ...(token ? { Authorization: `Bearer ${token}` } : {}),
                'Content-Type': 'application/json',
                Origin: ORIGIN,
                'Access-Control-Request-Method': 'POST',
              },
              ...(method === 'GET' || method === 'HEAD' ? {} : { body: '{"merchant_uid":"FZ-CARD"}' }),
            });
            // A HEAD answer has no body to read a code from.
            if (method === 'HEAD') assert.ok(res.status < 500, `${res.status} for HEAD ${path.slice(0, 120)}`);
            else await check(seen, res, `${method} ${path.slice(0, 120)}`);
          },
        ),
        { numRuns: RUNS },
      );
      assertNoLeak(h, seen, [KEY, GRANT_SECRET, dataKey, ACCOUNT_DIGITS, customer, staff]);
    } finally {
      await h.close();
    }
  });
});

describe("fuzzed gateway webhooks (what reaches the gateway's route from anywhere)", () => {
  /** A value that is usually one of `near`, sometimes anything. */
  const mostly = (...near: unknown[]) =>
    fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...near) }, { weight: 1, arbitrary: valueArbitrary });

  /** Bodies in the shape each gateway sends (i'mport V1's, PortOne V2's), naming `known` (the paid payment) mostly. */
  const bodyOfGateway = (gateway: 'iamport' | 'portone', known: string) =>
    gateway === 'iamport'
      ? fc.record(
          { imp_uid: mostly(known), merchant_uid: mostly('FZ-CARD'), status: mostly('paid', 'cancelled', 'ready') },
          { requiredKeys: [] },
        )
      : fc.record(
          {
            type: mostly('Transaction.Paid', 'Transaction.Cancelled', 'BillingKey.Issued'),
            timestamp: mostly('2026-12-07T00:00:00Z'),
            data: fc.oneof(fc.record({ paymentId: mostly(known) }, { requiredKeys: [] }), valueArbitrary),
          },
          { requiredKeys: [] },
        );

  const webhookArbitrary = (gateway: 'iamport' | 'portone', known: string) =>
    fc.record({
      fields: bodyOfGateway(gateway, known),
      type: fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain', ''),
      // `signed`: PortOne's own signature over the body (i'mport V1 signs nothing; it ignores the headers).
      signature: fc.constantFrom(null, 'signed', 'signed', 'v1,AAAA', ''),
    });

  for (const gateway of ['iamport', 'portone'] as const) {
    it(`${RUNS} generated ${gateway} webhooks, signed, unsigned or signed wrong: no 5xx, no refund`, async () => {
      const clock = createClock();
      const portone = gateway === 'portone' ? createFakePortOne({ now: clock.now }) : undefined;
      const h = await createHarness({ clock, ...(portone ? { portone } : {}) });
      try {
        // A paid order the generated bodies mostly name: a webhook about it may make the proxy read it, never refund.
        const known = portone
          ? portone.addPayment({ paymentId: 'FZ-CARD', total: 20000 }).id
          : h.fake.addPayment({ merchant_uid: 'FZ-CARD', amount: 20000 }).imp_uid;
        const path = `/webhooks/${gateway}`;
        const signer = new Webhook(PORTONE_WEBHOOK_SECRET);
        await fc.assert(
          fc.asyncProperty(webhookArbitrary(gateway, known), async ({ fields, type, signature }) => {
            const form = type === 'application/x-www-form-urlencoded';
            const text = form
              ? new URLSearchParams(Object.entries(fields).map(([k, v]) => [k, asText(v)])).toString()
              : JSON.stringify(fields);
            const res = await h.app.request(path, {
              method: 'POST',
              headers: {
                ...(type ? { 'Content-Type': type } : {}),
                ...(signature === null
                  ? {}
                  : {
                      'webhook-id': 'msg_fuzz',
                      'webhook-timestamp': String(Math.floor(clock.now() / 1000)),
                      'webhook-signature':
                        signature === 'signed'
                          ? signer.sign('msg_fuzz', new Date(Math.floor(clock.now() / 1000) * 1000), text)
                          : signature,
                    }),
              },
              body: text,
            });
            const answer = await res.text();
            assert.ok(res.status < 500, `${res.status} for ${text.slice(0, 200)}: ${answer.slice(0, 300)}`);
          }),
          { numRuns: RUNS },
        );
        await h.settled();
        assert.equal(portone ? portone.count('cancel') : h.fake.count('cancel'), 0, 'a webhook made a refund');
      } finally {
        await h.close();
      }
    });
  }
});
