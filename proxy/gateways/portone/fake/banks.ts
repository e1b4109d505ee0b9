/** @module The V2 `Bank` enum (OpenAPI `components.schemas.Bank`, 79 values) and which banks the fake's holder lookup takes. */
import * as v from 'valibot';

export const BANKS = [
  'BANK_OF_KOREA',
  'KDB',
  'IBK',
  'KOOKMIN',
  'SUHYUP',
  'KEXIM',
  'NONGHYUP',
  'LOCAL_NONGHYUP',
  'WOORI',
  'STANDARD_CHARTERED',
  'CITI',
  'SUHYUP_FEDERATION',
  'DAEGU',
  'BUSAN',
  'KWANGJU',
  'JEJU',
  'JEONBUK',
  'KYONGNAM',
  'KFCC',
  'SHINHYUP',
  'SAVINGS_BANK',
  'MORGAN_STANLEY',
  'HSBC',
  'DEUTSCHE',
  'JPMC',
  'MIZUHO',
  'MUFG',
  'BANK_OF_AMERICA',
  'BNP_PARIBAS',
  'ICBC',
  'BANK_OF_CHINA',
  'NFCF',
  'UOB',
  'BOCOM',
  'CCB',
  'POST',
  'KODIT',
  'KIBO',
  'HANA',
  'SHINHAN',
  'K_BANK',
  'KAKAO',
  'TOSS',
  'MISC_FOREIGN',
  'SGI',
  'KCIS',
  'YUANTA_SECURITIES',
  'KB_SECURITIES',
  'SANGSANGIN_SECURITIES',
  'HANYANG_SECURITIES',
  'LEADING_SECURITIES',
  'BNK_SECURITIES',
  'IBK_SECURITIES',
  'DAOL_SECURITIES',
  'MIRAE_ASSET_SECURITIES',
  'SAMSUNG_SECURITIES',
  'KOREA_SECURITIES',
  'NH_SECURITIES',
  'KYOBO_SECURITIES',
  'HI_SECURITIES',
  'HYUNDAI_MOTOR_SECURITIES',
  'KIWOOM_SECURITIES',
  'EBEST_SECURITIES',
  'SK_SECURITIES',
  'DAISHIN_SECURITIES',
  'HANHWA_SECURITIES',
  'HANA_SECURITIES',
  'TOSS_SECURITIES',
  'SHINHAN_SECURITIES',
  'DB_SECURITIES',
  'EUGENE_SECURITIES',
  'MERITZ_SECURITIES',
  'KAKAO_PAY_SECURITIES',
  'BOOKOOK_SECURITIES',
  'SHINYOUNG_SECURITIES',
  'CAPE_SECURITIES',
  'KOREA_SECURITIES_FINANCE',
  'KOREA_FOSS_SECURITIES',
  'WOORI_INVESTMENT_BANK',
] as const;

export type Bank = (typeof BANKS)[number];

export const BankSchema = v.picklist(BANKS);

export const isBank = (value: unknown): value is Bank =>
  typeof value === 'string' && (BANKS as readonly string[]).includes(value);

/**
 * Banks the holder lookup answers `PLATFORM_NOT_SUPPORTED_BANK` for. PortOne publishes no list; the fake's choice is
 * the non-deposit institutions (central and policy banks, guarantee funds, securities firms), which hold no accounts
 * a refund could go to.
 */
export const isHolderLookupSupported = (bank: Bank): boolean =>
  !bank.endsWith('_SECURITIES') &&
  !['BANK_OF_KOREA', 'KEXIM', 'KODIT', 'KIBO', 'SGI', 'KCIS', 'WOORI_INVESTMENT_BANK'].includes(bank);
