/**
 * @module syncFromWebhook(): what i'mport's notification makes the proxy do. The body is trusted for nothing but the
 * imp_uid: the payment is re-fetched with the proxy's own token, stored, and any attempt left unknown is settled.
 * createWebhookSync() shares one run per payment among notifications within 2 s (i'mport's duplicates, a flood).
 */
import { createCoalescer } from './coalescer.ts';
import type { RefundDeps } from './deps.ts';
import { recordExternalCancels } from './external-cancels.ts';
import { withLease } from './lease.ts';
import { refreshPayment } from './ledger-sync.ts';
import { fail, type SyncOutcome } from './outcome.ts';
import { isUnsettled, settleAttempts } from './settle.ts';

/** Notifications for one payment within this long share one lookup. */
const COALESCE_MS = 2_000;
const COALESCE_MAX_KEYS = 10_000;

const SYNCED: SyncOutcome = { kind: 'synced' };

export const syncFromWebhook = async (deps: RefundDeps, impUid: string): Promise<SyncOutcome> => {
  const fresh = await refreshPayment(deps, impUid);
  if (fresh.kind === 'unavailable') {
    // The detail (hosts, ports, i'mport's text) is for the operator, never for the caller.
    const { detail, reason = null } = fresh;
    deps.log({ level: 'warn', msg: `webhook: ${deps.gateway.label} lookup failed`, imp_uid: impUid, reason, detail });
    return fail('UPSTREAM_UNAVAILABLE', `${deps.gateway.label} could not be reached; try again later.`);
  }
  if (fresh.kind === 'not_found') return fail('PAYMENT_NOT_FOUND');
  const payment = fresh.payment;
  // Only a webhook brings a payment the order is not tied to (a retried checkout, a second attempt): the ledger keeps
  // it beside the order's own (store.upsertPayment), never in its place; the shop hears of it here.
  const tied = await deps.store.tiedImpUid(payment.merchant_uid);
  if (tied !== null && tied !== payment.imp_uid) {
    deps.log({
      level: 'warn',
      msg: 'another payment for an order tied to an earlier one; recorded, not shown',
      merchant_uid: payment.merchant_uid,
      imp_uid: payment.imp_uid,
      tied_imp_uid: tied,
    });
  }
  // Settle attempts left unknown (e.g. by a crash), unless a refund of this order is running right now. The copy is
  // read again under the lease: the one above may predate a cancel that an attempt, finished since, had in flight.
  await withLease({ ...deps, leaseWaitMs: 0 }, `order:${payment.merchant_uid}`, async () => {
    const attempts = await deps.store.listAttempts(payment.merchant_uid);
    if (!attempts.some(isUnsettled)) {
      await recordExternalCancels(deps, payment, attempts);
      return { value: undefined };
    }
    const again = await refreshPayment(deps, impUid);
    if (again.kind === 'ok') {
      await settleAttempts(deps, again.payment, attempts);
      await recordExternalCancels(deps, again.payment, await deps.store.listAttempts(payment.merchant_uid));
    }
    return { value: undefined };
  });
  return SYNCED;
};

/** syncFromWebhook, one run per payment shared by every notification for it within COALESCE_MS. */
export const createWebhookSync = (deps: RefundDeps): ((impUid: string) => Promise<SyncOutcome>) => {
  const coalescer = createCoalescer<SyncOutcome>({ windowMs: COALESCE_MS, maxKeys: COALESCE_MAX_KEYS, now: deps.now });
  return (impUid) => coalescer.run(impUid, () => syncFromWebhook(deps, impUid));
};
