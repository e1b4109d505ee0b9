/**
 * @module Cancels a gateway applied later than it could still be running them: a refund sent, unanswered, and settled
 * as not made once the gateway's window for it had passed (Gateway.changeMayRunForMs), which the gateway's history
 * shows after all. Such a cancel is the earlier attempt's refund, never money of no one's. lateRefunds() assigns each
 * such attempt the entry it made, one entry to one attempt, judged on that attempt's own payment (an order may have
 * moved to another since). From that one assignment the same request's retry takes the entry as its answer (lateRefund
 * in cancel.ts), and until then it counts against the earlier attempt's grant (grantRemaining), so that no other
 * request, under that grant or another, can take or refund it again.
 */
import type { Gateway } from '../gateways/gateway.ts';
import type { Cancellation, Payment } from '../payments/payment.ts';
import type { Attempt } from '../store/store.ts';
import {
  claimedIds,
  countedBefore,
  entryId,
  findEntryFor,
  isRevokeAttempt,
  notItsOwn,
  sentBy,
  wordless,
} from './cancel-history.ts';
import type { RefundDeps } from './deps.ts';

type Judge = Pick<Gateway, 'changeMayRunForMs' | 'checksumOrdersCancels'>;

/** A late-applied refund: the entry the earlier attempt made, on that attempt's payment. */
export interface LateRefund {
  readonly entry: Cancellation;
  readonly payment: Payment;
}

/** Attempt id → the late refund assigned to it. */
export type LateRefunds = ReadonlyMap<string, LateRefund>;

/**
 * A refund (not a revocation) that got no answer and was settled as not made once the gateway could no longer be
 * running it: ended `failed` that long after it began. One never sent (no token, a refused connection) ends at once.
 */
export const settledUnanswered = (gateway: Judge, attempt: Attempt): boolean =>
  attempt.outcome === 'failed' &&
  attempt.error_code === 'UPSTREAM_UNAVAILABLE' &&
  attempt.cancellation_id === null &&
  !isRevokeAttempt(attempt) &&
  attempt.finished_at !== null &&
  attempt.finished_at - attempt.started_at >= gateway.changeMayRunForMs;

/**
 * A later attempt of the same request took this attempt's late refund as its answer (lateRefund writes it with
 * `late_of`): the refund is counted there, once. A later attempt that sent a refund of its own takes nothing from
 * this one, whose late refund, should the gateway show one, is a second refund and counts as such.
 */
export const takenLater = (attempt: Attempt, attempts: readonly Attempt[]): boolean =>
  attempts.some((b) => b.late_of === attempt.id && b.outcome === 'succeeded');

/**
 * The entries an attempt may take as its late refund, in turn: one in the words it sent (sentBy), then one without
 * words (a gateway that keeps none). Never one in other words (inOtherWords): a console cancel in the staff's words,
 * as settle.ts judges, whatever its amount and time.
 */
const WORDS_RANKS = [sentBy, (_: Pick<Attempt, 'reason'>, e: Cancellation) => wordless(e)] as const;

/**
 * Within each words rank (WORDS_RANKS), an attempt whose call is known to have gone out (it timed out or was answered:
 * `iamport_ms`) before one with no trace of it: stopped mid-call, or never sent at all (the ledger failing just before
 * the send, and again at its end, leaves it unsettled, and a look settles it as not made like any other). Of two such
 * attempts of one amount in the same words, the one that went out takes the cancel that lands.
 */
const SENT_RANKS = [(a: Attempt) => a.iamport_ms !== null, (a: Attempt) => a.iamport_ms === null] as const;

/**
 * Assigns each attempt settled as not made the entry its payment's history shows it made late, if any: one no
 * attempt has taken (nor assigned before it), nor, where the checksum orders cancels, one made before it
 * (notItsOwn), nor one in other words than it sent. `payments`: the copies to judge by, by imp_uid (an attempt on a
 * payment not given is not judged). Every attempt is first given an entry in its own words, then one without words:
 * its own cancel goes to it before another attempt takes it for want of words; and in each, attempts whose call went
 * out first (SENT_RANKS). Ambiguity errs toward counting: a console cancel of the same amount made after such an
 * attempt, in its words or none, is taken as it (the history gives nothing else to tell them apart). Trusting the
 * words, a gateway that kept other words for the proxy's own cancel would have its retry refund again: i'mport and
 * PortOne keep the reason sent (sentBy allows blanks run together and a cut).
 */
