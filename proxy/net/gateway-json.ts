/**
 * @module parseGatewayJson(): a gateway's answer as JSON, every NUL character dropped from its strings. A NUL is no
 * character anyone reads (in a PG's refusal text, a payment's name), and PostgreSQL cannot store one: kept, it made
 * the ledger refuse the write, so that order could be neither refunded nor recorded there (SQLite takes it).
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: dropping the NUL character is this pattern's purpose.
const NUL = /\u0000/g;

/** JSON.parse with NULs dropped from every string value; throws as JSON.parse does on what is not JSON. */
export const parseGatewayJson = (text: string): unknown =>
  // JSON writes a NUL in a string only escaped (a raw one is not JSON): the usual answer is parsed as it is.
  text.includes('\\u0000')
    ? JSON.parse(text, (_key, value: unknown) => (typeof value === 'string' ? value.replace(NUL, '') : value))
    : JSON.parse(text);
