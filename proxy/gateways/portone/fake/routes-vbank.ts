/**
 * @module `POST /payments/{paymentId}/virtual-account/close` (operation closeVirtualAccount, 가상계좌 말소):
 * CloseVirtualAccountResponse `{ closedAt }`, or CloseVirtualAccountError. A closed account counts as a failed payment
 * afterwards (PortOne release note of 2024-01-25).
 */
import { Hono } from 'hono';
import { forbiddenStore, storeOf } from './auth.ts';
import { answerError, refusal } from './errors.ts';
import { paymentNotFound } from './routes-payments.ts';
import { type FakeState, noteFault, stall } from './state.ts';

export const vbankRoutes = (state: FakeState) =>
  new Hono().post('/payments/:paymentId/virtual-account/close', async (c) => {
    const storeId = storeOf(state, c.req.query('storeId'));
    if (storeId === undefined) return answerError(c, forbiddenStore());
    const stored = state.payments.get(storeId, c.req.param('paymentId'));
    if (!stored) return answerError(c, paymentNotFound());
    const notWaiting = () => refusal('PAYMENT_NOT_WAITING_FOR_DEPOSIT', '결제 건이 입금 대기 상태가 아닙니다.');
    if (stored.payment.status !== 'VIRTUAL_ACCOUNT_ISSUED') return answerError(c, notWaiting());

    if (state.faults.take('close', ['stall'])) {
      noteFault(state, c.req.raw, 'stall');
      await stall(state);
    }
    const pgRefusal = state.faults.take('close', ['pg_refusal']);
    if (pgRefusal) {
      noteFault(state, c.req.raw, 'pg_refusal');
      const pg = { pgCode: pgRefusal.pgCode ?? 'FAKE_PG_REFUSED', pgMessage: pgRefusal.pgMessage ?? 'PG사 말소 거절' };
      return answerError(c, refusal('PG_PROVIDER', `PG사에서 오류를 전달했습니다. (${pg.pgMessage})`, pg));
    }
    // A deposit may have arrived while the PG was asked.
    if (stored.payment.status !== 'VIRTUAL_ACCOUNT_ISSUED') return answerError(c, notWaiting());

    const closedAt = state.iso();
    Object.assign(stored.payment, {
      status: 'FAILED',
      failedAt: closedAt,
      failure: { reason: '가상계좌 말소' },
      updatedAt: closedAt,
      statusChangedAt: closedAt,
    });
    return c.json({ closedAt }, 200);
  });
