/**
 * @module The money invariants every reliability test checks after the dust settles: no refund happened twice, none
 * was reported that did not happen, the ledger equals the gateway, and every attempt is in the audit. Gateway-neutral:
 * the gateway's side is what it holds for the order (gateways.ts), from either fake.
 */
import assert from 'node:assert/strict';
import type { Store } from '../store/store.ts';
import type { Held } from './gateways.ts';

/** What a client saw: the status and body of each refund answer. */
export interface Seen {
  readonly status: number;
  readonly body: Record<string, any>; // answers are asserted field by field
}

export const assertMoneyInvariants = async ({
  held,
  store,
  merchantUid,
  answers,
  attempts,
}: {
  /** What the gateway holds for the order now. */
  held: Held;
  store: Store;
  merchantUid: string;
  /** The final answer for each distinct refund intent (after its retries with the same key). */
  answers: readonly Seen[];
  /** How many refund requests reached the use case (each must be audited). */
  attempts?: number;
}): Promise<void> => {
  const reported = answers.filter((a) => a.status === 200).reduce((sum, a) => sum + Number(a.body.refunded), 0);
  // Every refund reported as done happened, and nothing happened that was not reported (or is still being settled).
  assert.equal(held.refunded, reported, `the gateway refunded ${held.refunded}, clients were told ${reported}`);
  assert.ok(held.refunded <= held.paid, 'never more than was paid');
  assert.equal(
    held.cancellations,
    answers.filter((a) => a.status === 200).length,
    'one cancellation per reported refund',
  );
  const ledger = await store.getPayment(merchantUid);
  assert.ok(ledger, 'the ledger knows the order');
  assert.equal(ledger.cancel_amount, held.refunded, 'the ledger equals the gateway');
  assert.equal(ledger.cancel_history.length, held.cancellations);
  const audit = await store.listAttempts(merchantUid);
  if (attempts !== undefined) assert.equal(audit.length, attempts, 'every attempt is in the audit');
  assert.equal(
    audit.filter((a) => a.outcome === 'succeeded').length,
    held.cancellations,
    'each cancellation is one succeeded attempt',
  );
  assert.ok(
    audit.every((a) => a.outcome !== null),
    'no attempt is left without an outcome',
  );
};
