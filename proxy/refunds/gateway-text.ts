/**
 * @module maskNumbers(): a gateway's own words as the proxy keeps and passes them on (the audit, the answer, the
 * merchant's `refund.failed`): a PG may echo the refund account, or a card number, in a refusal, and the ledger keeps
 * no full account number anywhere. Two rules, each leaving `****` and the last four digits, as the audit masks the
 * account itself:
 * - the account this refund sent, however the gateway wrote it (spaces, dots, hyphens, slashes, full-width digits);
 * - any other run of 10 or more digits (one hyphen, dot, slash or underscore allowed between two): a card number, an
 *   account the gateway knows of. Amounts (with commas, or shorter) and dates are left.
 */
const DIGITS = '0-9０-９';
const RUN = new RegExp(`[${DIGITS}](?:[.\\-/_]?[${DIGITS}])*`, 'g');
const LONG = 10;

/** Plain ASCII digits of a run (full-width ones read as theirs). */
const digitsOf = (text: string): string => text.normalize('NFKC').replace(/\D/g, '');
const masked = (digits: string): string => `****${digits.slice(-4)}`;

/** `account` (its digits) as a pattern that matches it with any separators between its digits, in either width. */
const accountPattern = (account: string): RegExp | null => {
  const digits = digitsOf(account);
  if (digits.length < 4) return null;
  const one = (d: string) => `[${d}${String.fromCharCode(0xff10 + Number(d))}]`;
  return new RegExp([...digits].map(one).join('[\\s.\\-/_]*'), 'g');
};

export const maskNumbers = (text: string, account: string | null = null): string => {
  const pattern = account ? accountPattern(account) : null;
  const withoutAccount = pattern ? text.replace(pattern, (found) => masked(digitsOf(found))) : text;
  return withoutAccount.replace(RUN, (run) => {
    const digits = digitsOf(run);
    return digits.length >= LONG ? masked(digits) : run;
  });
};
