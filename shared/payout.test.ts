import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { banksFor } from './banks.ts';
import { payoutEstimateFor } from './payout.ts';

describe('payoutEstimateFor', () => {
  it('gives 1–2 business days for the PGs that pay refunds into accounts, and 7 or more for Kiwoom Pay', () => {
    assert.deepEqual(payoutEstimateFor('html5_inicis'), { min_business_days: 1, max_business_days: 2 });
    assert.deepEqual(payoutEstimateFor('kcp'), { min_business_days: 1, max_business_days: 2 });
    assert.deepEqual(payoutEstimateFor('daou'), { min_business_days: 7, max_business_days: null });
  });

  it("reads PortOne V2's names of the same PGs (capitals, its own _V2 modules)", () => {
    for (const pg of ['INICIS_V2', 'HTML5_INICIS', 'KCP_V2', 'TOSSPAYMENTS', 'NICE_V2', 'SMARTRO_V2', 'KICC_V2']) {
      assert.deepEqual(payoutEstimateFor(pg), { min_business_days: 1, max_business_days: 2 }, pg);
    }
    assert.deepEqual(payoutEstimateFor('DAOU'), { min_business_days: 7, max_business_days: null });
    assert.equal(payoutEstimateFor('PAYPAL_V2'), null);
  });

  it('says nothing for a PG with no published figure, nor for names that are not PGs', () => {
    for (const pg of ['paypal_v2', 'kakaopay', '', 'toString', '__proto__']) assert.equal(payoutEstimateFor(pg), null);
  });

  it('has a figure for every PG that has a refund bank table, and none for a PG without one', () => {
    for (const pg of ['kcp', 'html5_inicis', 'daou', 'tosspayments', 'nice_v2', 'welcome', 'smartro_v2']) {
      assert.equal(banksFor(pg).length > 0, payoutEstimateFor(pg) !== null, pg);
    }
  });
});
