/** @module Whether the page's grant has expired, by the `exp` in its own payload (read, not verified: only the proxy can). */

/** True when `token` is a JWT whose `exp` (UNIX seconds) is before `nowMs`; false for anything else. */
export const isGrantExpired = (token: string, nowMs: number): boolean => {
  try {
    // The payload is base64url (atob does without the padding); no payload throws. A missing `exp` makes NaN: false.
    const payload = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: number };
    return payload.exp! * 1000 < nowMs;
  } catch {
    return false; // not a JWT (no payload, not base64, not JSON): a grant the shop got wrong, not an old one
  }
};
