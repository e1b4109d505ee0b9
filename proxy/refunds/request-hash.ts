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

/** The imported key, once per secret (a process has one): importing it for every refund would cost each of them. */
let imported: { readonly secret: string; readonly key: Promise<CryptoKey> } | undefined;
const hmacKey = (secret: string): Promise<CryptoKey> => {
  if (imported?.secret !== secret) {
    const key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
    ]);
    imported = { secret, key };
  }
  return imported.key;
};

/**
 * The plain SHA-256 (hex) an earlier version stored. Never stored now; only compared, so a key such a version
 * recorded (its record lives 25 hours) is still honoured after an upgrade.
 */
export const legacyRequestHash = async (req: CancelRequestOutput): Promise<string> =>
  hex(await crypto.subtle.digest('SHA-256', canonical(req)));
