/** @module What the request-mode use cases need: the refund's own dependencies, and the account sealer. */
import type { RefundDeps } from '../refunds/deps.ts';
import type { Sealer } from './account-crypto.ts';

export interface RequestDeps extends RefundDeps {
  /** Seals and opens refund accounts; resolves to null when DATA_ENCRYPTION_KEY is not set (request mode off). */
  readonly sealer: () => Promise<Sealer | null>;
}

/** Said when request mode is off: which setting turns it on. */
export const REQUEST_MODE_OFF =
  'Refund requests are off: the proxy has no DATA_ENCRYPTION_KEY to keep refund accounts with. Set ' +
  'DATA_ENCRYPTION_KEY (32 bytes, base64) to turn request mode on.';
