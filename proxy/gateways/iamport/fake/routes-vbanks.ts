/** @module `DELETE /vbanks/:imp_uid`: revokes an unpaid virtual account (404 unknown, 400 not a ready vbank). */
import { Hono } from 'hono';
import { REVOKING_PGS } from '../revoking-pgs.ts';
import { failure, MESSAGES, success } from './envelope.ts';
import { type FakeState, noteFault } from './state.ts';

export const vbankRoutes = (state: FakeState) =>
  new Hono().delete('/vbanks/:imp_uid', (c) => {
    const payment = state.payments.get(c.req.param('imp_uid'));
    if (!payment) return failure(c, 404, MESSAGES.paymentNotFound);
    if (payment.pay_method !== 'vbank') return failure(c, 400, '가상계좌 결제건이 아닙니다.');
    if (payment.status !== 'ready') return failure(c, 400, '입금대기(ready) 상태의 가상계좌가 아닙니다.');
    // The kit names neither the status nor the words of these two refusals: a 400, as for any parameter (§2.2).
    if (!REVOKING_PGS.has(payment.pg_provider)) return failure(c, 400, '가상계좌 발급취소를 지원하지 않는 PG사입니다.');
    if (payment.pg_provider === 'html5_inicis' && !c.req.query('pg_api_key')) {
      return failure(c, 400, 'pg_api_key 파라메터가 누락되었습니다.');
    }
    const injected = state.faults.take('vbank', ['pg_refusal']);
    if (injected) noteFault(state, c.req.raw, 'pg_refusal');
    const refused = injected?.kind === 'pg_refusal' && failure(c, 200, injected.message ?? 'PG사 발급취소 거절', -1);
    if (refused && !injected.applied) return refused;
    // A revoked account shows as failed ("계좌말소") in the console (§4.2); 'failed' is the likeliest API status.
    payment.status = 'failed';
    payment.failed_at = state.nowSec();
    payment.fail_reason = '가상계좌 발급 취소';
    return refused || success(c, payment);
  });
