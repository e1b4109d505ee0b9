/**
 * @module requireAdminKey(): the admin API's door. `Authorization: Bearer <key>` with one of ADMIN_API_KEYS, compared
 * in constant time over WebCrypto (so on every runtime); the request then carries the key's id (a short hash, for the
 * log and the rate limit), never the key.
 */
import type { MiddlewareHandler } from 'hono';
import { adminActor } from '../auth/actor.ts';
import { AppError } from '../errors.ts';

declare module 'hono' {
  interface ContextVariableMap {
    /** The first 8 hex digits of the admin key's SHA-256: which key called, without the key. */
    adminKeyId: string;
  }
}

const sha256 = async (text: string): Promise<Uint8Array> =>
  new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));

const hex = (bytes: Uint8Array): string => Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');

/** The id a key is logged under: the first 8 hex digits of its SHA-256. */
export const adminKeyId = async (key: string): Promise<string> => hex(await sha256(key)).slice(0, 8);

/**
 * Whether `presented` is one of `keys`, taking as long whichever it is, or if none. Both sides are hashed first, so
 * every comparison is of 32 bytes whatever the lengths, and every byte of every key is compared: neither the length
 * of a key nor how much of one was guessed shows in the time taken.
 */
export const createAdminKeyCheck = (keys: readonly string[]) => {
  let digests: Promise<Uint8Array[]> | null = null;
  /** The key's id when it is one of the keys (from the digest already taken), else null. */
  return async (presented: string): Promise<string | null> => {
    digests ??= Promise.all(keys.map(sha256));
    const mine = await sha256(presented);
    let matched = 0;
    for (const digest of await digests) {
      let difference = 0;
      for (let i = 0; i < digest.length; i += 1) difference |= digest[i]! ^ mine[i]!;
      matched |= difference === 0 ? 1 : 0;
    }
    return matched === 1 ? hex(mine).slice(0, 8) : null;
  };
};

/** The same answer for a missing, malformed and wrong key: which it was would help only someone guessing. */
const refused = (): AppError =>
  new AppError('UNAUTHORIZED', 'An admin key is required (Authorization: Bearer <key>).', {
    'WWW-Authenticate': 'Bearer',
  });

export const requireAdminKey = (keys: readonly string[]): MiddlewareHandler => {
  const keyIdOf = createAdminKeyCheck(keys);
  return async function requireAdminKey(c, next) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('Authorization') ?? '');
    const presented = match?.[1];
    const id = presented === undefined ? null : await keyIdOf(presented);
    if (id === null) throw refused();
    c.set('adminKeyId', id);
    c.set('actor', adminActor(id));
    await next();
  };
};
