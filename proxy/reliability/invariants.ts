/**
 * @module The money invariants every reliability test checks after the dust settles: no refund happened twice, none
 * was reported that did not happen, the ledger equals i'mport, and every attempt is in the audit.
 */
import assert from 'node:assert/strict';
import type { FakeIamport } from '../gateways/iamport/fake/fake-iamport.ts';
import type { Store } from '../store/store.ts';

/** What a client saw: the status and body of each refund answer. */
export interface Seen {
  readonly status: number;
  readonly body: Record<string, any>; // answers are asserted field by field
}

export const assertMoneyInvariants = async ({
  fake,
  store,
  impUid,
  merchantUid,
  answers,
  attempts,
}: {
  fake: FakeIamport;
  store: Store;
  impUid: string;
  merchantUid: string;
  /** The final answer for each distinct refund intent (after its retries with the same key). */
  answers: readonly Seen[];
  /** How many refund requests reached the use case (each must be audited). */
  attempts?: number;
}): Promise<void> => {
  const truth = fake.getPayment(impUid);
  assert.ok(truth, "the payment exists at i'mport");
  const reported = answers.filter((a) => a.status === 200).reduce((sum, a) => sum + Number(a.body.refunded), 0);
  // Every refund reported as done happened, and nothing happened that was not reported (or is still being settled).
  assert.equal(truth.cancel_amount, reported, `i'mport refunded ${truth.cancel_amount}, clients were told ${reported}`);
  assert.ok(truth.cancel_amount <= truth.amount, 'never more than was paid');
  assert.equal(
    truth.cancel_history.length,
    answers.filter((a) => a.status === 200).length,
    'one cancellation per reported refund',
  );
  const ledger = await store.getPayment(merchantUid);
  assert.ok(ledger, 'the ledger knows the order');
  assert.equal(ledger.cancel_amount, truth.cancel_amount, "the ledger equals i'mport");
  assert.equal(ledger.cancel_history.length, truth.cancel_history.length);
  const audit = await store.listAttempts(merchantUid);
  if (attempts !== undefined) assert.equal(audit.length, attempts, 'every attempt is in the audit');
  assert.equal(
    audit.filter((a) => a.outcome === 'succeeded').length,
    truth.cancel_history.length,
    'each cancellation is one succeeded attempt',
  );
  assert.ok(
    audit.every((a) => a.outcome !== null),
    'no attempt is left without an outcome',
  );
};
