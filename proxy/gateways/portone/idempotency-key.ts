/**
 * @module portOneIdempotencyKey(): the `Idempotency-Key` sent with a V2 cancel, as V2 takes it (a quoted string of
 * 16–256 printable ASCII characters without `"` or `\`). It is derived, never random, so a retry of the same refund
 * replays at PortOne: from the client's own key when it sent one, else from the audit's attempt id.
 */

// V2's sf-string characters (RFC 8941), the ones the fake and PortOne accept inside the quotes.
const SAFE = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const MAX = 256;

const sha256Hex = async (text: string): Promise<string> => {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
};

/** `"refund-button:key:<key>"` (hashed when the key cannot go as it is), or `"refund-button:attempt:<id>"`. */
export const portOneIdempotencyKey = async (clientKey: string | null, attemptId: string): Promise<string> => {
  const [kind, value] = clientKey === null ? ['attempt', attemptId] : ['key', clientKey];
  const plain = `refund-button:${kind}:${value}`;
  // The prefix alone makes it at least 16 characters long.
  const key =
    SAFE.test(plain) && plain.length <= MAX ? plain : `refund-button:${kind}-sha256:${await sha256Hex(value)}`;
  return `"${key}"`;
};
