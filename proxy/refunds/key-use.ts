/**
 * @module earlierKeyUse(): what an Idempotency-Key's record says before a refund or a refund request does any work:
 * the key used for another body or order (refused), an answer stored for it (replayed as stored), or nothing yet.
 */
import type { Answer } from '../errors.ts';
import type { KeyClaim, OrderSnapshot } from '../store/store.ts';
import { type Failure, fail } from './outcome.ts';

type KeyRecord = NonNullable<OrderSnapshot['key']>;

/**
 * `reused`: the message for a key used before with another body. `B`: the body the route stores for this key.
 * `otherHashes`: the same request's hash as an earlier record may hold it (earlierRequestHashes: under the grant
 * secret before a rotation, or as an earlier version stored it), also taken as a match.
 */
export const earlierKeyUse = <B>(
  claim: KeyClaim,
  { record, created }: KeyRecord,
  reused: string,
  otherHashes: readonly string[] = [],
): Failure | { readonly kind: 'replayed'; readonly answer: Answer<B> } | null => {
  if (created) return null;
  const sameBody = record.request_hash === claim.request_hash || otherHashes.includes(record.request_hash);
  if (!sameBody || record.merchant_uid !== claim.merchant_uid) {
    return fail('IDEMPOTENCY_KEY_REUSED', reused);
  }
  if (record.state === 'done' && record.response_status !== null && record.response_body !== null) {
    // Written by the route's own rendering of its answer when the key's first run ended.
    const body = JSON.parse(record.response_body) as B;
    return { kind: 'replayed', answer: { status: record.response_status, body } };
  }
  return null;
};
