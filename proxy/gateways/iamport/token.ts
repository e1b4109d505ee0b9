/**
 * @module createTokenCache(): one i'mport access token shared by every caller until about a minute before it
 * expires. Expiry is computed from the server's own `now`, so a skewed local clock does not matter. After i'mport
 * refuses the key, getToken is asked again at most once per back-off period; callers in between fail at once.
 */
import type { Token } from './schemas.ts';

export interface TokenCache {
  /** A valid access token; concurrent callers share one in-flight getToken request. */
  get(): Promise<string>;
  /** Forgets `token` (after i'mport answered 401 for it) so the next get() fetches a fresh one. */
  invalidate(token: string): void;
}

export interface TokenCacheOptions {
  readonly fetchToken: () => Promise<Token>;
  /** Local clock, epoch ms. */
  readonly now: () => number;
  /** Refresh this long before expiry; i'mport extends a token asked for within its last minute. */
  readonly refreshBeforeMs?: number;
  /** True when fetchToken's error means i'mport refused the key (not a network failure); default: never. */
  readonly isRefusal?: (error: unknown) => boolean;
  /** After a refusal, no getToken call for this long; default 5 s. */
  readonly backoffMs?: number;
}

export const createTokenCache = ({
  fetchToken,
  now,
  refreshBeforeMs = 60_000,
  isRefusal = () => false,
  backoffMs = 5_000,
}: TokenCacheOptions): TokenCache => {
  let cached: { token: string; refreshAt: number } | null = null;
  let inFlight: Promise<string> | null = null;
  // A wrong key stays wrong: without this every request (a webhook flood, say) would cost a getToken call.
  let refused: { at: number; error: unknown } | null = null;

  const refresh = async (): Promise<string> => {
    const askedAt = now();
    let token: Token;
    try {
      token = await fetchToken();
    } catch (error) {
      if (isRefusal(error)) refused = { at: now(), error };
      throw error;
    }
    refused = null;
    // Lifetime by the server's clock, anchored to ours at the moment we asked.
    const lifetimeMs = (token.expired_at - token.now) * 1000;
    cached = { token: token.access_token, refreshAt: askedAt + lifetimeMs - refreshBeforeMs };
    return token.access_token;
  };

  return {
    get() {
      if (cached && now() < cached.refreshAt) return Promise.resolve(cached.token);
      if (!inFlight && refused && now() - refused.at < backoffMs) return Promise.reject(refused.error);
      inFlight ??= refresh().finally(() => {
        inFlight = null;
      });
      return inFlight;
    },
    invalidate(token) {
      if (cached?.token === token) cached = null;
    },
  };
};
