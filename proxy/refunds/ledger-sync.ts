/** @module Keeping the ledger's copy of a payment in step with i'mport: first load, re-fetch, and safe writes. */
import type { LookupResult, Unavailable } from '../gateways/gateway.ts';
import type { Payment } from '../payments/payment.ts';
import type { StoredPayment } from '../store/store.ts';
import type { RefundDeps } from './deps.ts';

export type Loaded =
  | { readonly kind: 'ok'; readonly payment: Payment }
  | { readonly kind: 'not_found' }
  | { readonly kind: 'unavailable'; readonly detail: string; readonly reason?: Unavailable['reason'] };

/** Stores what i'mport said and returns the row as the ledger now holds it (never behind what it held before). */
export const savePayment = (deps: Pick<RefundDeps, 'store' | 'now'>, payment: Payment): Promise<StoredPayment> =>
  deps.store.upsertPayment(payment, deps.now());

/**
 * Like savePayment, for use after money moved: a failed write is logged, never allowed to hide the refund. A cancel the
 * gateway still has unfinished beside this one (another refund it accepted) keeps the row marked and stays on the
 * payment returned, so the answer's balance leaves it out, as a lookup's would (fromLookup).
 */
export const savePaymentAfterRefund = async (
  deps: Pick<RefundDeps, 'store' | 'now' | 'log'>,
  payment: Payment,
): Promise<Payment> => {
  try {
    const saved = await savePayment(deps, payment);
    const pending = payment.cancels_pending;
    if (!pending?.length) return saved;
    await deps.store.markNeedsSync(saved.imp_uid, deps.now());
    return { ...saved, cancels_pending: pending };
  } catch (error) {
    // The next request re-reads i'mport (checksum mismatch or needs_sync), so the ledger still converges.
    deps.log({
      level: 'error',
      msg: 'ledger write failed after a refund',
      imp_uid: payment.imp_uid,
      error: String(error),
    });
    return payment;
  }
};

const fromLookup = async (
  deps: Pick<RefundDeps, 'store' | 'now'>,
  result: LookupResult,
  merchantUid?: string,
): Promise<Loaded> => {
  if (result.kind === 'not_found') return { kind: 'not_found' };
  // Never stored: an `inconsistent` payment (more cancelled than paid) included, so the ledger keeps its last sane
  // copy.
  if (result.kind === 'unavailable') return { kind: 'unavailable', detail: result.detail, reason: result.reason };
  // Never let a lookup for one order bind another order's payment.
  if (merchantUid !== undefined && result.payment.merchant_uid !== merchantUid) return { kind: 'not_found' };
  const saved = await savePayment(deps, result.payment);
  // What the gateway has not finished (or could not) is not stored, but is what this fresh read says to whoever settles
  // attempts; while something is unfinished the row stays marked, so every look at the order asks the gateway again.
  const { cancels_pending: pending, cancels_failed: failed } = result.payment;
  const fresh = failed?.length ? { ...saved, cancels_failed: failed } : saved;
  if (!pending?.length) return { kind: 'ok', payment: fresh };
  await deps.store.markNeedsSync(saved.imp_uid, deps.now());
  return { kind: 'ok', payment: { ...fresh, cancels_pending: pending } };
};

/**
 * Re-fetches a payment by imp_uid and stores it. When i'mport shows it inconsistent (more cancelled than paid), the
 * ledger's row is marked to be re-read before any use, so no refund runs from it until i'mport's figures are sane.
 */
export const refreshPayment = async (
  deps: Pick<RefundDeps, 'store' | 'now' | 'gateway'>,
  impUid: string,
): Promise<Loaded> => {
  const result = await deps.gateway.getPayment(impUid);
  if (result.kind === 'unavailable' && result.reason === 'inconsistent')
    await deps.store.markNeedsSync(impUid, deps.now());
  return fromLookup(deps, result);
};

/**
 * The ledger's payment for an order. An order not yet known is looked up at i'mport by merchant_uid and stored;
 * a row flagged needs_sync is re-fetched first (the view decides itself what a marked row means when i'mport is down).
 */
export const loadPayment = async (
  deps: Pick<RefundDeps, 'store' | 'now' | 'gateway'>,
  merchantUid: string,
  { read }: { read?: StoredPayment | null } = {},
): Promise<Loaded> => {
  // `read`: the row, when the caller already read it alongside other statements.
  const stored = read === undefined ? await deps.store.getPayment(merchantUid) : read;
  // An unpaid virtual account may have been paid since, and i'mport sends its one webhook of that once (iamport-v1.md
  // §6): asked again before anything says it is unpaid; i'mport unreachable, the ledger's copy stands (a revocation is
  // still refused by i'mport for a paid account).
  if (stored && !stored.needs_sync && stored.pay_method === 'vbank' && stored.status === 'ready') {
    const fresh = await refreshPayment(deps, stored.imp_uid);
    return fresh.kind === 'unavailable' && fresh.reason !== 'inconsistent' ? { kind: 'ok', payment: stored } : fresh;
  }
  if (stored && !stored.needs_sync) return { kind: 'ok', payment: stored };
  if (stored) return refreshPayment(deps, stored.imp_uid);
  return fromLookup(deps, await deps.gateway.findPayment(merchantUid), merchantUid);
};
