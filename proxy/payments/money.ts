/**
 * @module Amounts as the gateways keep them. Money is a JavaScript number, and a currency with fractions (a USD
 * payment) gives floating-point noise under sums and differences: 10.10 less 2.90 is 7.199999999999999. Sent as a
 * checksum or an amount, that is not the balance i'mport keeps (7.2), and an entry of 7.2 would never be matched to the
 * attempt that made it. Every amount the proxy works out is money() of the arithmetic, and amounts are compared with
 * sameAmount(), so the balance, a grant's cap and an entry all read alike.
 */

/** A millionth: far below any currency's smallest unit, far above a double's noise at any real amount. */
const SCALE = 1e6;

/** `amount` without floating-point noise (rounded to a millionth); whole amounts (won) are returned as they are. */
export const money = (amount: number): number =>
  Number.isInteger(amount) ? amount : Math.round(amount * SCALE) / SCALE;

/** Whether two amounts are the same money (equal once each is money()). */
export const sameAmount = (a: number | null | undefined, b: number | null | undefined): boolean =>
  a != null && b != null && money(a) === money(b);

/** The sum of `amounts`, as money. */
export const sumOf = (amounts: Iterable<number>): number => {
  let sum = 0;
  for (const amount of amounts) sum += amount;
  return money(sum);
};
