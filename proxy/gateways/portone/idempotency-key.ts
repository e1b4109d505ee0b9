/**
 * @module portOneIdempotencyKey(): the `Idempotency-Key` sent with a V2 cancel, as V2 takes it (a quoted string of
 * 16–256 printable ASCII characters without `"` or `\`). It is derived, never random, so a retry of the same refund
 * replays at PortOne: from the client's own key when it sent one, else from the audit's attempt id (unique per call).
 * A client's key is scoped to the payment and the requester, because PortOne replays any request sent with a key it
 * knows, whatever its body: the same key on another order, or on a staff approval, must never get this one's answer.
 */

// V2's sf-string characters (RFC 8941), the ones the fake and PortOne accept inside the quotes.
const SAFE = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const MAX = 256;

const sha256Hex = async (text: string): Promise<string> => {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
};

export interface KeySource {
  readonly paymentId: string;
  readonly requester: 'customer' | 'admin';
  /** The client's Idempotency-Key, or null. */
  readonly clientKey: string | null;
  readonly attemptId: string;
}

/**
 * `"refund-button:key:<requester>:<paymentId>:<key>"` (hashed when that cannot go as it is), or
 * `"refund-button:attempt:<attemptId>"`; the prefix alone makes it at least 16 characters long. A paymentId with a `:`
 * is always hashed: as text, paymentId `X` with key `Y:k` and paymentId `X:Y` with key `k` would read the same, and
 * PortOne would answer the second order with the first one's cancel.
 */
export const portOneIdempotencyKey = async ({ paymentId, requester, clientKey, attemptId }: KeySource) => {
  if (clientKey === null) {
    const plain = `refund-button:attempt:${attemptId}`;
    return `"${SAFE.test(plain) && plain.length <= MAX ? plain : `refund-button:attempt-sha256:${await sha256Hex(attemptId)}`}"`;
  }
  const scoped = `${requester}:${paymentId}:${clientKey}`;
  const plain = `refund-button:key:${scoped}`;
  // Hashed, the parts are joined by a byte that a key or a paymentId cannot hold, so no two sources meet.
  const hashed = () => sha256Hex([requester, paymentId, clientKey].join('\u0000'));
  const asIs = SAFE.test(plain) && plain.length <= MAX && !paymentId.includes(':');
  return `"${asIs ? plain : `refund-button:key-sha256:${await hashed()}`}"`;
};
