/**
 * @module requireAdminKey(): the admin API's door. `Authorization: Bearer <key>` with one of ADMIN_API_KEYS, compared
 * in constant time in plain JavaScript (so on every runtime); the request then carries the key's id (a short hash, for
 * the log and the rate limit, taken once per configured key), never the key.
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

/** Every comparison covers this many UTF-8 bytes at least (and the longest key's, if longer). */
const MIN_WIDTH = 256;

/**
 * Whether `presented` is one of `keys`, taking as long whichever it is, or if none. Each key is kept zero-padded to
 * one width, at least as long as the longest key; the presented key is written into a buffer of that width, and every
 * byte of every padded key is compared with it, with no early exit, the lengths compared the same way. So the time
 * taken depends on the width and the number of keys (both fixed at start) and on the presented key's own length
 * (which its sender knows), never on how much of a key was guessed or how long a key is. No digest is taken per
 * call (a SHA-256 over WebCrypto is an asynchronous job, a turn through Node's thread pool, on every admin call),
 * and nothing presented is remembered.
 */
export const createAdminKeyCheck = (keys: readonly string[]) => {
  const encoder = new TextEncoder();
  const encoded = keys.map((key) => encoder.encode(key));
  const width = Math.max(MIN_WIDTH, ...encoded.map((bytes) => bytes.length));
  const padded = encoded.map((bytes) => {
    const row = new Uint8Array(width);
    row.set(bytes);
    return row;
  });
  const mine = new Uint8Array(width);
  let ids: Promise<string[]> | null = null;
  /** The key's id when it is one of the keys, else null. */
  return async (presented: string): Promise<string | null> => {
    ids ??= Promise.all(keys.map(adminKeyId));
    const known = await ids;
    // Filled and compared with no await in between: the one buffer serves every call.
    mine.fill(0);
    const { read, written } = encoder.encodeInto(presented, mine);
    // Longer than the width: no key is, so its length matches none (-1 matches no length below).
    const length = read === presented.length ? written : -1;
    let matched = -1;
    for (let k = 0; k < padded.length; k += 1) {
      const key = padded[k]!;
      let difference = length ^ encoded[k]!.length;
      for (let i = 0; i < width; i += 1) difference |= key[i]! ^ mine[i]!;
      // Which key matched shows only to the one who presented it: the answer says so anyway.
      if (difference === 0) matched = k;
    }
    return matched === -1 ? null : (known[matched] ?? null);
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
