/** @module `POST /payments/{paymentId}/cancel`: CancelPaymentResponse `{ cancellation }` or CancelPaymentError. */
import { Hono } from 'hono';
import { forbiddenStore, storeOf } from './auth.ts';
import { applyCancel, checkCancel, checkCancelCount } from './cancel.ts';
import { readCancelBody } from './cancel-body.ts';
import { answerError, refusal } from './errors.ts';
import { paymentNotFound } from './routes-payments.ts';
import { type FakeState, noteFault, stall } from './state.ts';

export const cancelRoutes = (state: FakeState) =>
  new Hono().post('/payments/:paymentId/cancel', async (c) => {
    const read = await readCancelBody(c.req.raw);
    if (!read.ok) return answerError(c, refusal('INVALID_REQUEST', read.message));
    const { body } = read;
    const storeId = storeOf(state, body.storeId);
    if (storeId === undefined) return answerError(c, forbiddenStore());
    const stored = state.payments.get(storeId, c.req.param('paymentId'));
    if (!stored) return answerError(c, paymentNotFound());

    const verdict = checkCancel(stored, body);
    if ('type' in verdict) return answerError(c, verdict);
    const tooMany = checkCancelCount(stored, state.settings.maxCancelCount);
    if (tooMany) return answerError(c, tooMany);

    // From here the PG is asked: the attempt counts whatever it answers.
    stored.attempts += 1;
    if (state.faults.take('cancel', ['stall'])) {
      noteFault(state, c.req.raw, 'stall');
      await stall(state);
    }
    // The PG takes it on and answers nobody: applied when the test says (its key outstanding till then), if the payment
    // still has the amount then; dropped, the PG's refusal is the key's answer.
    if (state.faults.take('cancel', ['apply_later'])) {
      noteFault(state, c.req.raw, 'apply_later');
      if ((await state.late.hold(stored.payment.id, state.now())) === 'drop') {
        const pg = { pgCode: 'FAKE_PG_REFUSED', pgMessage: 'PG사 취소 실패' };
        return answerError(c, refusal('PG_PROVIDER', `PG사에서 오류를 전달했습니다. (${pg.pgMessage})`, pg));
      }
      const late = checkCancel(stored, { ...body, amount: verdict.totalAmount, currentCancellableAmount: undefined });
      if ('type' in late) return answerError(c, late);
      return c.json({ cancellation: structuredClone(applyCancel(state, stored, late, body)) }, 200);
    }
    const pgRefusal = state.faults.take('cancel', ['pg_refusal']);
    if (pgRefusal) {
      noteFault(state, c.req.raw, 'pg_refusal');
      const pg = { pgCode: pgRefusal.pgCode ?? 'FAKE_PG_REFUSED', pgMessage: pgRefusal.pgMessage ?? 'PG사 취소 거절' };
      return answerError(c, refusal('PG_PROVIDER', `PG사에서 오류를 전달했습니다. (${pg.pgMessage})`, pg));
    }
    // Checked again after the PG's wait: a cancel that finished meanwhile may have taken what was left.
    const recheck = checkCancel(stored, body);
    if ('type' in recheck) return answerError(c, recheck);
    return c.json({ cancellation: structuredClone(applyCancel(state, stored, recheck, body)) }, 200);
  });
