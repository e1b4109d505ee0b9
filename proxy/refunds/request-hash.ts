/** @module requestHash(): what an Idempotency-Key is bound to, so the same key with another body is caught. */
import type { CancelRequestOutput } from '../../shared/schemas/cancel-request.ts';

/** SHA-256 (hex) of the validated request with its fields in a fixed order; absent and null are the same. */
export const requestHash = async (req: CancelRequestOutput): Promise<string> => {
  const canonical = JSON.stringify([
    req.merchant_uid,
    req.cancel_request_amount ?? null,
    req.reason,
    req.refund_holder ?? null,
    req.refund_bank ?? null,
    req.refund_account ?? null,
    req.refund_tel ?? null,
  ]);
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonical));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
};
