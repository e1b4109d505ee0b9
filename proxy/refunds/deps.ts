/** @module What the refund use case needs from the outside, passed in so tests and runtimes can supply their own. */

import type { Background } from '../background.ts';
import type { Gateway } from '../gateways/gateway.ts';
import type { HolderCheckMode } from '../holders/holder-check.ts';
import type { Store } from '../store/store.ts';
import type { HeldLease } from './lease.ts';
import type { CancelOutcome } from './outcome.ts';

export interface RefundDeps {
  readonly store: Store;
  /** The payment gateway (i'mport V1 or PortOne V2); the use case knows no other. */
  readonly gateway: Gateway;
  /** Epoch ms. */
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly randomId: () => string;
  /**
   * Key the hash an Idempotency-Key's record keeps of its request (request-hash.ts): the grant secret first (new
   * records are hashed under it), then REFUND_TOKEN_SECRET_PREVIOUS's during a rotation (a record from before it
   * still matches its request).
   */
  readonly requestHashKeys: readonly [string, ...string[]];
  /** How long a request waits for another refund of the same order to finish before answering REFUND_IN_PROGRESS. */
  readonly leaseWaitMs: number;
  /** How long a lease lives unless renewed; its holder renews it while working, so this is how long a crash blocks. */
  readonly leaseTtlMs: number;
  readonly log: (line: Record<string, unknown>) => void;
  /** Keeps writes that follow an answer (under the order's lease) alive until they are done. */
  readonly background: Background;
  /** VERIFY_REFUND_HOLDER: the account-holder check before a virtual-account refund; `when_available` unless given. */
  readonly holderCheck?: HolderCheckMode;
  /** Merchant webhooks, when configured: outcomes then write their events, and a write is followed by a kick. */
  readonly webhooks?: WebhookSink | null;
  /**
   * The order's lease, set by the refund that holds it (lease.ts HeldLease): asked before judging from a slow read, and
   * the change's attempt is written under it (nothing is sent once another instance has taken the order).
   */
  readonly lease?: HeldLease;
  /** Told of every refund's outcome, however it was asked for (the refunds counter of /metrics). */
  readonly countRefund?: (outcome: CancelOutcome) => void;
}

export interface WebhookSink {
  /** An event was written: deliver what is due (in the background). */
  kick(): void;
}
