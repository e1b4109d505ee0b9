/**
 * @module buildProxy(config, runtime): the proxy, made from its configuration and what the runtime supplies (the
 * ledger, fetch, the client IP, where work after an answer is kept). Every entry and every test builds it here. It
 * reads no environment and touches no runtime API.
 */
import { type Context, Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { adminRoutes } from './admin/routes.ts';
import type { AppDeps } from './app-deps.ts';
import { requireGrant } from './auth/require-grant.ts';
import { type Background, createBackground } from './background.ts';
import type { Config } from './config.ts';
import { AppError, failure } from './errors.ts';
import { createIamportClient, type FetchLike, type IamportClient } from './iamport/client.ts';
import { consoleLog, type Log } from './log-line.ts';
import { limitBody } from './middleware/body-limit.ts';
import { cors } from './middleware/cors.ts';
import { originGuard } from './middleware/origin-guard.ts';
import { rateLimit } from './middleware/rate-limit.ts';
import { createRefusedOriginLog } from './middleware/refused-origin-log.ts';
import { requestLog } from './middleware/request-log.ts';
import { rateGroupOf } from './net/ip.ts';
import { createSealer } from './requests/account-crypto.ts';
import { healthRoutes } from './routes/health.ts';
import { paymentRoutes } from './routes/payments.ts';
import { refundRequestRoutes } from './routes/refund-requests.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { widgetRoutes } from './routes/widget.ts';
import { guardStore, LedgerUnavailableError } from './store/guard.ts';
import type { Store } from './store/store.ts';
import { createRetryTimer, createWebhookForwarder, type RetryWait } from './webhook-forwarder.ts';
import { createDispatcher, type Dispatcher } from './webhooks/dispatcher.ts';
import { createSigner, decodeSecret } from './webhooks/signing.ts';

/** The configuration the proxy needs; tests leave out what they do not exercise (rate limits then off). */
export type ProxyConfig = Pick<Config, 'iamport' | 'grantSecret' | 'allowedOrigins'> & Partial<Pick<Config, Optional>>;

type Optional =
  | 'sandbox'
  | 'rateLimit'
  | 'publicOrigin'
  | 'maxGrantTtlSeconds'
  | 'webhookIps'
  | 'healthDetails'
  | 'webhookForwardUrl'
  | 'admin'
  | 'merchantWebhooks'
  | 'dataKeys';

/** What the runtime supplies. */
export interface RuntimePieces {
  readonly store: Store;
  /** How i'mport is reached, and the shop's webhook handler (IAMPORT_WEBHOOK_FORWARD_URL). */
  readonly fetch: FetchLike;
  /** The client's IP as the runtime sees it (or as a trusted reverse proxy reports it); none unless given. */
  readonly clientIp?: (c: Context) => string | null;
  /** Where work that outlives an answer is kept; an entry that closes the ledger at shutdown waits for it first. */
  readonly background?: Background;
  /** The built widget (`dist/refund-button.js`), or null when it was not built. */
  readonly loadWidget?: AppDeps['loadWidget'];
  readonly log?: Log;
  /** Epoch ms. */
  readonly now?: () => number;
  /** Origins the proxy knows as its own besides PUBLIC_ORIGIN (the sandbox's listen address, known once it listens). */
  readonly ownOrigins?: () => readonly string[];
  readonly leaseWaitMs?: number;
  /** A client of one's own in place of the one made from config.iamport (the benchmarks' token-cache-off run). */
  readonly iamport?: IamportClient;
  /** How a webhook forward waits before its next try; a timer unless given (an entry's stops at shutdown). */
  readonly retryWait?: RetryWait;
}

/** Our bodies are a few hundred bytes; anything near this is not a refund request. */
const MAX_BODY_BYTES = 16 * 1024;

/** The merchant webhooks' dispatcher over the ledger's outbox, when MERCHANT_WEBHOOK_URL and its secret are set. */
const dispatcherOf = (
  config: ProxyConfig,
  runtime: RuntimePieces,
  pieces: { store: Store; now: () => number; log: Log; background: Background },
): Dispatcher | null => {
  const webhooks = config.merchantWebhooks;
  if (!webhooks) return null;
  const decoded = decodeSecret(webhooks.secret);
  // parseConfig refuses such a secret; a test or an entry that skipped it must not send unsigned events.
  if ('problem' in decoded) throw new Error(`MERCHANT_WEBHOOK_SECRET ${decoded.problem}`);
  return createDispatcher({
    ...pieces,
    fetch: runtime.fetch,
    urls: webhooks.urls,
    signer: createSigner(decoded.key),
    retryDelaysMs: webhooks.retryDelaysMs,
    randomId: () => crypto.randomUUID(),
  });
};

const depsOf = (config: ProxyConfig, runtime: RuntimePieces): AppDeps & { readonly outbox: Dispatcher | null } => {
  const { now = Date.now, log = consoleLog } = runtime;
  const background = runtime.background ?? createBackground();
  const store = guardStore(runtime.store);
  const outbox = dispatcherOf(config, runtime, { store, now, log, background });
  const fixedOrigins = config.publicOrigin ? [config.publicOrigin] : [];
  const more = runtime.ownOrigins;
  // Imported once, on first use: WebCrypto's key import is async, and a start-up need not wait for it.
  let sealer: ReturnType<typeof createSealer> | undefined;
  const iamport =
    runtime.iamport ??
    createIamportClient({
      baseUrl: config.iamport.apiUrl,
      apiKey: config.iamport.apiKey,
      apiSecret: config.iamport.apiSecret,
      fetch: runtime.fetch,
      now,
      timeoutMs: config.iamport.timeoutMs,
      log,
    });
  return {
    store,
    outbox,
    webhooks: outbox,
    iamport,
    now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    randomId: () => crypto.randomUUID(),
    leaseWaitMs: runtime.leaseWaitMs ?? 20_000,
    // Renewed every third of its life while held (lease.ts): short, so a crashed holder frees its order quickly.
    leaseTtlMs: 6_000,
    log,
    background,
    sealer: () => {
      sealer ??= createSealer(config.dataKeys ?? { current: null, previous: null });
      return sealer;
    },
    grantSecret: config.grantSecret,
    maxGrantTtlSeconds: config.maxGrantTtlSeconds ?? 3600,
    allowedOrigins: config.allowedOrigins,
    ownOrigins: more ? () => [...fixedOrigins, ...more()] : () => fixedOrigins,
    clientIp: runtime.clientIp ?? (() => null),
    rateLimit: config.rateLimit ?? { perIp: 0, perOrder: 0, webhookPerIp: 0 },
    webhookIps: config.webhookIps ?? [],
    healthDetails: config.healthDetails ?? false,
    sandbox: config.sandbox ?? false,
    loadWidget: runtime.loadWidget ?? (async () => null),
    forwardWebhook: config.webhookForwardUrl
      ? createWebhookForwarder({
          url: config.webhookForwardUrl,
          fetch: runtime.fetch,
          wait: runtime.retryWait ?? createRetryTimer().wait,
          log,
        })
      : null,
  };
};

const tooLarge = (): never => {
  throw new AppError('PAYLOAD_TOO_LARGE', `The body is larger than the limit of ${MAX_BODY_BYTES} bytes (16 KB).`);
};

/** The proxy; see buildProxyWithOutbox for an entry that also drives the merchant webhooks' retries. */
export const buildProxy = (config: ProxyConfig, runtime: RuntimePieces): Hono =>
  buildProxyWithOutbox(config, runtime).app;

/**
 * The proxy and its merchant webhooks' dispatcher (null when they are not configured): an entry's timer or cron
 * trigger calls its runDue() so that retries go out and events a stopped instance held are picked up.
 */
export const buildProxyWithOutbox = (
  config: ProxyConfig,
  runtime: RuntimePieces,
): { readonly app: Hono; readonly outbox: Dispatcher | null } => {
  const deps = depsOf(config, runtime);
  const app = new Hono();
  // The proxy's own origins come from configuration: a Host header is the client's to write.
  const isAllowed = (origin: string) => deps.allowedOrigins.includes(origin) || deps.ownOrigins().includes(origin);
  const minute = { windowMs: 60_000, now: deps.now };
  const perIp = (c: Context) => (c.req.method === 'OPTIONS' ? null : `ip:${rateGroupOf(deps.clientIp(c))}`);
  const perOrder = (c: Context) => `order:${c.get('grant').sub}`;

  app.use('*', requestLog({ log: deps.log, clientIp: deps.clientIp }));
  // The customer's routes: the refund (/payments) and request mode's (/refund-requests), behind the same doors.
  const customer = ['/payments/*', '/refund-requests/*'] as const;
  const customerCors = cors({
    isAllowed,
    allowMethods: ['GET', 'POST', 'OPTIONS'],
    allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key'],
    exposeHeaders: ['Idempotent-Replayed', 'Retry-After'],
    maxAge: 600,
    onRefused: createRefusedOriginLog({ log: deps.log, now: deps.now }),
  });
  const guard = originGuard({ isAllowed });
  for (const path of customer) app.use(path, customerCors, guard);
  app.use('*', limitBody({ maxBytes: MAX_BODY_BYTES, onTooLarge: tooLarge }));
  const ipLimit = rateLimit({ ...minute, limit: deps.rateLimit.perIp, key: perIp });
  const grant = requireGrant({ secret: deps.grantSecret, maxTtlSeconds: deps.maxGrantTtlSeconds, now: deps.now });
  const orderLimit = rateLimit({ ...minute, limit: deps.rateLimit.perOrder, key: perOrder });
  for (const path of customer) app.use(path, ipLimit, grant, orderLimit);

  app.route('/', healthRoutes(deps));
  app.route('/', paymentRoutes(deps));
  app.route('/', refundRequestRoutes(deps));
  app.route('/', webhookRoutes(deps));
  app.route('/', widgetRoutes(deps));
  // Unset, the admin API does not exist: its routes answer 404 as any unknown route does. It sends no CORS headers
  // (the cors middleware covers /payments/* only): a browser page has no business with it.
  if (config.admin && config.admin.keys.length > 0) app.route('/', adminRoutes(deps, config.admin));

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
      const message = 'The refund ledger is unavailable, so nothing was refunded. Try again in a moment.';
      return c.json(failure('UPSTREAM_UNAVAILABLE', message).body, 503);
    }
    if (error instanceof HTTPException && error.status < 500) {
      c.set('errorCode', 'INVALID_REQUEST');
      return c.json(failure('INVALID_REQUEST', error.message || 'The request is not valid.').body, 400);
    }
    // A surprise: log it whole here, answer without details (they may hold internals).
    c.set('errorCode', 'INTERNAL');
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    deps.log({ level: 'error', msg: 'unhandled error', path: new URL(c.req.url).pathname, error: detail });
    return c.json(failure('INTERNAL').body, 500);
  });
  return { app, outbox: deps.outbox };
};
