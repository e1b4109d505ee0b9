/**
 * @module Banks a refund can be paid into, and the code each PG expects in `refund_bank`.
 * The same bank has a different code per PG (Shinhan is BK88 at NHN KCP, 88 at KG Inicis, 10 at Kiwoom Pay,
 * 088 at the KFTC-code PGs), so a code is only meaningful together with the payment's `pg_provider`.
 */

/** A group of PGs that share one table of refund bank codes. */
export type BankCodeFamily = 'kcp' | 'inicis' | 'daou' | 'kftc' | 'nice_v2' | 'welcome';

/** A bank as the widget lists it. */
export interface Bank {
  readonly code: string;
  readonly name_ko: string;
  readonly name_en: string;
}

type Row = readonly [id: string, nameKo: string, nameEn: string, codes: Partial<Record<BankCodeFamily, string>>];

// From PortOne's per-PG bank code table (code-info/pg-1). A missing family means that PG cannot refund into the bank.
const ROWS: readonly Row[] = [
  [
    'KOOKMIN',
    'KB국민은행',
    'KB Kookmin Bank',
    { kcp: 'BK04', inicis: '04', daou: '04', kftc: '004', nice_v2: '004', welcome: '004' },
  ],
  [
    'SHINHAN',
    '신한은행',
    'Shinhan Bank',
    { kcp: 'BK88', inicis: '88', daou: '10', kftc: '088', nice_v2: '088', welcome: '088' },
  ],
  [
    'WOORI',
    '우리은행',
    'Woori Bank',
    { kcp: 'BK20', inicis: '20', daou: '09', kftc: '020', nice_v2: '020', welcome: '020' },
  ],
  [
    'HANA',
    '하나은행',
    'Hana Bank',
    { kcp: 'BK81', inicis: '81', daou: '12', kftc: '081', nice_v2: '081', welcome: '081' },
  ],
  ['NONGHYUP', 'NH농협은행', 'NongHyup Bank', { kcp: 'BK11', inicis: '11', daou: '08', kftc: '011', nice_v2: '011' }],
  [
    'IBK',
    'IBK기업은행',
    'IBK Industrial Bank',
    { kcp: 'BK03', inicis: '03', daou: '03', kftc: '003', nice_v2: '003', welcome: '003' },
  ],
  ['KAKAO', '카카오뱅크', 'KakaoBank', { kcp: 'BK90', inicis: '90', kftc: '090' }],
  ['TOSS', '토스뱅크', 'Toss Bank', { kcp: 'BK92', inicis: '92', kftc: '092' }],
  ['K_BANK', '케이뱅크', 'K Bank', { kcp: 'BK89', inicis: '89', kftc: '089', nice_v2: '089', welcome: '089' }],
  [
    'STANDARD_CHARTERED',
    'SC제일은행',
    'SC First Bank',
    { kcp: 'BK23', inicis: '23', daou: '11', kftc: '023', nice_v2: '023' },
  ],
  ['CITI', '한국씨티은행', 'Citibank Korea', { kcp: 'BK27', inicis: '27', kftc: '027' }],
  ['KDB', 'KDB산업은행', 'KDB Korea Development Bank', { kcp: 'BK02', inicis: '02', kftc: '002' }],
  ['SUHYUP', '수협은행', 'Suhyup Bank', { kcp: 'BK07', inicis: '07', kftc: '007', welcome: '007' }],
  [
    'DAEGU',
    'iM뱅크(대구은행)',
    'iM Bank (Daegu)',
    { kcp: 'BK31', inicis: '31', kftc: '031', nice_v2: '031', welcome: '031' },
  ],
  [
    'BUSAN',
    '부산은행',
    'Busan Bank',
    { kcp: 'BK32', inicis: '32', daou: '15', kftc: '032', nice_v2: '032', welcome: '032' },
  ],
  ['KYONGNAM', '경남은행', 'Kyongnam Bank', { kcp: 'BK39', inicis: '39', kftc: '039', welcome: '039' }],
  ['KWANGJU', '광주은행', 'Kwangju Bank', { kcp: 'BK34', inicis: '34', kftc: '034', nice_v2: '034', welcome: '034' }],
  ['JEONBUK', '전북은행', 'Jeonbuk Bank', { kcp: 'BK37', inicis: '37', kftc: '037', welcome: '037' }],
  ['POST', '우체국', 'Korea Post', { kcp: 'BK71', inicis: '71', daou: '31', kftc: '071', nice_v2: '071' }],
  ['KFCC', '새마을금고', 'MG Saemaul Geumgo', { kcp: 'BK45', inicis: '45', kftc: '045' }],
  ['SHINHYUP', '신협', 'Shinhyup', { kcp: 'BK48', inicis: '48', kftc: '048' }],
  ['LOCAL_NONGHYUP', '지역농·축협', 'Local NongHyup', { kcp: 'BK12', inicis: '12', kftc: '012' }],
];

