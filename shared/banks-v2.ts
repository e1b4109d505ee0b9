/**
 * @module PortOne V2's one `Bank` enum (79 values), the codes a V2 refund account takes in `refundAccount.bank`
 * whatever the PG. Codes and Korean names are V2's own: `components.schemas.Bank` and its `x-portone-enum` titles in
 * `src/schema/v2.openapi.json` of portone-io/developers.portone.io; the English names are ours.
 */
import type { Bank } from './banks.ts';

// biome-ignore format: one bank a line, in the OpenAPI's order
const ROWS = [
  ['BANK_OF_KOREA', '한국은행', 'Bank of Korea'],
  ['KDB', '산업은행', 'KDB Korea Development Bank'],
  ['IBK', '기업은행', 'IBK Industrial Bank'],
  ['KOOKMIN', '국민은행', 'KB Kookmin Bank'],
  ['SUHYUP', '수협은행', 'Suhyup Bank'],
  ['KEXIM', '수출입은행', 'Export-Import Bank of Korea'],
  ['NONGHYUP', 'NH농협은행', 'NongHyup Bank'],
  ['LOCAL_NONGHYUP', '지역농축협', 'Local Nonghyup (NH cooperatives)'],
  ['WOORI', '우리은행', 'Woori Bank'],
  ['STANDARD_CHARTERED', 'SC제일은행', 'SC First Bank'],
  ['CITI', '한국씨티은행', 'Citibank Korea'],
  ['SUHYUP_FEDERATION', '수협중앙회', 'Suhyup (National Federation of Fisheries Cooperatives)'],
  ['DAEGU', '아이엠뱅크', 'iM Bank (Daegu)'],
  ['BUSAN', '부산은행', 'Busan Bank'],
  ['KWANGJU', '광주은행', 'Kwangju Bank'],
  ['JEJU', '제주은행', 'Jeju Bank'],
  ['JEONBUK', '전북은행', 'Jeonbuk Bank'],
  ['KYONGNAM', '경남은행', 'Kyongnam Bank'],
  ['KFCC', '새마을금고', 'MG Community Credit Cooperatives'],
  ['SHINHYUP', '신협', 'Shinhyup (Credit Union)'],
  ['SAVINGS_BANK', '저축은행', 'Savings banks'],
  ['MORGAN_STANLEY', '모간스탠리은행', 'Morgan Stanley Bank'],
  ['HSBC', 'HSBC은행', 'HSBC'],
  ['DEUTSCHE', '도이치은행', 'Deutsche Bank'],
  ['JPMC', '제이피모간체이스은행', 'JPMorgan Chase Bank'],
  ['MIZUHO', '미즈호은행', 'Mizuho Bank'],
  ['MUFG', '엠유에프지은행', 'MUFG Bank'],
  ['BANK_OF_AMERICA', 'BOA은행', 'Bank of America'],
  ['BNP_PARIBAS', '비엔피파리바은행', 'BNP Paribas'],
  ['ICBC', '중국공상은행', 'ICBC'],
  ['BANK_OF_CHINA', '중국은행', 'Bank of China'],
  ['NFCF', '산림조합중앙회', 'National Forestry Cooperative Federation'],
  ['UOB', '대화은행', 'UOB'],
  ['BOCOM', '교통은행', 'Bank of Communications'],
  ['CCB', '중국건설은행', 'China Construction Bank'],
  ['POST', '우체국', 'Korea Post'],
  ['KODIT', '신용보증기금', 'Korea Credit Guarantee Fund'],
  ['KIBO', '기술보증기금', 'Korea Technology Finance Corporation'],
  ['HANA', '하나은행', 'Hana Bank'],
  ['SHINHAN', '신한은행', 'Shinhan Bank'],
  ['K_BANK', '케이뱅크', 'K Bank'],
  ['KAKAO', '카카오뱅크', 'KakaoBank'],
  ['TOSS', '토스뱅크', 'Toss Bank'],
  ['MISC_FOREIGN', '기타 외국계은행(중국 농업은행 등)', 'Other foreign banks'],
  ['SGI', '서울보증보험', 'Seoul Guarantee Insurance'],
  ['KCIS', '한국신용정보원', 'Korea Credit Information Services'],
  ['YUANTA_SECURITIES', '유안타증권', 'Yuanta Securities'],
  ['KB_SECURITIES', 'KB증권', 'KB Securities'],
  ['SANGSANGIN_SECURITIES', '상상인증권', 'Sangsangin Securities'],
  ['HANYANG_SECURITIES', '한양증권', 'Hanyang Securities'],
  ['LEADING_SECURITIES', '리딩투자증권', 'Leading Investment & Securities'],
  ['BNK_SECURITIES', 'BNK투자증권', 'BNK Securities'],
  ['IBK_SECURITIES', 'IBK투자증권', 'IBK Securities'],
  ['DAOL_SECURITIES', '다올투자증권', 'DAOL Investment & Securities'],
  ['MIRAE_ASSET_SECURITIES', '미래에셋증권', 'Mirae Asset Securities'],
  ['SAMSUNG_SECURITIES', '삼성증권', 'Samsung Securities'],
  ['KOREA_SECURITIES', '한국투자증권', 'Korea Investment & Securities'],
  ['NH_SECURITIES', 'NH투자증권', 'NH Investment & Securities'],
  ['KYOBO_SECURITIES', '교보증권', 'Kyobo Securities'],
  ['HI_SECURITIES', '하이투자증권', 'Hi Investment & Securities'],
  ['HYUNDAI_MOTOR_SECURITIES', '현대차증권', 'Hyundai Motor Securities'],
  ['KIWOOM_SECURITIES', '키움증권', 'Kiwoom Securities'],
  ['EBEST_SECURITIES', 'LS증권', 'LS Securities'],
  ['SK_SECURITIES', 'SK증권', 'SK Securities'],
  ['DAISHIN_SECURITIES', '대신증권', 'Daishin Securities'],
  ['HANHWA_SECURITIES', '한화투자증권', 'Hanwha Investment & Securities'],
  ['HANA_SECURITIES', '하나증권', 'Hana Securities'],
  ['TOSS_SECURITIES', '토스증권', 'Toss Securities'],
  ['SHINHAN_SECURITIES', '신한투자증권', 'Shinhan Securities'],
  ['DB_SECURITIES', 'DB금융투자', 'DB Financial Investment'],
  ['EUGENE_SECURITIES', '유진투자증권', 'Eugene Investment & Securities'],
  ['MERITZ_SECURITIES', '메리츠증권', 'Meritz Securities'],
  ['KAKAO_PAY_SECURITIES', '카카오페이증권', 'Kakao Pay Securities'],
  ['BOOKOOK_SECURITIES', '부국증권', 'Bookook Securities'],
  ['SHINYOUNG_SECURITIES', '신영증권', 'Shinyoung Securities'],
  ['CAPE_SECURITIES', '케이프투자증권', 'Cape Investment & Securities'],
  ['KOREA_SECURITIES_FINANCE', '한국증권금융', 'Korea Securities Finance'],
  ['KOREA_FOSS_SECURITIES', '한국포스증권', 'Korea FOSS Securities'],
  ['WOORI_INVESTMENT_BANK', '우리종합금융', 'Woori Financial Merchant Bank'],
] as const satisfies readonly (readonly [code: string, nameKo: string, nameEn: string])[];

export type BankV2 = (typeof ROWS)[number][0];

export const BANKS_V2: readonly Bank[] = ROWS.map(([code, name_ko, name_en]) => ({ code, name_ko, name_en }));

/** Institutions that keep no accounts a customer could be refunded into (the central bank, guarantee funds, …). */
const NO_CUSTOMER_ACCOUNTS: ReadonlySet<string> = new Set(['BANK_OF_KOREA', 'KEXIM', 'KODIT', 'KIBO', 'SGI', 'KCIS']);

/** The banks a V2 refund is offered into: every `Bank` but those that hold no customer accounts. */
export const REFUND_BANKS_V2: readonly Bank[] = BANKS_V2.filter((bank) => !NO_CUSTOMER_ACCOUNTS.has(bank.code));
