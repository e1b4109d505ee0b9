// Abuse: 10,000 generated request bodies. None may cause a 5xx; none that is invalid may reach i'mport's cancel; and
// no answer or log line may ever hold the i'mport secret, a grant or a full account number.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import * as v from 'valibot';
import { CancelRequestSchema } from '../../shared/schemas/cancel-request.ts';
import { createHarness, GRANT_SECRET } from '../test-support/harness.ts';

const ORDERS = ['FUZZ-CARD', 'FUZZ-VB'] as const;
const RUNS = 10_000;

/** Bodies near the real shape (so many pass validation and some refund), and plain garbage. */
const bodyArbitrary = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record(
      {
        merchant_uid: fc.oneof(fc.constantFrom(...ORDERS), fc.string({ maxLength: 50 }), fc.anything()),
        cancel_request_amount: fc.oneof(
          fc.integer({ min: -5, max: 2_000 }),
          fc.double(),
          fc.constant(null),
          fc.string(),
          fc.anything(),
        ),
        reason: fc.oneof(fc.constantFrom('단순 변심', 'changed my mind'), fc.string({ maxLength: 300 }), fc.anything()),
        refund_holder: fc.oneof(fc.constant('홍길동'), fc.string({ maxLength: 40 }), fc.anything()),
        refund_bank: fc.oneof(
          fc.constantFrom('BK04', 'BK88', '88', '088'),
          fc.string({ maxLength: 10 }),
          fc.anything(),
        ),
        refund_account: fc.oneof(
          fc.constantFrom('110-123-456789', '123456789012'),
          fc.stringMatching(/^[0-9 -]{0,20}$/),
          fc.anything(),
        ),
        refund_tel: fc.oneof(fc.constant('010-1234-5678'), fc.string({ maxLength: 15 }), fc.anything()),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: fc.anything() },
);

/** The body as sent: usually JSON, sometimes broken text. */
const wireArbitrary = fc.oneof(
  { weight: 9, arbitrary: bodyArbitrary.map((body) => ({ body, text: JSON.stringify(body) ?? 'undefined' })) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }).map((text) => ({ body: undefined as unknown, text })) },
);

describe('fuzzed refund requests', () => {
  it(`${RUNS} generated bodies: no 5xx, no cancel for invalid input, no secret in any answer or log line`, async () => {
    const h = await createHarness();
    try {
      h.fake.addPayment({ merchant_uid: 'FUZZ-CARD', amount: 1_000_000_000 });
      h.fake.addPayment({ merchant_uid: 'FUZZ-VB', amount: 1_000_000_000, pay_method: 'vbank', pg_provider: 'kcp' });
      const minted = await Promise.all(ORDERS.map(async (o) => [o, await h.grant(o)] as const));
      const grants = new Map<string, string>(minted);
      const answers: string[] = [];
      const statuses = new Map<number, number>();

      await fc.assert(
        fc.asyncProperty(wireArbitrary, async ({ body, text }) => {
          // Generated bodies are anything: a merchant_uid is used only when there is a string one.
          const uid = (body as { merchant_uid?: unknown } | null | undefined)?.merchant_uid;
          const target = typeof uid === 'string' ? uid : '';
          const grant = grants.get(target) ?? grants.get('FUZZ-CARD')!;
          const cancelsBefore = h.fake.count('cancel');
          const res = await h.app.request('/payments/cancel', {
            method: 'POST',
            headers: {
              Authorization: `Bearer ${grant}`,
              'Content-Type': 'application/json',
              Origin: 'https://shop.example',
            },
            body: text,
          });
          const answer = await res.text();
          answers.push(answer);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          assert.ok(res.status < 500, `a ${res.status} for ${text.slice(0, 200)}: ${answer}`);
          const parsed = (() => {
            try {
              return v.safeParse(CancelRequestSchema, JSON.parse(text)).success;
            } catch {
              return false;
            }
          })();
          if (!parsed) {
            assert.equal(h.fake.count('cancel'), cancelsBefore, `invalid input reached i'mport: ${text.slice(0, 200)}`);
            assert.equal(res.status, 400, `invalid input answered ${res.status}: ${answer}`);
          }
        }),
        { numRuns: RUNS },
      );

      const everything = answers.join('\n') + JSON.stringify(h.logs);
      for (const secret of ['test_imp_secret', GRANT_SECRET, ...grants.values(), '110123456789', '123456789012']) {
        assert.ok(!everything.includes(secret), `a secret leaked: ${secret.slice(0, 10)}…`);
      }
      // The run exercised every kind of outcome, not just one refusal over and over.
      const seen = (status: number) => (statuses.get(status) ?? 0) > 0;
      assert.ok(seen(200) && seen(400) && seen(403), JSON.stringify([...statuses]));
    } finally {
      await h.close();
    }
  });
});
