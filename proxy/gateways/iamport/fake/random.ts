/** @module Random ids for the fake (tokens, imp_uids, PG transaction ids) from Web Crypto, so no node:* import. */

/** `bytes` random bytes as lowercase hex (2 characters per byte). */
export const randomHex = (bytes: number): string =>
  Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, '0')).join('');

/** `count` random decimal digits. */
export const randomDigits = (count: number): string =>
  Array.from(crypto.getRandomValues(new Uint8Array(count)), (b) => String(b % 10)).join('');
