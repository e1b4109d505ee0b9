/**
 * @module How a refund account's holder name is compared with the name the bank returns, and how it is logged.
 * Banks and customers write one name in several ways: spaces, full-width letters (typed on a Korean keyboard), and,
 * for companies, `(주)` / `㈜` / `주식회사` before or after the name. A holder check must not refuse a customer over
 * those, nor accept another person: everything else has to match exactly.
 */

/** Company forms that say what kind of company, not which one (after NFKC: `㈜` is `(주)`). */
const COMPANY_FORMS = ['주식회사', '유한회사', '(주)', '(유)', '주)', '(주'];

/**
 * The name as compared: NFKC (full-width to ASCII, `㈜` to `(주)`), no spaces or middle dots, company forms removed,
 * Latin letters in capitals.
 */
export const normalizeHolderName = (name: string): string => {
  let out = name.normalize('NFKC').replace(/[\s·・.]/gu, '');
  for (const form of COMPANY_FORMS) out = out.replaceAll(form, '');
  return out.toUpperCase();
};

/** Whether two holder names are the same once normalised; never true for an empty name. */
export const sameHolder = (given: string, returned: string): boolean => {
  const a = normalizeHolderName(given);
  return a !== '' && a === normalizeHolderName(returned);
};

/** A name for a log line or the audit: its first and last characters, the rest starred (`홍*동`). */
export const maskHolderName = (name: string): string => {
  const chars = [...normalizeHolderName(name)];
  if (chars.length <= 1) return '*';
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars.at(-1)}`;
};
