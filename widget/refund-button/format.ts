/** @module How the widget writes what it shows: `{name}` placeholders filled in, money, a currency's decimals. */
import type { Lang } from './strings.ts';

/** Fills `{name}` placeholders; an unknown name is left as written so a typo in an override stays visible. */
export const fill = (template: string, values: Readonly<Record<string, string | number>>): string =>
  template.replace(/\{(\w+)\}/g, (whole, name: string) => `${values[name] ?? whole}`);

/**
 * Formats money the way a Korean storefront writes it: `9,000원` in Korean, `₩9,000` in English, and
 * `Intl` with the currency for anything else.
 */
export const formatMoney = (value: number, currency: string, lang: Lang): string => {
  const locale = lang === 'ko' ? 'ko-KR' : 'en-US';
  if (lang === 'ko' && currency === 'KRW') return `${new Intl.NumberFormat(locale).format(value)}원`;
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(value);
  } catch {
    return `${new Intl.NumberFormat(locale).format(value)} ${currency}`; // a code Intl does not know
  }
};

/**
 * A day (UNIX seconds) as the language writes it, `2026. 12. 3.` or `Dec 3, 2026`, in Korea: the shop's and its PG's
 * day, which a customer abroad (or a browser that hides its zone) would otherwise see a day off.
 */
export const formatDate = (seconds: number, lang: Lang): string =>
  new Date(seconds * 1000).toLocaleDateString(lang === 'ko' ? 'ko-KR' : 'en-US', {
    dateStyle: 'medium',
    timeZone: 'Asia/Seoul',
  });

export { currencyDigits } from '../../shared/currency-units.ts';
