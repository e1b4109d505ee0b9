/** @module Access tokens as i'mport issues them (§1.3): one per API key, 30 min, reused, extended near expiry. */
import { randomHex } from './random.ts';

const LIFETIME = 1800;
const EXTEND_WHEN_LEFT = 60;
const EXTENSION = 300;

/** The `response` of `POST /users/getToken`. */
export interface IssuedToken {
  readonly access_token: string;
  readonly now: number;
  readonly expired_at: number;
}

export interface TokenIssuer {
  /** The key's token: the current one while valid (extended when ≤ 60 s remain), else a new one. */
  issue(apiKey: string): IssuedToken;
  isValid(accessToken: string): boolean;
  /** Makes every issued token expire now. */
  expireAll(): void;
  clear(): void;
}

/** Tokens per API key, timed by `nowSec` (UNIX seconds) so tests can move the clock. */
export const createTokenIssuer = (nowSec: () => number): TokenIssuer => {
  // Shared per key, not per caller: i'mport hands every server of a merchant the same token.
  const byKey = new Map<string, { access_token: string; expired_at: number }>();
  return {
    issue(apiKey) {
      const now = nowSec();
      let token = byKey.get(apiKey);
      if (!token || token.expired_at <= now) {
        token = { access_token: randomHex(20), expired_at: now + LIFETIME };
        byKey.set(apiKey, token);
      } else if (token.expired_at - now <= EXTEND_WHEN_LEFT) {
        token.expired_at += EXTENSION;
      }
      return { access_token: token.access_token, now, expired_at: token.expired_at };
    },
    isValid(accessToken) {
      const now = nowSec();
      return [...byKey.values()].some((t) => t.access_token === accessToken && t.expired_at > now);
    },
    expireAll() {
      const now = nowSec();
      for (const token of byKey.values()) token.expired_at = Math.min(token.expired_at, now);
    },
    clear: () => byKey.clear(),
  };
};
