/**
 * @module The query of GET /admin/refunds, checked: each parameter at most once, none unknown (a misspelt filter
 * would otherwise list everything), each problem named by its parameter.
 */
import * as v from 'valibot';
import { MerchantUidSchema } from '../../shared/schemas/fields.ts';
import { AppError } from '../errors.ts';
import { describeIssues } from '../routes/describe-issues.ts';
import type { AttemptPageQuery } from '../store/store.ts';
import { decodeCursor, type Position } from './cursor.ts';
import { REFUND_STATUSES, type RefundStatus } from './rows.ts';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

const PARAMETERS = ['merchant_uid', 'status', 'from', 'to', 'limit', 'cursor'] as const;

export interface RefundsQuery {
  readonly filters: Omit<AttemptPageQuery, 'after' | 'limit'>;
  /** Given, or null for the default (which differs between a JSON page and a CSV export). */
  readonly limit: number | null;
  readonly after: Position | null;
}

const invalid = (message: string): AppError => new AppError('INVALID_REQUEST', message);

// UNIX seconds, or an ISO 8601 date (midnight UTC) or date-time with its offset (2026-01-01T00:00:00+09:00).
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/**
 * A date that is on the calendar, at an hour before 24: Date.parse rolls 2026-02-30 over to March 2 and takes T24:00
 * for the next midnight, so a mistyped filter would list another day's refunds instead of being refused.
 */
const onCalendar = (value: string): boolean => {
  const [year, month, day] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && !/T24:/.test(value);
};

/** A time parameter in epoch ms. */
export const timeOf = (name: string, value: string): number => {
  // Eight digits read as seconds are a day in 1970, but as ISO 8601's basic form (20260115) a date: refused, not guessed.
  if (/^(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$/.test(value)) {
    const day = `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6)}`;
    throw invalid(
      `${name} ${value} looks like a date: write it as ${day} (or give UNIX seconds, which have 9 or more digits)`,
    );
  }
  if (/^\d{1,11}$/.test(value)) return Number(value) * 1000;
  const ms = ISO_TIME.test(value) && onCalendar(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw invalid(
      `${name} must be UNIX seconds or an ISO 8601 date or date-time (2026-01-01, 2026-01-01T09:00:00+09:00)`,
    );
  }
  return ms;
};

export const limitOf = (value: string): number => {
  const limit = /^\d{1,4}$/.test(value) ? Number(value) : Number.NaN;
  if (!(limit >= 1 && limit <= MAX_LIMIT)) throw invalid(`limit must be a whole number from 1 to ${MAX_LIMIT}`);
  return limit;
};

/** Each parameter once, none unknown: a misspelt filter would otherwise list everything. */
export const singleParameters = <P extends string>(
  queries: Record<string, string[]>,
  parameters: readonly P[],
): Partial<Record<P, string>> => {
  const one: Partial<Record<P, string>> = {};
  for (const [name, values] of Object.entries(queries)) {
    if (!(parameters as readonly string[]).includes(name)) {
      throw invalid(`${name.slice(0, 40)} is not a parameter here (${parameters.join(', ')})`);
    }
    if (values.length > 1) throw invalid(`${name} must be given at most once`);
    one[name as P] = values[0]!;
  }
  return one;
};

/** A list's `from` and `to` (epoch ms, either absent): a range that ends before it starts is a mistake, not "none". */
export const checkRange = ({ from, to }: { readonly from?: number; readonly to?: number }): void => {
  if (from !== undefined && to !== undefined && from > to) throw invalid('from must not be later than to');
};

export const parseRefundsQuery = (queries: Record<string, string[]>): RefundsQuery => {
  const one = singleParameters(queries, PARAMETERS);
  const filters: { -readonly [K in keyof RefundsQuery['filters']]: RefundsQuery['filters'][K] } = {};
  if (one.merchant_uid !== undefined) {
    const uid = v.safeParse(MerchantUidSchema, one.merchant_uid);
    if (!uid.success) throw invalid(describeIssues(uid.issues, 'merchant_uid'));
    filters.merchant_uid = uid.output;
  }
  if (one.status !== undefined) {
    if (!(REFUND_STATUSES as readonly string[]).includes(one.status)) {
      throw invalid(`status must be one of ${REFUND_STATUSES.join(', ')}`);
    }
    const status = one.status as RefundStatus;
    filters.outcome = status === 'in_progress' ? 'open' : status;
  }
  if (one.from !== undefined) filters.from = timeOf('from', one.from);
  if (one.to !== undefined) filters.to = timeOf('to', one.to);
  checkRange(filters);
  const after = one.cursor === undefined ? null : decodeCursor(one.cursor);
  if (one.cursor !== undefined && after === null) {
    throw invalid('cursor is not one this API gave (pass next_cursor back as it came)');
  }
  return { filters, limit: one.limit === undefined ? null : limitOf(one.limit), after };
};
