/** @module createApp(deps): the proxy's HTTP surface. Wiring only: it reads no environment and touches no runtime API. */
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppDeps } from './app-deps.ts';
import { requireGrant } from './auth/require-grant.ts';
import { AppError, failure } from './errors.ts';
import { limitBody } from './middleware/body-limit.ts';
import { cors } from './middleware/cors.ts';
import { originGuard } from './middleware/origin-guard.ts';
import { rateLimit } from './middleware/rate-limit.ts';
import { requestLog } from './middleware/request-log.ts';
import { rateGroupOf } from './net/ip.ts';
import { healthRoutes } from './routes/health.ts';
import { LedgerUnavailableError } from './store/guard.ts';
import { paymentRoutes } from './routes/payments.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { widgetRoutes } from './routes/widget.ts';

/** Our bodies are a few hundred bytes; anything near this is not a refund request. */
const MAX_BODY_BYTES = 16 * 1024;

export const createApp = (deps: AppDeps): Hono => {
  const app = new Hono();
  // The proxy's own origins come from configuration: a Host header is the client's to write.
  const isAllowed = (origin: string) => deps.allowedOrigins.includes(origin) || deps.ownOrigins().includes(origin);

  app.use('*', requestLog({ log: deps.log, clientIp: deps.clientIp }));
  app.use(
    '/payments/*',
    cors({
      isAllowed,
      allowMethods: ['GET', 'POST', 'OPTIONS'],
      allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key'],
      exposeHeaders: ['Idempotent-Replayed', 'Retry-After'],
      maxAge: 600,
    }),
  );
  app.use('/payments/*', originGuard({ isAllowed }));
  app.use('*', limitBody({ maxBytes: MAX_BODY_BYTES, onTooLarge: () => { throw new AppError('PAYLOAD_TOO_LARGE', `The body is larger than the limit of ${MAX_BODY_BYTES} bytes (16 KB).`); } }));
  const minute = { windowMs: 60_000, now: deps.now };
  app.use('/payments/*', rateLimit({ ...minute, limit: deps.rateLimit.perIp, key: (c) => (c.req.method === 'OPTIONS' ? null : `ip:${rateGroupOf(deps.clientIp(c))}`) }));
  app.use('/payments/*', requireGrant({ secret: deps.grantSecret, maxTtlSeconds: deps.maxGrantTtlSeconds, now: deps.now }));
  app.use('/payments/*', rateLimit({ ...minute, limit: deps.rateLimit.perOrder, key: (c) => `order:${c.get('grant').sub}` }));

  app.route('/', healthRoutes(deps));
  app.route('/', paymentRoutes(deps));
  app.route('/', webhookRoutes(deps));
  app.route('/', widgetRoutes(deps));

  // The path is not echoed: an answer that reflects what the client sent is a place to smuggle text into.
  app.notFound((c) => c.json(failure('INVALID_REQUEST', 'There is no such route.').body, 404));
  app.onError((error, c) => {
    if (error instanceof AppError) {
      c.set('errorCode', error.code);
      const answer = failure(error.code, error.message);
      return c.json(answer.body, answer.status as ContentfulStatusCode, error.headers);
    }
    if (error instanceof LedgerUnavailableError) {
      c.set('errorCode', 'UPSTREAM_UNAVAILABLE');
      deps.log({ level: 'error', msg: 'ledger unavailable', operation: error.operation, error: String(error.cause) });
      return c.json(failure('UPSTREAM_UNAVAILABLE', 'The refund ledger is unavailable, so nothing was refunded. Try again in a moment.').body, 503);
    }
    if (error instanceof HTTPException && error.status < 500) {
      c.set('errorCode', 'INVALID_REQUEST');
      return c.json(failure('INVALID_REQUEST', error.message || 'The request is not valid.').body, 400);
    }
    // A surprise: log it whole here, answer without details (they may hold internals).
    c.set('errorCode', 'INTERNAL');
    deps.log({ level: 'error', msg: 'unhandled error', path: new URL(c.req.url).pathname, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    return c.json(failure('INTERNAL').body, 500);
  });
  return app;
};
