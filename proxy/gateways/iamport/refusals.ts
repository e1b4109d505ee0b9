/**
 * @module classifyRefusal(): what kind of "no" i'mport said to a change, read from its code and words here, so no
 * caller reads i'mport's text. Messages are i'mport's Korean ones (../shared/iamport-v1.md §cancel): only the
 * fully-cancelled one is observed live (code 1, "이미 전액취소된 주문입니다."); the checksum and amount ones are the fake's,
 * written from the docs.
 */
import type { RefusalKind } from '../gateway.ts';

export type { RefusalKind } from '../gateway.ts';

// i'mport's own refusals carry code 1; a PG's carries -1, and its words (which may say anything) are the PG's.
const PG_CODE = -1;

export const classifyRefusal = (code: number, message: string): RefusalKind => {
  if (message.includes('이미 전액취소')) return 'already_cancelled';
  if (code === PG_CODE) return 'pg';
  if (/checksum/i.test(message) || (message.includes('취소가능잔액') && message.includes('일치'))) return 'checksum';
  if (message.includes('초과')) return 'amount';
  return 'pg';
};
