/** @module requestHash(): what an Idempotency-Key is bound to, so the same key with another body is caught. */
import type { CancelRequestOutput } from '../../shared/schemas/cancel-request.ts';

const encoder = new TextEncoder();
const hex = (bytes: ArrayBuffer): string =>
  [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');

/** The validated request with its fields in a fixed order; absent and null are the same. */
const canonical = (req: CancelRequestOutput): Uint8Array<ArrayBuffer> =>
  encoder.encode(
    JSON.stringify([
      req.merchant_uid,
      req.cancel_request_amount ?? null,
      req.reason,
      req.refund_holder ?? null,
      req.refund_bank ?? null,
      req.refund_account ?? null,
      req.refund_tel ?? null,
      // Only when sent: a request without them hashes as it did before they existed (keys stored then still match).
      // A number and a string: which of the two was sent is never in doubt.
      ...(req.checksum === undefined ? [] : [req.checksum]),
      ...(req.imp_uid === undefined ? [] : [req.imp_uid]),
    ]),
  );

/**
 * HMAC-SHA256 (hex) of the request under `key`, a secret of the proxy's (the grant secret). Keyed because the request
 * holds a refund account: the ledger keeps its last four digits and the holder beside the record, so a plain hash
 * could be searched back to the whole number.
 */
export const requestHash = async (req: CancelRequestOutput, key: string): Promise<string> =>
  hex(await crypto.subtle.sign('HMAC', await hmacKey(key), canonical(req)));

/**
 * The imported keys, once per secret (a process has one, two during a rotation): importing one for every refund
 * would cost each of them. Kept to a few, as tests make many proxies in one process.
 */
const imported = new Map<string, Promise<CryptoKey>>();
const hmacKey = (secret: string): Promise<CryptoKey> => {
  let key = imported.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    if (imported.size >= 4) imported.clear();
    imported.set(secret, key);
  }
  return key;
};

/**
 * The plain SHA-256 (hex) an earlier version stored. Never stored now; only compared, so a key such a version
 * recorded (its record lives 25 hours) is still honoured after an upgrade.
 */
export const legacyRequestHash = async (req: CancelRequestOutput): Promise<string> =>
  hex(await crypto.subtle.digest('SHA-256', canonical(req)));

/**
 * The other hashes an earlier record of the same request may hold: under each key after the first (the grant secret
 * before a rotation, REFUND_TOKEN_SECRET_PREVIOUS), and the plain one of an earlier version (legacyRequestHash).
 */
export const earlierRequestHashes = async (req: CancelRequestOutput, keys: readonly string[]): Promise<string[]> => [
  ...(await Promise.all(keys.slice(1).map((key) => requestHash(req, key)))),
  await legacyRequestHash(req),
];