// pg_provider -> code family. PGs not listed here have no published refund bank table: refusing is safer than a
// guessed code that sends a customer's money to the wrong bank.
const FAMILY_BY_PG: Readonly<Record<string, BankCodeFamily>> = {
  kcp: 'kcp',
  html5_inicis: 'inicis',
  inicis: 'inicis',
  inicis_unified: 'inicis',
  daou: 'daou',
  tosspayments: 'kftc',
  uplus: 'kftc',
  danal: 'kftc',
  danal_tpay: 'kftc',
  nice: 'kftc',
  kicc: 'kftc',
  smartro: 'kftc',
  smartro_v2: 'kftc',
  settle: 'kftc',
  nice_v2: 'nice_v2',
  welcome: 'welcome',
};

/** The code family a PG uses for `refund_bank`, or undefined when no table is known for it. */
export const bankCodeFamilyOf = (pgProvider: string): BankCodeFamily | undefined => FAMILY_BY_PG[pgProvider];

const cache = new Map<BankCodeFamily, readonly Bank[]>();

/** The banks a payment on this PG can be refunded into, with the PG's own codes; empty when the PG is unknown. */
export const banksFor = (pgProvider: string): readonly Bank[] => {
  const family = bankCodeFamilyOf(pgProvider);
  if (!family) return [];
  let banks = cache.get(family);
  if (!banks) {
    banks = ROWS.flatMap(([, nameKo, nameEn, codes]) => {
      const code = codes[family];
      return code ? [{ code, name_ko: nameKo, name_en: nameEn }] : [];
    });
    cache.set(family, banks);
  }
  return banks;
};

/** The bank behind a PG's refund code, or undefined when the PG does not accept that code. */
export const findBank = (pgProvider: string, code: string): Bank | undefined =>
  banksFor(pgProvider).find((bank) => bank.code === code);

// Where an account is needed beyond a paid virtual account, and where a phone number must come with it.
const ACCOUNT_FOR_TRANSFER = new Set(['smartro_v2', 'welcome']);
// PortOne V2 names its PGs in capitals (`SelectedChannel.pgProvider`); it takes holderPhoneNumber for Smartro only.
const PHONE_WITH_ACCOUNT = new Set(['smartro', 'smartro_v2', 'welcome', 'SMARTRO', 'SMARTRO_V2']);

/** Whether refunding this payment needs the customer's bank account (holder, bank, number). */
export const needsRefundAccount = (p: { pay_method: string; pg_provider: string; status: string }): boolean =>
  p.status !== 'ready' &&
  (p.pay_method === 'vbank' || (p.pay_method === 'trans' && ACCOUNT_FOR_TRANSFER.has(p.pg_provider)));

/** Whether the PG also wants the account holder's phone number (`refund_tel`) with the account. */
export const needsRefundTel = (p: { pay_method: string; pg_provider: string; status: string }): boolean =>
  needsRefundAccount(p) && PHONE_WITH_ACCOUNT.has(p.pg_provider);
