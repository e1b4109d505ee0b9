/**
 * @module createGateway(): the one place that picks the gateway from the parsed configuration (proxy/config.ts) and
 * builds it with what the runtime supplies. Nothing else imports a gateway's own module.
 */
import type { Config } from '../config.ts';
import type { Log } from '../log-line.ts';
import type { FetchLike } from '../net/fetch-like.ts';
import type { Gateway, RecordCall } from './gateway.ts';
import { createIamportGateway } from './iamport/gateway.ts';
import { createPortOneGateway } from './portone/gateway.ts';

export interface GatewayPieces {
  readonly fetch: FetchLike;
  /** Epoch ms. */
  readonly now: () => number;
  readonly log: Log;
  /** The gateway latency histogram (refund_proxy_gateway_request_seconds). */
  readonly recordCall?: RecordCall;
  /** A monotonic clock in ms for that histogram; performance.now() unless given. */
  readonly stopwatch?: () => number;
  /**
   * PortOne V2 takes payments of a TEST channel (the sandbox's fake pays on one); never set live, where such a payment
   * is one the shop's checkout did not really take.
   */
  readonly testChannel?: boolean;
}

/** PortOne V2 when its secret is configured (config.ts allows only one gateway's credentials), else i'mport V1. */
export const createGateway = (
  config: Pick<Config, 'iamport' | 'portone'> & Partial<Pick<Config, 'holderCheck'>>,
  pieces: GatewayPieces,
): Gateway =>
  config.portone
    ? createPortOneGateway({
        baseUrl: config.portone.apiUrl,
        apiSecret: config.portone.apiSecret,
        ...(config.portone.storeId === undefined ? {} : { storeId: config.portone.storeId }),
        webhookSecret: config.portone.webhookSecret,
        fetch: pieces.fetch,
        now: pieces.now,
        timeoutMs: config.portone.timeoutMs,
        log: pieces.log,
        testChannel: pieces.testChannel === true,
        ...(pieces.recordCall ? { recordCall: pieces.recordCall } : {}),
        ...(pieces.stopwatch ? { stopwatch: pieces.stopwatch } : {}),
      })
    : createIamportGateway({
        baseUrl: config.iamport.apiUrl,
        apiKey: config.iamport.apiKey,
        apiSecret: config.iamport.apiSecret,
        fetch: pieces.fetch,
        now: pieces.now,
        timeoutMs: config.iamport.timeoutMs,
        holderLookup: config.holderCheck?.iamportLookup ?? false,
        ...(config.iamport.inicisPgApiKey ? { inicisPgApiKey: config.iamport.inicisPgApiKey } : {}),
        log: pieces.log,
        ...(pieces.recordCall ? { recordCall: pieces.recordCall } : {}),
        ...(pieces.stopwatch ? { stopwatch: pieces.stopwatch } : {}),
      });
