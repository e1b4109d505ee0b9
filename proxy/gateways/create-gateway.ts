/**
 * @module createGateway(): the one place that picks the gateway from the parsed configuration (proxy/config.ts) and
 * builds it with what the runtime supplies. Nothing else imports a gateway's own module.
 */
import type { Config } from '../config.ts';
import type { Log } from '../log-line.ts';
import type { FetchLike } from '../net/fetch-like.ts';
import type { Gateway, RecordCall } from './gateway.ts';
import { createIamportGateway } from './iamport/gateway.ts';

export interface GatewayPieces {
  readonly fetch: FetchLike;
  /** Epoch ms. */
  readonly now: () => number;
  readonly log: Log;
  /** The gateway latency histogram (refund_proxy_gateway_request_seconds). */
  readonly recordCall?: RecordCall;
  /** A monotonic clock in ms for that histogram; performance.now() unless given. */
  readonly stopwatch?: () => number;
}

export const createGateway = (
  config: Pick<Config, 'iamport'> & Partial<Pick<Config, 'holderCheck'>>,
  pieces: GatewayPieces,
): Gateway =>
  createIamportGateway({
    baseUrl: config.iamport.apiUrl,
    apiKey: config.iamport.apiKey,
    apiSecret: config.iamport.apiSecret,
    fetch: pieces.fetch,
    now: pieces.now,
    timeoutMs: config.iamport.timeoutMs,
    holderLookup: config.holderCheck?.iamportLookup ?? false,
    log: pieces.log,
    ...(pieces.recordCall ? { recordCall: pieces.recordCall } : {}),
    ...(pieces.stopwatch ? { stopwatch: pieces.stopwatch } : {}),
  });
