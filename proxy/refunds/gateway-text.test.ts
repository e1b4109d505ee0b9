import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskNumbers } from './gateway-text.ts';

describe('maskNumbers', () => {
  it('masks an account or card number a gateway echoes, keeping its last four digits, and leaves amounts', () => {
    assert.equal(maskNumbers('환불계좌 11012345678901 예금주 불일치'), '환불계좌 ****8901 예금주 불일치');
    assert.equal(maskNumbers('account 110-1234-5678901 refused'), 'account ****8901 refused');
    assert.equal(maskNumbers('acct 110.123.456789'), 'acct ****6789');
    assert.equal(maskNumbers('card 4111-1111-1111-1111'), 'card ****1111');
    assert.equal(maskNumbers('계좌 ０１２３４５６７８９０'), '계좌 ****7890');
    assert.equal(
      maskNumbers('취소가능금액(10000) 초과, 요청 1,000,000원'),
      '취소가능금액(10000) 초과, 요청 1,000,000원',
    );
    assert.equal(maskNumbers('at 2026-12-04 12:30:45, code -1'), 'at 2026-12-04 12:30:45, code -1');
    assert.equal(maskNumbers(''), '');
  });

  it('masks the account the refund sent however the gateway wrote it, a short one too', () => {
    assert.equal(maskNumbers('계좌 110 123 456789 예금주 불일치', '110123456789'), '계좌 ****6789 예금주 불일치');
    assert.equal(maskNumbers('acct 1234 5678 (holder)', '12345678'), 'acct ****5678 (holder)');
    assert.equal(maskNumbers('acct １２３４５６７８', '12345678'), 'acct ****5678');
    assert.equal(maskNumbers('no account here, 1234', '12345678'), 'no account here, 1234');
  });
});
