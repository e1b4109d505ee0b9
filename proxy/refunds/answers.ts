/**
 * @module toAnswer(): a refund's outcome as the HTTP answer, the one rendering used by the route and for the answer
 * stored for an Idempotency-Key (so a replay is what was sent).
 */
import type { CancelSuccess, ErrorAnswer } from '../../shared/schemas/answers.ts';
import { type Answer, failure } from '../errors.ts';
import type { Cancellation, Payment } from '../payments/payment.ts';
import { requestView } from '../requests/shapes.ts';
import type { CancelOutcome, Failure } from './outcome.ts';
import { refundableNow } from './rules.ts';

const successBody = (
  p: Payment,
  refunded: number,
  entry: Cancellation | undefined,
  revoked: boolean,
  accepted = false,
): CancelSuccess => ({
  ok: true,
  merchant_uid: p.merchant_uid,
  imp_uid: p.imp_uid,
  refunded,
  cancel_amount: p.cancel_amount,
  cancelable_amount: revoked ? 0 : refundableNow(p),
  status: p.status,
  pay_method: p.pay_method,
  // A virtual-account refund is a transfer the PG makes on the next business day; an accepted one finishes later.
  pending: accepted || (p.pay_method === 'vbank' && !revoked),
  ...(accepted ? { accepted: true } : {}),
  ...(revoked ? { revoked: true } : {}),
  ...(entry?.receipt_url ? { receipt_url: entry.receipt_url } : {}),
});

export const toAnswer = (outcome: CancelOutcome): Answer<CancelSuccess | ErrorAnswer> => {
  switch (outcome.kind) {
    case 'refunded':
      return {
        status: 200,
        body: successBody(outcome.payment, outcome.refunded, outcome.entry, false, outcome.accepted === true),
      };
    case 'revoked':
      return { status: 200, body: successBody(outcome.payment, 0, undefined, true) };
    case 'replayed':
      return outcome.answer;
    case 'failed':
      return failureAnswer(outcome);
  }
};

/**
 * A failure as every route answers it: the code and message, the fresh balance where there is one (a stale checksum,
 * an amount over it), and the customer's view of the request it is about (the order's open one, say).
 */
export const failureAnswer = (outcome: Failure): Answer<ErrorAnswer> => {
  const { code, message, cancelable_amount, request } = outcome;
  const answer = failure(code, message, cancelable_amount === undefined ? {} : { cancelable_amount });
  if (!request) return answer;
  const body: ErrorAnswer & { request: unknown } = { ...answer.body, request: requestView(request) };
  return { status: answer.status, body };
};
