/**
 * @module syncFromWebhook(): what i'mport's notification makes the proxy do. The body is trusted for nothing but the
 * imp_uid: the payment is re-fetched with the proxy's own token, stored, and any attempt left unknown is settled.
 * createWebhookSync() shares lookups among notifications for one payment (i'mport's duplicates, a flood), never with
 * one that arrived after the lookup was made.
 */
import type { Payment } from '../payments/payment.ts';
import type { Attempt } from '../store/store.ts';
import { createCoalescer } from './coalescer.ts';
import type { RefundDeps } from './deps.ts';
import { recordExternalCancels } from './external-cancels.ts';
import { LEASE_BUSY, withLease } from './lease.ts';
import { refreshPayment, savePayment } from './ledger-sync.ts';
import { fail, type SyncOutcome } from './outcome.ts';
import { isUnsettled, settleAttempts } from './settle.ts';

const COALESCE_MAX_KEYS = 10_000;

/** Between two waits for an order's lease after a running refund (each waits RefundDeps.leaseWaitMs). */
const LEASE_ROUND_PAUSE_MS = 1000;

const SYNCED: SyncOutcome = { kind: 'synced' };

/** The order's changes as far as the ledger has them: which began, and how each ended so far. */
const changesOf = (attempts: readonly Attempt[]): string => attempts.map((a) => `${a.id}:${a.outcome ?? ''}`).join(' ');

/** The changes of the order a payment belongs to, read before that payment is looked up ('' for a payment not known). */
const changesBefore = async (deps: RefundDeps, impUid: string): Promise<string> => {
  const known = await deps.store.getPaymentByImpUid(impUid);
  return known ? changesOf(await deps.store.listAttempts(known.merchant_uid)) : '';
};

export const syncFromWebhook = async (deps: RefundDeps, impUid: string): Promise<SyncOutcome> => {
  // Read before the lookup: a change of the order made between the lookup and the lease may have left the copy stale.
  const before = await changesBefore(deps, impUid);
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
  // The order's own payment has nothing left at stake now (refunded in full, or failed): another payment of the order
  // may be its money (the paid one beside a duplicate refunded in the console), which findPayment prefers. Looked up
  // by the order once, as a first look does, and stored: the order is tied to it then (tieOrder). PortOne V2 has one
  // payment per id, the order's.
  const spent =
    payment.status === 'failed' || (payment.status === 'cancelled' && payment.cancel_amount >= payment.amount);
  let beside: Payment | null = null;
  if (spent && (tied === null || tied === payment.imp_uid) && deps.gateway.name === 'iamport') {
    const other = await deps.gateway.findPayment(payment.merchant_uid);
    if (
      other.kind === 'ok' &&
      other.payment.imp_uid !== payment.imp_uid &&
      other.payment.merchant_uid === payment.merchant_uid
    ) {
      await savePayment(deps, other.payment);
      beside = other.payment;
    }
  }
  // Settle attempts left unknown (e.g. by a crash) and tell of cancels made elsewhere, under the order's lease. The copy
  // is read again under it: the one above may predate a cancel that an attempt, finished since, had in flight. The
  // payment found beside it may be the ledger's first copy of it, showing cancels made in the console whose own
  // webhooks never came: told as a first read tells them (view.ts firstLoad), once however often it is read.
  const name = `order:${payment.merchant_uid}`;
  const done = await withLease({ ...deps, leaseWaitMs: 0 }, name, async () => {
    const settled = await settleAndTell(deps, payment, impUid, before);
    if (beside) await recordExternalCancels(deps, beside, () => deps.store.listAttempts(payment.merchant_uid));
    return settled;
  });
  if (done === LEASE_BUSY) {
    // The payment beside it is read again (and its cancels told) by the order's next look, once the refund has ended.
    if (beside) await deps.store.markNeedsSync(beside.imp_uid, deps.now());
    // A refund of this order is running: what this notification tells of (a cancel in i'mport's console, say) is
    // judged once it has ended, against its outcome. i'mport has its answer meanwhile; the wait goes on after it. The
    // copy stored above cleared the row's mark the running refund had set: marked again, so meanwhile the view says the
    // outcome is being checked, never the order refundable as it stood before that refund.
    await deps.store.markNeedsSync(impUid, deps.now());
    deps.background.keep(afterTheRefund(deps, name, impUid));
  }
  return SYNCED;
};

