/**
 * @module The Node entry's own HMAC-SHA256 and AES-256-GCM, over node:crypto: each computed at once on the calling
 * thread, where WebCrypto's (which the other runtimes use) is an asynchronous job through Node's thread pool, a
 * wake-up of its own per merchant webhook signed and per refund account sealed or opened.
 */
import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import type { AesGcm } from '../requests/account-crypto.ts';
import type { HmacSha256Base64 } from '../webhooks/signing.ts';

export const hmacSha256: HmacSha256Base64 = (key, message) =>
  createHmac('sha256', key).update(message).digest('base64');

const TAG_BYTES = 16;

export const aesGcm: AesGcm = {
  seal(key, iv, plain) {
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    return Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  },
  open(key, iv, sealed) {
    if (sealed.length < TAG_BYTES) throw new Error('sealed value shorter than its tag');
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]);
  },
};
