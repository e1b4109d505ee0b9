/**
 * @module The refund account a request carries, sealed with AES-256-GCM through WebCrypto (so it runs on Node,
 * workerd, Deno and Bun alike; an entry may give a synchronous AES-GCM of its runtime's instead). A sealed value is `v1.<key id>.<iv>.<ciphertext>` (base64url): the key id names the
 * key it was sealed with, so rows written under DATA_ENCRYPTION_KEY_PREVIOUS still open after a rotation.
 */

/** The two keys as configured: base64 text of exactly 32 bytes each (config.ts checks them). */
export interface DataKeys {
  readonly current: string | null;
  readonly previous: string | null;
}

export interface Sealer {
  seal(plain: string): Promise<string>;
  /** The plain text, or null when no configured key opens it (a key retired too early, a damaged value). */
  open(sealed: string): Promise<string | null>;
  /**
   * How a value sealed with one of the configured keys begins (`v1.<key id>.`), one per key: the ledger checks a
   * request's sealed account against them in an approval's own write, without reading the request first.
   */
  readonly openablePrefixes: readonly string[];
}

/** The base64 text decoded, or null when it is not base64 of exactly 32 bytes. */
export const decodeDataKey = (text: string): Uint8Array | null => {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) return null;
  try {
    const bytes = Uint8Array.from(atob(trimmed.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
    return bytes.length === 32 ? bytes : null;
  } catch {
    return null;
  }
};

/** A fresh key, base64 (the sandbox's when none is set). */
export const randomDataKey = (): string => btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));

const toB64 = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
/** A plain loop: `Uint8Array.from(text, mapper)` calls back per byte and took half of an approval's opening. */
const fromB64 = (text: string): Uint8Array<ArrayBuffer> => {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
};
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A key's id: the start of its SHA-256, so no key is ever written, yet each sealed value names its own. */
const keyId = async (raw: Uint8Array<ArrayBuffer>): Promise<string> =>
  toB64(new Uint8Array(await crypto.subtle.digest('SHA-256', raw)).slice(0, 6));

/**
 * AES-256-GCM computed at once, where the runtime has it (node:crypto); WebCrypto's is an asynchronous job, on Node
 * a turn through its thread pool for every seal and open. `sealed` is the ciphertext followed by its 16-byte tag, as
 * WebCrypto writes it, so either opens what the other sealed.
 */
export interface AesGcm {
  seal(key: Uint8Array, iv: Uint8Array, plain: Uint8Array): Uint8Array;
  /** Throws when the value was not sealed with this key (its tag does not match). */
  open(key: Uint8Array, iv: Uint8Array, sealed: Uint8Array): Uint8Array;
}

interface Key {
  readonly id: string;
  readonly raw: Uint8Array<ArrayBuffer>;
  readonly key: CryptoKey;
}

const importKey = async (text: string): Promise<Key> => {
  const decoded = decodeDataKey(text);
  if (!decoded) throw new Error('DATA_ENCRYPTION_KEY must be base64 of exactly 32 bytes');
  const raw = new Uint8Array(decoded);
  const key = await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
  return { id: await keyId(raw), raw, key };
};

/** WebCrypto's AES-GCM, for runtimes that give no AesGcm of their own. */
const webCrypto = {
  seal: async (key: Key, iv: Uint8Array<ArrayBuffer>, plain: Uint8Array<ArrayBuffer>) =>
    new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key.key, plain)),
  open: async (key: Key, iv: Uint8Array<ArrayBuffer>, sealed: Uint8Array<ArrayBuffer>) =>
    new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, key.key, sealed)),
};

/**
 * A sealer over the configured keys, or null when DATA_ENCRYPTION_KEY is not set (request mode is then off); with
 * `aes`, sealing and opening use it instead of WebCrypto.
 */
export const createSealer = async (keys: DataKeys, aes?: AesGcm): Promise<Sealer | null> => {
  if (!keys.current) return null;
  const current = await importKey(keys.current);
  const all = [current, ...(keys.previous ? [await importKey(keys.previous)] : [])];
  const cipher = aes
    ? {
        seal: async (key: Key, iv: Uint8Array, plain: Uint8Array) => aes.seal(key.raw, iv, plain),
        open: async (key: Key, iv: Uint8Array, sealed: Uint8Array) => aes.open(key.raw, iv, sealed),
      }
    : webCrypto;
  return {
    openablePrefixes: all.map((key) => `v1.${key.id}.`),
    async seal(plain) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const sealed = await cipher.seal(current, iv, encoder.encode(plain));
      return `v1.${current.id}.${toB64(iv)}.${toB64(sealed)}`;
    },
    async open(sealed) {
      const [version, id, iv, body] = sealed.split('.');
      const key = all.find((k) => k.id === id);
      if (version !== 'v1' || !key || !iv || !body) return null;
      try {
        return decoder.decode(await cipher.open(key, fromB64(iv), fromB64(body)));
      } catch {
        return null;
      }
    },
  };
};
