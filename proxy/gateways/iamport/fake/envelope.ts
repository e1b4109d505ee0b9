/** @module i'mport's `{ code, message, response }` envelope and the literal messages the real API is known to send. */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export const MESSAGES = {
  /** Lookups (404) and vbank revoke (404) of an unknown payment [iamport-v1.md §2.3]. */
  paymentNotFound: '존재하지 않는 결제정보입니다.',
  /** Cancel of an unknown payment: HTTP 200, code 1. */
  cancelNotFound: '취소할 결제건이 존재하지 않습니다.',
  alreadyCancelled: '이미 전액취소된 주문입니다.',
  missingCredentials: 'imp_key, imp_secret 파라메터가 누락되었습니다.',
  unauthorized: 'Unauthorized',
  badStatus: '지원되지 않는 상태값입니다.',
  /** `GET /vbanks/holder` of an account the bank does not know (404). */
  accountNotFound: '계좌정보 조회 실패',
  missingAccount: 'bank_code, bank_num 파라메터가 누락되었습니다.',
} as const;

/** The prefix of a PG refusal; the PG's own text follows in parentheses (§2.3). */
export const pgRefusalMessage = (pgText: string): string => `결제취소에 실패하였습니다.(${pgText})`;

export const success = (c: Context, response: unknown) => c.json({ code: 0, message: null, response }, 200);

// code -1 on HTTP errors is an inference (§10): no source shows the numeric code of 4xx bodies.
export const failure = (c: Context, status: ContentfulStatusCode, message: string, code = -1) =>
  c.json({ code, message, response: null }, status);
