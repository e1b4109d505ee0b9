/**
 * @module exitAfterGrace(): how long an entry waits at SIGTERM for work in flight before it exits anyway. Long enough
 * for a refund's gateway call, or a merchant event's POST, to end on its own (answered, or timed out): cut short, a
 * cancel the gateway was about to answer becomes an outcome nobody knows, and an event already delivered is sent again.
 */
import type { Config } from '../config.ts';
import { consoleLog } from '../log-line.ts';
import { DELIVERY_TIMEOUT_MS } from '../webhooks/dispatcher.ts';

const shutdownGraceMs = (config: Pick<Config, 'iamport' | 'portone'>): number =>
  Math.max(config.portone?.timeoutMs ?? config.iamport.timeoutMs, DELIVERY_TIMEOUT_MS) + 10_000;

/**
 * Exits with 1 once the grace has passed, saying so: the entries' last resort after SIGTERM, when work in flight has not
 * ended by then. Returns the timer, for an entry whose runtime lets it not hold the process alone (unref).
 */
export const exitAfterGrace = (
  config: Pick<Config, 'iamport' | 'portone'>,
  exit: (code: number) => void,
): ReturnType<typeof setTimeout> => {
  const graceMs = shutdownGraceMs(config);
  return setTimeout(() => {
    consoleLog({ level: 'warn', msg: `shutdown: work still running after ${graceMs / 1000} s; exiting anyway` });
    exit(1);
  }, graceMs);
};