/**
 * `before`: the order's changes as the ledger had them before `payment` was read from the gateway, when it was read
 * outside the lease. A change made since (a refund of the order that ran between that lookup and this lease) may have
 * made the copy stale, and it was stored all the same: the store keeps a stale copy out only by its cancel_amount,
 * which a revocation leaves as it was (a copy read before one brought the account back to `ready`, revocable). The
 * payment is then read again under the lease, as for an attempt left unsettled, and that copy stored over it.
 */
const settleAndTell = async (deps: RefundDeps, payment: Payment, impUid: string, before?: string) => {
  const attempts = await deps.store.listAttempts(payment.merchant_uid);
  const stale = before !== undefined && changesOf(attempts) !== before;
  if (!stale && !attempts.some(isUnsettled)) {
    await recordExternalCancels(deps, payment, attempts);
    return { value: undefined };
  }
  // The copy stored by the first lookup cleared the row's mark, yet an attempt is still unsettled (or that copy may be
  // stale): marked again before the second lookup (which may take the gateway's whole timeout), so meanwhile the view
  // says the outcome is being checked rather than showing the order refundable, and so it stays marked should that
  // lookup fail. A copy it stores clears the mark, and settleAttempts sets it again while an attempt stays open.
  await deps.store.markNeedsSync(impUid, deps.now());
  const again = await refreshPayment(deps, impUid);
  if (again.kind === 'ok') {
    await settleAttempts(deps, again.payment, attempts);
    await recordExternalCancels(deps, again.payment, await deps.store.listAttempts(payment.merchant_uid));
  }
  return { value: undefined };
};

/**
 * The notification's work once the order's running refund has let go of it (waiting as a refund waits for another),
 * on a fresh copy. A refund may hold its order longer than one such wait (a gateway's timeout, PortOne's 60 s, and the
 * lookup after a lost answer): the wait is taken again, until the gateway could no longer be running that refund
 * (Gateway.changeMayRunForMs), or nothing but the row's mark would tell of a cancel made elsewhere meanwhile, and no
 * one may look at the order again. Should it still fail, the payment is marked for its next reader to re-read and
 * judge.
 */
const afterTheRefund = async (deps: RefundDeps, name: string, impUid: string): Promise<void> => {
  try {
    const until = deps.now() + deps.gateway.changeMayRunForMs;
    const work = async () => {
      const fresh = await refreshPayment(deps, impUid);
      return fresh.kind === 'ok' ? settleAndTell(deps, fresh.payment, impUid) : { value: 'unread' as const };
    };
    let done = await withLease(deps, name, work);
    // Not past the process's end, nor (Workers) the request's time for its work: the row stays marked for its next reader.
    while (done === LEASE_BUSY && deps.now() < until && !deps.background.stopping?.()) {
      await deps.sleep(LEASE_ROUND_PAUSE_MS);
      done = await withLease(deps, name, work);
    }
    if (done === undefined) return;
    deps.log({
      level: 'warn',
      msg: 'webhook: the order stayed busy or unreadable; marked for a re-read',
      imp_uid: impUid,
    });
  } catch (error) {
    deps.log({
      level: 'warn',
      msg: 'webhook: the work after a running refund failed',
      imp_uid: impUid,
      error: String(error),
    });
  }
  await deps.store.markNeedsSync(impUid, deps.now()).catch(() => undefined);
};

/**
 * syncFromWebhook, one run per payment at a time: notifications that arrive while one runs share the next, which
 * starts once it has ended (so it reads i'mport after every one of them was sent).
 */
export const createWebhookSync = (deps: RefundDeps): ((impUid: string) => Promise<SyncOutcome>) => {
  const coalescer = createCoalescer<SyncOutcome>({ maxKeys: COALESCE_MAX_KEYS });
  return (impUid) => coalescer.run(impUid, () => syncFromWebhook(deps, impUid));
};
