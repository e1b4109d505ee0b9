/** @module Tests of the fake's refund bank codes: each PG's pinned to iamport-v1.md §5.2, and the proxy's agreeing. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { banksFor } from '../../../../shared/banks.ts';
import { acceptsRefundBank, REFUND_BANK_PGS, refundBankCodesOf } from './refund-banks.ts';

// Each column of the pg-1 table as `KFTC code:the PG's code`, copied by hand from iamport-v1.md §5.2.
const PINNED = {
  kcp:
    '004:BK04 023:BK23 039:BK39 034:BK34 003:BK03 011:BK11 031:BK31 032:BK32 002:BK02 045:BK45 007:BK07 ' +
    '088:BK88 048:BK48 081:BK81 020:BK20 071:BK71 037:BK37 012:BK12 090:BK90 089:BK89 027:BK27 092:BK92',
  inicis:
    '004:04 023:23 039:39 034:34 003:03 011:11 031:31 032:32 002:02 045:45 007:07 ' +
    '088:88 048:48 081:81 020:20 071:71 037:37 012:12 090:90 089:89 027:27 092:92',
  daou: '004:04 023:11 003:03 011:08 032:15 088:10 081:12 005:05 020:09 071:31',
  kftc:
    '004:004 023:023 039:039 034:034 003:003 011:011 031:031 032:032 002:002 045:045 007:007 ' +
    '088:088 048:048 081:081 020:020 071:071 037:037 012:012 090:090 089:089 027:027 092:092',
  nice_v2: '004:004 023:023 034:034 003:003 011:011 031:031 032:032 088:088 081:081 020:020 071:071 089:089',
  welcome: '004:004 039:039 034:034 003:003 031:031 032:032 007:007 088:088 081:081 020:020 037:037 089:089',
} as const;

// The PGs the table names per column; inicis_unified and smartro_v2, newer modules it does not name, are inferred.
const PGS_BY_COLUMN: Readonly<Record<keyof typeof PINNED, readonly string[]>> = {
  kcp: ['kcp'],
  inicis: ['html5_inicis', 'inicis', 'inicis_unified'],
  daou: ['daou'],
  kftc: ['tosspayments', 'uplus', 'danal', 'danal_tpay', 'nice', 'kicc', 'smartro', 'smartro_v2', 'settle'],
  nice_v2: ['nice_v2'],
  welcome: ['welcome'],
};

/** A PG's codes in the pinned notation, sorted. */
const pinnedOf = (column: keyof typeof PINNED) => PINNED[column].split(' ').sort();
const codesOf = (pg: string) => [...refundBankCodesOf(pg)].map(([kftc, code]) => `${kftc}:${code}`).sort();

// Every pg_provider iamport-v1.md §4.2 names: those without a table must have no codes on either side.
const ALL_PGS = [
  'html5_inicis',
  'inicis',
  'inicis_unified',
  'kcp',
  'kcp_billing',
  'kcp_quick',
  'uplus',
  'tosspayments',
  'nice',
  'nice_v2',
  'kicc',
  'kakaopay',
  'danal',
  'danal_tpay',
  'mobilians',
  'payco',
  'paypal',
  'paypal_v2',
  'eximbay',
  'naverpay',
  'naverco',
  'smilepay',
  'daou',
  'paymentwall',
  'tosspay',
  'tosspay_v2',
  'smartro',
  'smartro_v2',
  'settle',
  'settle_acc',
  'ksnet',
  'galaxia',
  'welcome',
  'toss_brandpay',
];

describe("the fake's refund bank codes", () => {
  for (const [column, pgs] of Object.entries(PGS_BY_COLUMN) as [keyof typeof PINNED, readonly string[]][]) {
    for (const pg of pgs) {
      it(`${pg}: the ${column} column of the documented table, bank by bank`, () => {
        assert.deepEqual(codesOf(pg), pinnedOf(column));
      });
    }
  }

  it('knows exactly the PGs the table names (and two newer modules), and no code for any other', () => {
    const named = Object.values(PGS_BY_COLUMN).flat();
    assert.deepEqual([...REFUND_BANK_PGS].sort(), [...named].sort());
    const others = ALL_PGS.filter((pg) => !named.includes(pg));
    for (const pg of others) assert.equal(refundBankCodesOf(pg).size, 0, pg);
  });

  it('takes a code only where its column holds it: Shinhan is BK88 at KCP, 88 at Inicis, 10 at Kiwoom Pay', () => {
    const taken = (pg: string) => ['BK88', '88', '10', '088'].filter((code) => acceptsRefundBank(pg, code));
    const pgs = ['kcp', 'html5_inicis', 'daou', 'settle', 'ksnet'];
    assert.deepEqual(pgs.map(taken), [['BK88'], ['88'], ['10'], ['088'], []]);
  });
});

// The proxy's banks by their English name, as KFTC codes (iamport-v1.md §5.2's KFTC list): the proxy's table says
// which bank a code stands for only by the name a customer picks, so that name is what must match.
const KFTC_BY_NAME_EN: Readonly<Record<string, string>> = {
  'KB Kookmin Bank': '004',
  'Shinhan Bank': '088',
  'Woori Bank': '020',
  'Hana Bank': '081',
  'NongHyup Bank': '011',
  'IBK Industrial Bank': '003',
  KakaoBank: '090',
  'Toss Bank': '092',
  'K Bank': '089',
  'SC First Bank': '023',
  'Citibank Korea': '027',
  'KDB Korea Development Bank': '002',
  'Suhyup Bank': '007',
  'iM Bank (Daegu)': '031',
  'Busan Bank': '032',
  'Kyongnam Bank': '039',
  'Kwangju Bank': '034',
  'Jeonbuk Bank': '037',
  'Korea Post': '071',
  'MG Saemaul Geumgo': '045',
  Shinhyup: '048',
  'Local NongHyup': '012',
};

// i'mport still takes 외환 (KEB)'s old Kiwoom Pay code; the proxy offers Hana once, under 12.
const ONLY_AT_IMPORT: Readonly<Record<string, readonly string[]>> = { daou: ['005:05'] };

describe("the proxy's refund bank codes (shared/banks.ts) against the fake's", () => {
  for (const pg of ALL_PGS) {
    it(`${pg}: the same bank for every code`, () => {
      const proxy = banksFor(pg).map((bank) => {
        const kftc = KFTC_BY_NAME_EN[bank.name_en];
        assert.ok(kftc, `no KFTC code known for the proxy's bank "${bank.name_en}"`);
        return `${kftc}:${bank.code}`;
      });
      const fake = codesOf(pg).filter((entry) => !ONLY_AT_IMPORT[pg]?.includes(entry));
      assert.deepEqual(proxy.sort(), fake);
    });
  }
});
