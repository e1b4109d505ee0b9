/**
 * @module The fake i'mport's own refund rules for bank accounts: which code each PG takes in `refund_bank`
 * (iamport-v1.md §5.2, PortOne's code-info/pg-1 table) and when a refund needs an account and a phone number
 * (§3.1, §5.1). Written from the documentation, not from shared/banks.ts: the proxy's table is checked against
 * this one, so a wrong code there cannot pass here as well.
 */

/** The table's columns: groups of PGs that share one set of codes. */
export type RefundBankColumn = 'kcp' | 'inicis' | 'daou' | 'kftc' | 'nice_v2' | 'welcome';

const COLUMNS: readonly RefundBankColumn[] = ['kcp', 'inicis', 'daou', 'kftc', 'nice_v2', 'welcome'];

// The pg-1 table row by row: the bank's KFTC standard code (its identity here), its name as the table gives it,
// then its code in each column of COLUMNS; '-' where that PG cannot refund into the bank.
// Kiwoom Pay lists Hana twice, as 하나 12 and as the former 외환 (KEB) 05; 외환 has a row of its own for that.
const TABLE = `
  004 KB국민은행      BK04 04 04 004 004 004
  023 SC제일은행      BK23 23 11 023 023 -
  039 경남은행        BK39 39 -  039 -   039
  034 광주은행        BK34 34 -  034 034 034
  003 기업은행        BK03 03 03 003 003 003
  011 농협            BK11 11 08 011 011 -
  031 대구은행        BK31 31 -  031 031 031
  032 부산은행        BK32 32 15 032 032 032
  002 산업은행        BK02 02 -  002 -   -
  045 새마을금고      BK45 45 -  045 -   -
  007 수협            BK07 07 -  007 -   007
  088 신한은행        BK88 88 10 088 088 088
  048 신협            BK48 48 -  048 -   -
  081 하나은행        BK81 81 12 081 081 081
  005 외환은행        -    -  05 -   -   -
  020 우리은행        BK20 20 09 020 020 020
  071 우체국          BK71 71 31 071 071 -
  037 전북은행        BK37 37 -  037 -   037
  012 축협            BK12 12 -  012 -   -
  090 카카오뱅크      BK90 90 -  090 -   -
  089 케이뱅크        BK89 89 -  089 089 089
  027 한국씨티은행    BK27 27 -  027 -   -
  092 토스뱅크        BK92 92 -  092 -   -
`;

/** Column -> (KFTC code -> the PG's code). */
const CODES: ReadonlyMap<RefundBankColumn, ReadonlyMap<string, string>> = (() => {
  const columns = new Map(COLUMNS.map((column) => [column, new Map<string, string>()]));
  for (const line of TABLE.trim().split('\n')) {
    const [kftc, , ...codes] = line.trim().split(/\s+/);
    if (!kftc || codes.length !== COLUMNS.length) throw new Error(`refund-banks: malformed row: ${line}`);
    COLUMNS.forEach((column, i) => {
      const code = codes[i];
      if (code && code !== '-') columns.get(column)?.set(kftc, code);
    });
  }
  return columns;
})();

// The PGs the table names under each column. smartro_v2 and inicis_unified are not named there; they are the newer
// modules of Smartro and KG Inicis and are taken to share their codes (§5.2 leaves them unconfirmed).
const COLUMN_BY_PG: Readonly<Record<string, RefundBankColumn>> = {
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

/** Every PG the fake knows refund bank codes for. */
export const REFUND_BANK_PGS: readonly string[] = Object.keys(COLUMN_BY_PG);

/** The column a PG's codes are in, or undefined when no table is known for it. */
export const refundBankColumnOf = (pgProvider: string): RefundBankColumn | undefined => COLUMN_BY_PG[pgProvider];

/** The codes a PG takes, by the bank's KFTC code; empty when the PG is unknown (it refuses every code). */
export const refundBankCodesOf = (pgProvider: string): ReadonlyMap<string, string> => {
  const column = refundBankColumnOf(pgProvider);
  return (column && CODES.get(column)) || new Map();
};

/** Whether the PG accepts `code` in `refund_bank`. */
export const acceptsRefundBank = (pgProvider: string, code: string): boolean =>
  [...refundBankCodesOf(pgProvider).values()].includes(code);

interface RefundTarget {
  readonly pay_method: string;
  readonly pg_provider: string;
  readonly status: string;
}

// Bank transfers need an account too on these (§3.1); the phone number comes with the account on these (§5.1).
const ACCOUNT_FOR_TRANSFER = new Set(['smartro_v2', 'welcome']);
const PHONE_WITH_ACCOUNT = new Set(['smartro', 'smartro_v2', 'welcome']);

/** Whether refunding the payment needs refund_holder, refund_bank and refund_account. */
export const needsRefundAccount = (payment: RefundTarget): boolean =>
  payment.status !== 'ready' &&
  (payment.pay_method === 'vbank' || (payment.pay_method === 'trans' && ACCOUNT_FOR_TRANSFER.has(payment.pg_provider)));

/** Whether the PG also wants refund_tel with the account. */
export const needsRefundTel = (payment: RefundTarget): boolean =>
  needsRefundAccount(payment) && PHONE_WITH_ACCOUNT.has(payment.pg_provider);
