/** @module What a refund request brings to the use case, once the route has parsed it and checked its grant. */
import type { CancelRequestOutput } from '../../shared/schemas/cancel-request.ts';
import type { Grant } from '../auth/grant.ts';

export interface CancelInput {
  readonly request: CancelRequestOutput;
  readonly grant: Grant;
  readonly idempotencyKey: string | null;
  readonly clientIp: string | null;
  readonly origin: string | null;
  /**
   * Set when staff approved a refund request: the attempt carries it, and its end moves the request. The request this
   * refund carries out, when the customer made it (`requested_at`, epoch ms), who approved it, and in which approval
   * round (its `approvals`).
   */
  readonly approval?: {
    readonly request_id: string;
    readonly requested_at: number;
    readonly approved_by: string;
    readonly round: number;
    /** The cancels the request's payment showed when it was taken (RefundRequestRecord.cancels_seen), when known. */
    readonly cancels_seen?: readonly string[] | null;
  };
}
