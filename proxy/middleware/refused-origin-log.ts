/**
 * @module createRefusedOriginLog(): says at warn level that a page's origin was refused, naming ALLOWED_ORIGINS, at
 * most once per origin per window. A browser hides the refusal from the page (a preflight without
 * Access-Control-Allow-Origin is only a network error to it), so this line is how a missing ALLOWED_ORIGINS shows.
 */
import type { Log } from '../log-line.ts';

export interface RefusedOriginLogOptions {
  readonly log: Log;
  /** Epoch ms. */
  readonly now: () => number;
  /** How long an origin stays quiet after its warning; ten minutes unless given. */
  readonly windowMs?: number;
  /** How many origins are remembered at most (the oldest warning is forgotten first); 1,000 unless given. */
  readonly maxOrigins?: number;
}

export const REFUSED_ORIGIN_MESSAGE = 'origin not allowed; add it to ALLOWED_ORIGINS to let its pages refund';

// The header is the client's to write: a long one is cut, so neither the log nor the memory grows with it.
const MAX_ORIGIN_LENGTH = 200;

/** Returns the function the CORS middleware calls with each refused Origin. */
export const createRefusedOriginLog = ({
  log,
  now,
  windowMs = 10 * 60_000,
  maxOrigins = 1000,
}: RefusedOriginLogOptions): ((origin: string) => void) => {
  // Insertion order is warning order: a re-warned origin is moved to the end, so the first key is the oldest.
  const warnedAt = new Map<string, number>();
  return (rawOrigin) => {
    const origin = rawOrigin.slice(0, MAX_ORIGIN_LENGTH);
    const time = now();
    const last = warnedAt.get(origin);
    if (last !== undefined && time - last < windowMs) return;
    warnedAt.delete(origin);
    if (warnedAt.size >= maxOrigins) warnedAt.delete(warnedAt.keys().next().value!);
    warnedAt.set(origin, time);
    log({ level: 'warn', msg: REFUSED_ORIGIN_MESSAGE, origin });
  };
};
