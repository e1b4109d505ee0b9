/** @module When the money of a paid-out refund arrives, in words: from the shop's `payout-days`, else the view's estimate. */
import type { RefundView } from '../../shared/schemas/refund-view.ts';
import { fill } from './format.ts';
import type { RefundButtonStrings } from './strings.ts';

/**
 * The line that says when the money arrives. `days` (the `payout-days` attribute: `"1"`, `"1-2"` or `"7+"`, in
 * business days) wins over the proxy's `estimate` unless it is none of those; with neither, undefined: saying nothing
 * beats a guess.
 */
export const payoutLine = (
  s: RefundButtonStrings,
  days: string | undefined,
  estimate: RefundView['payout_estimate'] | undefined,
): string | undefined => {
  const [, low, high, more] = /^([1-9]\d*)(?:-(\d+)|(\+))?$/.exec(days ?? '') ?? [];
  const [min, max] =
    low && !(Number(high) < Number(low)) // "3-1" is no range
      ? [Number(low), more ? null : Number(high ?? low)]
      : [estimate?.min_business_days, estimate?.max_business_days];
  if (!min) return undefined;
  if (max == null) return fill(s.payoutOver, { days: min }); // no upper bound: "or more"
  if (max < 2) return s.pendingDetail; // "one business day", singular in English
  return fill(s.payoutIn, { days: min < max ? fill(s.dayRange, { min, max }) : max });
};
