/**
 * @module V2's amounts and the proxy's: PortOne sends and takes every amount as an integer in the currency's minor
 * unit (its PaymentTotalAmount: "6 USD is 600"; ISO 4217's digits, none for won or yen); the proxy, its ledger, widget
 * and webhooks keep the major unit (US$10.50 is 10.5), as i'mport V1 reports it.
 */
import { currencyDigits } from '../../../shared/currency-units.ts';
import { money } from '../../payments/money.ts';

const unitOf = (currency: string): number => 10 ** currencyDigits(currency);

/** A V2 amount in the proxy's unit: 1050 cents is 10.5 dollars, without floating-point noise (money.ts). */
export const fromMinor = (minor: number, currency: string): number => {
  const unit = unitOf(currency);
  return unit === 1 ? minor : money(minor / unit);
};

/** An amount of the proxy's (whole units of the currency, checked before a refund is sent) as V2 takes it. */
export const toMinor = (major: number, currency: string): number => {
  const unit = unitOf(currency);
  return unit === 1 ? major : Math.round(major * unit);
};
