/** @module `POST /payments/cancel`: business failures are HTTP 200 with a non-zero code; only success changes state. */
import { Hono } from 'hono';
import { readBody } from './body.ts';
import { applyCancel, checkAtIamport, findCancelTarget, pgRefusal, readCancelRequest } from './cancel.ts';
import { failure, MESSAGES, pgRefusalMessage, success } from './envelope.ts';
import type { FakePayment } from './payment-schema.ts';
import { type FakeState, noteFault } from './state.ts';

export const cancelRoutes = (state: FakeState) =>
  new Hono().post('/payments/cancel', async (c) => {
    const body = await readBody(c.req.raw);
    if (!body.ok) return failure(c, 400, '요청 본문을 해석할 수 없습니다.');
    const request = readCancelRequest(body.fields);
    const payment = findCancelTarget(state.payments, request);
    if (!payment) return failure(c, 200, MESSAGES.cancelNotFound, 1);

    const verdict = checkAtIamport(payment, request);
    if (!verdict.ok) return failure(c, 200, verdict.message, verdict.code);

    // The PG takes it on and answers nobody: applied when the test says, if the payment still has the amount then.
    if (state.faults.take('cancel', ['apply_later'])) {
      noteFault(state, c.req.raw, 'apply_later');
      if ((await state.late.hold(payment.imp_uid, state.now())) === 'drop')
        return failure(c, 200, pgRefusalMessage('PG사 취소 실패'), -1);
      const still = checkAtIamport(payment, { ...request, amount: verdict.amount, checksum: undefined });
      if (!still.ok) return failure(c, 200, still.message, still.code);
      applyCancel(payment, verdict.amount, request, state.nowSec());
      return success(c, payment);
    }
    // An injected refusal stands in for the PG, so it is only used up by a cancel that got as far as the PG.
    const injected = state.faults.take('cancel', ['pg_refusal']);
    if (injected) noteFault(state, c.req.raw, 'pg_refusal');
    const refusal = injected
      ? (injected.message ?? 'PG사 취소 거절')
      : pgRefusal(payment, request, state.nowSec(), state.taxFree.get(payment.imp_uid));
    // A PG may make the cancel and still answer no: the payment shows it, the answer does not.
    if (injected?.kind === 'pg_refusal' && injected.applied)
      applyCancel(payment, verdict.amount, request, state.nowSec());
    if (refusal !== undefined) return failure(c, 200, pgRefusalMessage(refusal), -1);

    // PayPal (or a Smartro virtual account's PG) approves later: i'mport answers code 0 with the payment as it stands.
    if (state.awaitingApproval && approvesLater(payment)) {
      state.awaitingApproval.push({ imp_uid: payment.imp_uid, amount: verdict.amount, request, at: state.now() });
      return success(c, payment);
    }
    applyCancel(payment, verdict.amount, request, state.nowSec());
    return success(c, payment);
  });

/** The PGs that take a cancel and approve it later (iamport-v1.md §3.2, §3.4). */
const approvesLater = (payment: FakePayment): boolean =>
  /^paypal/.test(payment.pg_provider) || (payment.pg_provider === 'smartro_v2' && payment.pay_method === 'vbank');

/**
 * The PG deciding the oldest cancel of `impUid` awaiting its approval: approved, it shows on the payment (`cancelled`,
 * with the cancel's entry) if the balance still has its amount; refused, nothing shows. Whether there was one.
 */
export const pgDecides = (state: FakeState, impUid: string, approve: boolean): boolean => {
  const list = state.awaitingApproval ?? [];
  const index = list.findIndex((x) => x.imp_uid === impUid);
  const waiting = list[index];
  const payment = state.payments.get(impUid);
  if (!waiting || !payment) return false;
  list.splice(index, 1);
  if (!approve) return true;
  const still = checkAtIamport(payment, { ...waiting.request, amount: waiting.amount, checksum: undefined });
  if (still.ok) applyCancel(payment, waiting.amount, waiting.request, state.nowSec());
  return true;
};