export const assignLate = (
  gateway: Judge,
  payments: ReadonlyMap<string, Payment>,
  attempts: readonly Attempt[],
): LateRefunds => {
  const late = new Map<string, LateRefund>();
  const claimed = claimedIds(attempts);
  const judged = attempts.flatMap((attempt) => {
    const payment = attempt.imp_uid === null ? undefined : payments.get(attempt.imp_uid);
    return payment && settledUnanswered(gateway, attempt) && !takenLater(attempt, attempts)
      ? [{ attempt, payment }]
      : [];
  });
  const rounds = WORDS_RANKS.flatMap((ranked) => SENT_RANKS.map((sent) => ({ ranked, sent })));
  for (const { ranked, sent } of rounds) {
    for (const { attempt, payment } of judged) {
      if (late.has(attempt.id) || !sent(attempt)) continue;
      const ruledOut = gateway.checksumOrdersCancels ? [...claimed, ...notItsOwn(attempt, payment)] : claimed;
      const otherRank = payment.cancel_history.filter((e) => !ranked(attempt, e)).map(entryId);
      const entry = findEntryFor(attempt, payment.cancel_history, new Set([...ruledOut, ...otherRank]));
      if (!entry) continue;
      late.set(attempt.id, { entry, payment });
      claimed.add(entryId(entry));
    }
  }
  return late;
};

/**
 * assignLate() over the copies `read` gives of the payments that attempts settled as not made were made on, and
 * `payment` (the order's, as just read) when given, which is then not read again. The ledger's copy (storedCopy) is
 * enough for an earlier payment: an order moves to another only once its own is fully cancelled in the ledger, whose
 * copy then shows every cancel. No read at all when no such attempt exists, which is nearly always.
 */
export const lateRefunds = async (
  deps: Pick<RefundDeps, 'gateway'>,
  attempts: readonly Attempt[],
  read: (impUid: string) => Promise<Payment | null>,
  payment?: Payment,
): Promise<LateRefunds> => {
  const payments = new Map(payment ? [[payment.imp_uid, payment]] : []);
  for (const attempt of attempts) {
    const impUid = attempt.imp_uid;
    if (impUid === null || payments.has(impUid) || !settledUnanswered(deps.gateway, attempt)) continue;
    const copy = await read(impUid);
    if (copy) payments.set(impUid, copy);
  }
  return assignLate(deps.gateway, payments, attempts);
};

const MINUTE = 60_000;

/**
 * For judging an attempt from `payment` (just read), the entries that are earlier attempts' late-applied cancels
 * (assignLate over `attempts`) and so cannot be its own: one the attempt's checksum already counted (countedBefore:
 * by amounts, the ledger had it when the attempt was sent), or one stamped over a minute before the attempt began
 * (the ledger had not read it yet). Not any stamped before it: its own may be stamped a little earlier (whole seconds,
 * two clocks). On a gateway whose checksum does not order cancels (notItsOwn), nothing else tells them apart.
 */
export const lateCancelsOfOthers = (
  gateway: Judge,
  payment: Payment,
  attempts: readonly Attempt[],
): ((attempt: Pick<Attempt, 'checksum' | 'started_at'>) => string[]) => {
  const late = [...assignLate(gateway, new Map([[payment.imp_uid, payment]]), attempts).values()];
  return (attempt) => {
    const counted = countedBefore(attempt, payment);
    return late
      .filter(({ entry }) => counted.has(entryId(entry)) || entry.cancelled_at * 1000 < attempt.started_at - MINUTE)
      .map(({ entry }) => entryId(entry));
  };
};

/** The ledger's copy of another payment of the order, for lateRefunds(). */
export const storedCopy =
  (deps: Pick<RefundDeps, 'store'>) =>
  (impUid: string): Promise<Payment | null> =>
    deps.store.getPaymentByImpUid(impUid);
