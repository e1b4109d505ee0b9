// i'mport V1 behind the seam: the neutral cancel command written as V1's cancel body (the rest of V1's behaviour is
// held by the proxy's suites, which run over this gateway).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Payment } from '../../payments/payment.ts';
import type { CancelCommand } from '../gateway.ts';
import { toCancelParams } from './gateway.ts';

const payment: Payment = {
  imp_uid: 'imp_123456789012',
  merchant_uid: 'ORD-1',
  pay_method: 'vbank',
  pg_provider: 'smartro_v2',
  name: null,
  amount: 20000,
  cancel_amount: 5000,
  currency: 'KRW',
  status: 'paid',
  paid_at: 1_767_225_600,
  receipt_url: null,
  cancel_history: [],
};

const command: CancelCommand = {
  payment,
  amount: 15000,
  all: true,
  checksum: 15000,
  reason: '단순 변심',
  requester: 'admin',
  idempotencyKey: 'key-1',
  attemptId: 'attempt-1',
};

describe("createIamportGateway's cancel body", () => {
  it('sends imp_uid, amount, checksum, reason and who asked (extra.requester), and nothing V1 has no field for', () => {
    assert.deepEqual(toCancelParams(command), {
      imp_uid: 'imp_123456789012',
      amount: 15000,
      checksum: 15000,
      reason: '단순 변심',
      extra: { requester: 'admin' },
    });
  });

  it("writes the refund account as V1's refund_* fields, and the tax split as tax_free and vat_amount when given", () => {
    const params = toCancelParams({
      ...command,
      refundAccount: { bank: '088', number: '110123456789', holder: '홍길동', tel: '01012345678' },
      taxFree: 3000,
      vat: 1000,
    });
    assert.deepEqual(params, {
      imp_uid: 'imp_123456789012',
      amount: 15000,
      checksum: 15000,
      reason: '단순 변심',
      tax_free: 3000,
      vat_amount: 1000,
      refund_holder: '홍길동',
      refund_bank: '088',
      refund_account: '110123456789',
      refund_tel: '01012345678',
      extra: { requester: 'admin' },
    });
  });
});
