/**
 * @module Standard Webhooks signatures with WebCrypto's HMAC-SHA256 only, so the same code signs on Node, workerd,
 * Deno and Bun. The secret is `whsec_` + base64; its decoded bytes are the key.
 */

const PREFIX = 'whsec_';
export const MIN_SECRET_BYTES = 24;

const fromBase64 = (text: string): Uint8Array<ArrayBuffer> | null => {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0) return null;
  const binary = atob(text);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
};

/** Equal byte strings, compared without stopping at the first difference (a signature, a key). */
export const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
};

const toBase64 = (bytes: Uint8Array): string => {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
};

/** The key bytes of a `whsec_` secret, or why it is not one (too short included). */
export const decodeSecret = (secret: string): { key: Uint8Array<ArrayBuffer> } | { problem: string } => {
  if (!secret.startsWith(PREFIX)) return { problem: `must start with ${PREFIX}` };
  const key = fromBase64(secret.slice(PREFIX.length));
  if (!key) return { problem: `must be ${PREFIX} followed by base64` };
  if (key.length < MIN_SECRET_BYTES) {
    return { problem: `must decode to at least ${MIN_SECRET_BYTES} bytes (it decodes to ${key.length})` };
  }
  return { key };
};

/** A new secret: `whsec_` + base64 of 32 random bytes. */
export const newSecret = (): string => PREFIX + toBase64(crypto.getRandomValues(new Uint8Array(32)));

export interface Signer {
  /** The `webhook-signature` header's value for one attempt. */
  sign(id: string, timestampSeconds: number, body: string): Promise<string>;
}

/** HMAC-SHA256 of `message` under `key`, base64, computed at once: what a runtime with one (node:crypto) offers. */
export type HmacSha256Base64 = (key: Uint8Array<ArrayBuffer>, message: string) => string;

/**
 * Signs with `hmac` when the runtime gives one, else with WebCrypto (every runtime has it, but each signature is an
 * asynchronous job: on Node a turn through its thread pool, for an HMAC of a few hundred bytes). With several keys
 * (the current secret, then the one before a rotation) the header holds one `v1,` signature per key, space-separated
 * as Standard Webhooks has it, so a receiver that knows either secret verifies the event with its library as it is.
 */
export const createSigner = (
  keys: readonly [Uint8Array<ArrayBuffer>, ...Uint8Array<ArrayBuffer>[]],
  hmac?: HmacSha256Base64,
): Signer => {
  if (hmac) {
    return {
      sign: async (id, timestampSeconds, body) => {
        const message = `${id}.${timestampSeconds}.${body}`;
        return keys.map((key) => `v1,${hmac(key, message)}`).join(' ');
      },
    };
  }
  // Imported once each, on first use: importKey is async and the signer is made synchronously at start-up.
  const imported: (Promise<CryptoKey> | undefined)[] = [];
  const cryptoKey = (i: number) => {
    imported[i] ??= crypto.subtle.importKey('raw', keys[i]!, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    return imported[i];
  };
  const encoder = new TextEncoder();
  return {
    async sign(id, timestampSeconds, body) {
      const message = encoder.encode(`${id}.${timestampSeconds}.${body}`);
      const signed = await Promise.all(
        keys.map(async (_, i) =>
          toBase64(new Uint8Array(await crypto.subtle.sign('HMAC', await cryptoKey(i), message))),
        ),
      );
      return signed.map((signature) => `v1,${signature}`).join(' ');
    },
  };
};
