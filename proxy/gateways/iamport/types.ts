/**
 * @module The i'mport client's surface: what it needs (an injected fetch) and the wire calls it makes; its results are
 * the gateway seam's (gateways/gateway.ts).
 */

import type { FetchLike } from '../../net/fetch-like.ts';
import type { ChangeResult, HolderLookup, LookupResult } from '../gateway.ts';
import type { CancelParams } from './schemas.ts';

export type { FetchedResponse, FetchInit, FetchLike } from '../../net/fetch-like.ts';
export type { ChangeResult, HolderLookup, LookupResult, Refused, Unavailable } from '../gateway.ts';

export interface IamportClientOptions {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly fetch: FetchLike;
  /** Epoch ms. */
  readonly now?: () => number;
  readonly timeoutMs?: number;
  /** Where answers the client refuses are reported (level `error`, naming the field); default: nowhere. */
  readonly log?: (line: Record<string, unknown>) => void;
}

export interface IamportClient {
  readonly baseUrl: string;
  getPayment(impUid: string): Promise<LookupResult>;
  /** The order's paid (or cancelled) payment when it has several, e.g. a failed try before the paid one. */
  findPayment(merchantUid: string): Promise<LookupResult>;
  cancelPayment(params: CancelParams): Promise<ChangeResult>;
  revokeVbank(impUid: string, pgApiKey?: string): Promise<ChangeResult>;
  /** `GET /vbanks/holder`, which i'mport no longer documents: the holder of a bank account (the PG's bank code). */
  lookupHolder(bankCode: string, bankNum: string): Promise<HolderLookup>;
}
