/**
 * @module requestLog(): one structured line per request. It logs method, path, status, timing, client IP, Origin and
 * the error code, never headers or bodies, so no secret, grant or account number can reach the log.
 */
import type { Context, MiddlewareHandler } from 'hono';

declare module 'hono' {
  interface ContextVariableMap {
    errorCode: string;
    /** Set when the answer is a stored one, replayed for a repeated Idempotency-Key. */
    replayed: boolean;
  }
}

export interface RequestLogOptions {
  readonly log: (line: Record<string, unknown>) => void;
  readonly clientIp: (c: Context) => string | null;
}

// The path and the Origin are the client's to write, on any route and before any limit: a long one is cut, so that
// no sender can make each line kilobytes long (and the log pipeline with it).
const MAX_LOGGED_LENGTH = 200;
const capped = (text: string): string =>
  text.length > MAX_LOGGED_LENGTH ? `${text.slice(0, MAX_LOGGED_LENGTH)}…(${text.length} chars)` : text;

export const requestLog = ({ log, clientIp }: RequestLogOptions): MiddlewareHandler =>
  async function requestLog(c, next) {
    const started = performance.now();
    const origin = c.req.header('Origin');
    await next();
    const code = c.get('errorCode');
    log({
      level: c.res.status >= 500 ? 'error' : 'info',
      msg: 'request',
      method: c.req.method,
      path: capped(c.req.path),
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
      ip: clientIp(c),
      origin: origin === undefined ? null : capped(origin),
      ...(code ? { code } : {}),
      // Which admin key called (a short hash of it; proxy/admin/admin-key.ts), never the key.
      ...(c.get('adminKeyId') ? { key_id: c.get('adminKeyId') } : {}),
      // Which staff member called through the staff door (a verified staff grant's sub).
      ...(c.get('staffSub') ? { staff_sub: c.get('staffSub') } : {}),
      // Read from the context, not c.res.headers: reading an answer's headers makes the Node server build it anew.
      ...(c.get('replayed') ? { replayed: true } : {}),
    });
  };
