/**
 * @module shutdownGraceMs(): how long an entry waits at SIGTERM for work in flight before it exits anyway. Long enough
 * for a refund's gateway call, or a merchant event's POST, to end on its own (answered, or timed out): cut short, a
 * cancel the gateway was about to answer becomes an outcome nobody knows, and an event already delivered is sent again.
 */
import type { Config } from '../config.ts';
import { DELIVERY_TIMEOUT_MS } from '../webhooks/dispatcher.ts';

export const shutdownGraceMs = (config: Pick<Config, 'iamport' | 'portone'>): number =>
  Math.max(config.portone?.timeoutMs ?? config.iamport.timeoutMs, DELIVERY_TIMEOUT_MS) + 10_000;
