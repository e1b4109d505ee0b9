/**
 * @module maskNumbers(): a gateway's own words as the proxy keeps and passes them on (the audit, the answer, the
 * merchant's `refund.failed`): a PG may echo the refund account, or a card number, in a refusal, and the ledger keeps
 * no full account number anywhere. Any run of 10 or more digits (hyphens between them included) becomes
 * `****` and its last four digits, as the audit masks the account itself; amounts (with commas, or shorter) are left.
 */
const DIGIT_RUN = /\d[\d-]*\d/g;
const LONG = 10;

export const maskNumbers = (text: string): string =>
  text.replace(DIGIT_RUN, (run) => {
    const digits = run.replace(/\D/g, '');
    return digits.length >= LONG ? `****${digits.slice(-4)}` : run;
  });
