// Two keys' refunds of one amount, each taken on by the PG, answered to nobody and settled as not made past its
// window; then the PG applies or refuses each, late. Amounts and times are all the gateway's copy tells, so which key's
// refund a late cancel is can be read wrong (the earliest it can be); PortOne V2 replays each key's first answer. In
// every order of the keys' retries (and a third key's new refund of the same amount), with a look at the order before
// them or not, on both gateways: a customer told refunded was, the audit holds each cancellation once and counts what
// the gateway refunded, and the shop hears of each cancellation once. (The case that found a bug is
// replayed-unheld.test.ts; this is the neighbourhood around it.)
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { LateOutcome } from '../gateways/fake-kit/late-cancels.ts';
import { sumOf } from '../payments/money.ts';
import { type Harness, WEBHOOKS_ANSWERED } from '../test-support/harness.ts';
import { GATEWAYS, type Running, refundVia } from './gateways.ts';

const MINUTE = 60_000;
const ORDER = 'TWINS-1';
const KEYS = { k0: 'key-zero-000000000', k1: 'key-one-0000000001', k2: 'key-two-0000000002' } as const;
type Key = keyof typeof KEYS;

let h: Harness | undefined;
afterEach(async () => h?.close());

interface Answer {
  readonly key: string;
  readonly status: number;
  readonly code: string | undefined;
}

const refund = (g: Running, key: string): Promise<Answer> => refundVia(g, ORDER, key);

const CASES: {
  readonly outcomes: readonly [LateOutcome, LateOutcome];
  readonly look: boolean;
  readonly order: Key[];
}[] = [];
for (const outcomes of [
  ['drop', 'apply'],
  ['apply', 'drop'],
  ['apply', 'apply'],
] as const)
  for (const look of [true, false])
    for (const order of [
      ['k1', 'k0'],
      ['k0', 'k1'],
      ['k2', 'k1', 'k0'],
      ['k1', 'k2', 'k0'],
    ] as Key[][])
      CASES.push({ outcomes, look, order });

for (const gateway of GATEWAYS)
  describe(`two held refunds of one amount, settled as not made, then landing late or refused, on ${gateway.label}`, () => {
    for (const { outcomes, look, order } of CASES)
      it(`${outcomes.join(' then ')}, ${look ? 'a look, then ' : ''}${order.join(', ')}`, async () => {
        const g = await gateway.start({ ...WEBHOOKS_ANSWERED, timeoutMs: 200 });
        h = g.h;
        g.addPayment(ORDER, 10_000);
        const answers: Answer[] = [];
        for (const key of [KEYS.k0, KEYS.k1]) {
          g.inject({ kind: 'apply_later' });
          answers.push(await refund(g, key));
          g.h.clock.advance(11 * MINUTE);
          await g.h.view(ORDER);
        }
        assert.deepEqual(
          answers.map((a) => a.code),
          ['REFUND_OUTCOME_UNKNOWN', 'REFUND_OUTCOME_UNKNOWN'],
        );
        for (const [i, at] of g.heldLate(ORDER).entries()) await g.settleLate(ORDER, (x) => x === at, outcomes[i]!);
        if (look) await g.h.view(ORDER);
        for (const key of order) answers.push(await refund(g, KEYS[key]));
        // A customer told the balance changed reads it again and asks anew (the widget does, with a new key).
        for (const a of answers.filter((x) => x.code === 'CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN'))
          answers.push(await refund(g, `${a.key}-anew`));
        g.h.clock.advance(11 * MINUTE);
        await g.h.view(ORDER);
        await g.h.settled();

        const refunded = g.held(ORDER).refunded;
        const said = answers.map((a) => `${a.key.slice(0, 8)} ${a.status}${a.code ? ` ${a.code}` : ''}`).join('; ');
        const attempts = await g.h.store.listAttempts(ORDER);
        const refunds = attempts.filter((a) => a.outcome === 'succeeded');
        assert.equal(sumOf(refunds.map((a) => a.refunded ?? 0)), refunded, `the audit counts the gateway's (${said})`);
        const ids = refunds.map((a) => a.cancellation_id);
        assert.ok(!ids.includes(null), 'each refund holds its cancellation');
        assert.equal(new Set(ids).size, ids.length, 'no cancellation held twice');
        const told = answers.filter((a) => a.status === 200);
        assert.ok(told.length * 3000 <= refunded, `every customer told refunded was (${said}; refunded ${refunded})`);
        for (const a of told)
          assert.ok(
            refunds.some((r) => r.idempotency_key === a.key),
            `${a.key}: told refunded, no refund of its own`,
          );
        const events = await g.h.store.listOrderEvents(ORDER);
        const cancels = events.filter(
          (e) => e.type === 'refund.succeeded' || e.type === 'payment.cancelled_externally',
        );
        assert.equal(sumOf(cancels.map((e) => Number(e.data.amount))), refunded, 'the shop told of each cancel once');
      });
  });
