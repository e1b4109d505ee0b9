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

export const requestLog = ({ log, clientIp }: RequestLogOptions): MiddlewareHandler =>
  async function requestLog(c, next) {
    const started = performance.now();
    await next();
    const code = c.get('errorCode');
    log({
      level: c.res.status >= 500 ? 'error' : 'info',
      msg: 'request',
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
      ip: clientIp(c),
      origin: c.req.header('Origin') ?? null,
      ...(code ? { code } : {}),
      // Which admin key called (a short hash of it; proxy/admin/admin-key.ts), never the key.
      ...(c.get('adminKeyId') ? { key_id: c.get('adminKeyId') } : {}),
      // Which staff member called through the staff door (a verified staff grant's sub).
      ...(c.get('staffSub') ? { staff_sub: c.get('staffSub') } : {}),
      // Read from the context, not c.res.headers: reading an answer's headers makes the Node server build it anew.
      ...(c.get('replayed') ? { replayed: true } : {}),
    });
  };
