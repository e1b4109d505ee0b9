// Holder names as banks and customers write them: the same person or company matches, anyone else does not.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskHolderName, normalizeHolderName, sameHolder } from './holder-name.ts';

describe('holder names', () => {
  it('matches one name written with spaces, full-width letters or a middle dot', () => {
    assert.ok(sameHolder('홍길동', '홍 길동'));
    assert.ok(sameHolder('홍길동', '홍길동\u3000'));
    assert.ok(sameHolder('ＫＩＭ ＭＩＮＪＵ', 'kim minju'));
    assert.ok(sameHolder('남궁·민수', '남궁민수'));
  });

  it('matches a company with or without its (주) / ㈜ / 주식회사 form, before or after the name', () => {
    for (const written of [
      '(주)포트원',
      '㈜포트원',
      '주식회사 포트원',
      '포트원(주)',
      '포트원 주식회사',
      '（주）포트원',
    ]) {
      assert.ok(sameHolder(written, '주식회사포트원'), written);
    }
    assert.ok(sameHolder('(유)한빛상사', '유한회사 한빛상사'));
  });

  it('does not match another name, a part of it, or nothing', () => {
    assert.equal(sameHolder('홍길동', '홍길순'), false);
    assert.equal(sameHolder('홍길동', '홍길'), false);
    assert.equal(sameHolder('(주)포트원', '(주)포트원페이'), false);
    assert.equal(sameHolder('', ''), false);
    assert.equal(sameHolder('  ', '(주)'), false);
  });

  it('normalises to one form', () => {
    assert.equal(normalizeHolderName(' ㈜ 포트원 '), '포트원');
    assert.equal(normalizeHolderName('Kim Min-ju'), 'KIMMIN-JU');
  });

  it('masks a name for logs, never showing it whole', () => {
    assert.equal(maskHolderName('홍길동'), '홍*동');
    assert.equal(maskHolderName('남궁민수'), '남**수');
    assert.equal(maskHolderName('이도'), '이*');
    assert.equal(maskHolderName('김'), '*');
    assert.equal(maskHolderName('(주)포트원'), '포*원');
  });
});
