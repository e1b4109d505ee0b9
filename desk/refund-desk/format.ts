/** @module How the console writes times, money, banks and refund attempts ("3시간 전", money as the widget writes it). */
import { findBank } from '../../shared/banks.ts';
import { BANKS_V2 } from '../../shared/banks-v2.ts';
import { currencyDigits, fill, formatMoney } from '../../widget/refund-button/format.ts';
import { type RefundRow, timeOf } from './api.ts';
import { type Lang, OTHER_STATUS_NAMES } from './strings.ts';

export { currencyDigits, fill };

/**
 * The bank a refund account is in, by name: an i'mport code means a bank only with its payment's PG (shared/banks.ts);
 * PortOne V2's codes are names of their own. Null when neither table knows the code.
 */
export const bankName = (code: string, pgProvider: string | null, lang: Lang): string | null => {
  const bank = (pgProvider ? findBank(pgProvider, code) : undefined) ?? BANKS_V2.find((b) => b.code === code);
  return bank ? (lang === 'ko' ? bank.name_ko : bank.name_en) : null;
};

/** An amount in its currency (won when a row names none: the ledger had no payment for its order). */
export const money = (value: number | null, lang: Lang, currency?: string | null): string =>
  value === null ? '–' : formatMoney(value, currency ?? 'KRW', lang);

const UNITS: readonly [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** How long ago `time` was, in the largest whole unit ("3시간 전" / "3 hours ago"). */
export const age = (time: number | string | null, now: number, lang: Lang): string => {
  const ms = timeOf(time);
  if (ms === null) return '–';
  const format = new Intl.RelativeTimeFormat(lang, { numeric: 'always' });
  const elapsed = Math.max(0, now - ms);
  for (const [unit, size] of UNITS) if (elapsed >= size) return format.format(-Math.floor(elapsed / size), unit);
  // Under a minute: "지금" / "now", not "0분 전" / "0 minutes ago".
  return new Intl.RelativeTimeFormat(lang, { numeric: 'auto' }).format(0, 'second');
};

/**
 * A date and time in the reader's language, in Korean time: the days the filters choose are Korean days, so a refund
 * listed for the 15th shows as made on the 15th wherever the browser is.
 */
export const dateTime = (time: number | string | null, lang: Lang): string => {
  const ms = timeOf(time);
  return ms === null
    ? '–'
    : new Intl.DateTimeFormat(lang === 'ko' ? 'ko-KR' : 'en-US', {
        dateStyle: 'medium',
        timeStyle: 'short',
        timeZone: 'Asia/Seoul',
      }).format(ms);
};

/**
 * A refund attempt's status and amount, as staff read them. An unpaid virtual account's revocation (no checksum) moved
 * no money: it is said so, not "refunded 0". A refusal is the gateway's only once something was sent (an amount was
 * decided): one the proxy made before sending anything (a stale checksum, a grant's cap) is not the gateway's.
 */
export const attemptCells = (
  row: RefundRow,
  lang: Lang,
  currency: string | null,
): { readonly status: string; readonly amount: string } => {
  const revoked = row.status === 'succeeded' && row.checksum === null;
  const status = revoked ? 'revoked' : row.status === 'rejected' && row.amount !== null ? 'pg_rejected' : row.status;
  const amount = revoked ? null : (row.amount ?? row.requested_amount ?? null);
  return { status: OTHER_STATUS_NAMES[lang][status] ?? status, amount: money(amount, lang, currency) };
};
