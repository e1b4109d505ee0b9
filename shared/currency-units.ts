/**
 * @module A currency's smallest unit (1원, US$0.01, 1円), read from `Intl` so every runtime and both sides agree: the
 * widget and the console offer amounts in it, and the proxy refuses an amount finer than it.
 */

/** How many decimals a currency's amounts may have (0 for KRW and JPY, 2 for USD); 0 for a code `Intl` does not know. */
export const currencyDigits = (currency: string): number => {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 0;
  } catch {
    return 0;
  }
};

/** An amount to the millionth, as proxy/payments/money.ts keeps (and sends) it. */
const toMillionth = (amount: number): number => (Number.isInteger(amount) ? amount : Math.round(amount * 1e6) / 1e6);

/**
 * True when `amount` is a whole number of the currency's smallest unit (1,000.5 won is not; 7.20 dollars is): judged as
 * kept to the millionth, which is what is sent, so 1,000.0000009 won (kept as 1,000.000001) is not.
 */
export const inWholeUnits = (amount: number, currency: string): boolean => {
  // A whole amount is whole in any currency's unit, without building an Intl.NumberFormat (tens of microseconds, and
  // the proxy checks every refund's amount: nearly all in won).
  if (Number.isInteger(amount)) return true;
  const scale = 10 ** currencyDigits(currency);
  const kept = toMillionth(amount);
  return toMillionth(Math.round(kept * scale) / scale) === kept; // 0.29 dollars is 28.999999999999996 cents
};

/** What an amount finer than the currency's unit is told: "a whole number of won", "of 0.01 USD" otherwise. */
export const unitsRule = (field: string, currency: string): string => {
  const digits = currencyDigits(currency);
  if (currency === 'KRW') return `${field} must be a whole number of won.`;
  return `${field} must be a whole number of ${(10 ** -digits).toFixed(digits)} ${currency}.`;
};
