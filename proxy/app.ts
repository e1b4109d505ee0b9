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
import { AppError, failure, ledgerDown } from './errors.ts';
import { createGateway } from './gateways/create-gateway.ts';
import type { Gateway } from './gateways/gateway.ts';
import { consoleLog, type Log } from './log-line.ts';
import { createProxyMetrics } from './metrics/proxy-metrics.ts';
import { metricsRoutes } from './metrics/routes.ts';
import { limitBody } from './middleware/body-limit.ts';
import { cors } from './middleware/cors.ts';
import { originGuard } from './middleware/origin-guard.ts';
import { rateLimit } from './middleware/rate-limit.ts';
import { createRefusedOriginLog } from './middleware/refused-origin-log.ts';
import { requestLog } from './middleware/request-log.ts';
import type { FetchLike } from './net/fetch-like.ts';
import { rateGroupOf } from './net/ip.ts';
import { createAttention, DEFAULT_ATTENTION_AFTER_SECONDS } from './refunds/attention.ts';
import { settleOrder } from './refunds/settle-order.ts';
import { type AesGcm, createSealer } from './requests/account-crypto.ts';
import { failUnstartedApprovals } from './requests/decide.ts';
import { tellingFailedRequests } from './requests/events.ts';
import { healthRoutes } from './routes/health.ts';
import { paymentRoutes } from './routes/payments.ts';
import { refundRequestRoutes } from './routes/refund-requests.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { widgetRoutes } from './routes/widget.ts';
import { staffDoors, staffRoutes } from './staff/routes.ts';
import { guardStore, LedgerUnavailableError } from './store/guard.ts';
import type { OutboxEvent } from './store/outbox.ts';
import type { Store } from './store/store.ts';
import { createRetryTimer, createWebhookForwarder, type RetryWait } from './webhook-forwarder.ts';
import { createDispatcher, type Dispatcher, type DispatcherOptions } from './webhooks/dispatcher.ts';
import { createSigner, decodeSecret, type HmacSha256Base64 } from './webhooks/signing.ts';

/** The configuration the proxy needs; tests leave out what they do not exercise (rate limits then off). */
export type ProxyConfig = Pick<Config, 'iamport' | 'portone' | 'grantSecret' | 'allowedOrigins'> &
  Partial<Pick<Config, Optional>>;

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
  | 'attentionAfterSeconds'
  | 'staffPerSubPerMinute'
  | 'dataKeys'
  | 'holderCheck'
  | 'previousGrantSecret';

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
  /** A gateway of one's own in place of the one made from config (the benchmarks' token-cache-off run, tests). */
  readonly gateway?: Gateway;
  /** How a webhook forward waits before its next try; a timer unless given (an entry's stops at shutdown). */
  readonly retryWait?: RetryWait;
  /** A monotonic clock in ms for the gateway calls' latency histogram; performance.now() unless given. */
  readonly stopwatch?: () => number;
  /** A synchronous HMAC-SHA256 for the merchant webhooks' signatures (node:crypto's); WebCrypto's unless given. */
  readonly hmacSha256?: HmacSha256Base64;
  /** A synchronous AES-256-GCM for the refund accounts requests carry (node:crypto's); WebCrypto's unless given. */
  readonly aesGcm?: AesGcm;
}

/**
 * The proxy's background pass, which an entry's timer (every 2 s) or Workers' cron (every minute) runs: the merchant
 * webhooks' due deliveries when they are configured, and the attention check (every 30 s at most) in any case.
 */
export interface BackgroundPass {
  /** Delivers what is due now, in the background (nothing without merchant webhooks). */
  kick(): void;
  /** Runs the attention check when due, then delivers what is due; resolves with how many events it sent. */
  runDue(): Promise<number>;
}

/** Our bodies are a few hundred bytes; anything near this is not a refund request. */
const MAX_BODY_BYTES = 16 * 1024;

/** The merchant webhooks' dispatcher over the ledger's outbox, when MERCHANT_WEBHOOK_URL and its secret are set. */
const dispatcherOf = (
  config: ProxyConfig,
  runtime: RuntimePieces,
  pieces: Pick<DispatcherOptions, 'store' | 'now' | 'log' | 'background' | 'onDelivery' | 'onFailed'>,
): Dispatcher | null => {
  const webhooks = config.merchantWebhooks;
  if (!webhooks) return null;
  // parseConfig refuses such a secret; a test or an entry that skipped it must not send unsigned events.
  const keyOf = (name: string, secret: string) => {
    const decoded = decodeSecret(secret);
    if ('problem' in decoded) throw new Error(`${name} ${decoded.problem}`);
    return decoded.key;
  };
  const key = keyOf('MERCHANT_WEBHOOK_SECRET', webhooks.secret);
  const previous = webhooks.previousSecret;
  return createDispatcher({
    ...pieces,
    fetch: runtime.fetch,
    urls: webhooks.urls,
    signer: createSigner(
      previous === undefined ? [key] : [key, keyOf('MERCHANT_WEBHOOK_SECRET_PREVIOUS', previous)],
      runtime.hmacSha256,
    ),
    retryDelaysMs: webhooks.retryDelaysMs,
    ...(webhooks.timeoutMs === undefined ? {} : { timeoutMs: webhooks.timeoutMs }),
    randomId: () => crypto.randomUUID(),
  });
};

const depsOf = (config: ProxyConfig, runtime: RuntimePieces): AppDeps & { readonly outbox: BackgroundPass } => {
  const { now = Date.now, log = consoleLog } = runtime;
  const background = runtime.background ?? createBackground();
  const store = guardStore(runtime.store);
  const metrics = createProxyMetrics();
  const onFailed = (event: OutboxEvent) => attention.eventFailed(event);
  const webhooks = dispatcherOf(config, runtime, {
    store,
    now,
    log,
    background,
    onDelivery: metrics.delivery,
    onFailed,
  });
  const attention = createAttention({
    store,
    now,
    log,
    randomId: () => crypto.randomUUID(),
    afterMs: (config.attentionAfterSeconds ?? DEFAULT_ATTENTION_AFTER_SECONDS) * 1000,
    webhooks,
    // The deps below, once built: the check runs on the background schedule, never while they are being made.
    settle: (merchantUid, impUid) => settleOrder(deps, merchantUid, impUid),
    owns: (payment) => deps.gateway.owns(payment),
    lookAfterMs: () => deps.gateway.changeMayRunForMs,
    failUnstartedApprovals: (limit) => failUnstartedApprovals(deps, limit),
  });
  const outbox: BackgroundPass = {
    kick: () => webhooks?.kick(),
    async runDue() {
      await attention.due();
      return webhooks ? webhooks.runDue() : 0;
    },
  };
  const fixedOrigins = config.publicOrigin ? [config.publicOrigin] : [];
  const more = runtime.ownOrigins;
  // Imported once, on first use: WebCrypto's key import is async, and a start-up need not wait for it.
  let sealer: ReturnType<typeof createSealer> | undefined;
  const gateway =
    runtime.gateway ??
    createGateway(config, {
      fetch: runtime.fetch,
      now,
      log,
      recordCall: metrics.gatewayCall,
      // Only the sandbox, whose fake PortOne is its only gateway (config.ts), takes TEST-channel payments.
      testChannel: config.sandbox === true,
      ...(runtime.stopwatch ? { stopwatch: runtime.stopwatch } : {}),
    });
  const randomId = () => crypto.randomUUID();
  const deps: AppDeps & { readonly outbox: BackgroundPass } = {
    // With merchant webhooks, an approval's refund that fails without a refund event of its own says so
    // (refund_request.failed), however its end is learned.
    store: webhooks ? tellingFailedRequests(store, { now, randomId, webhooks }) : store,
    outbox,
    webhooks,
    metrics,
    countRefund: metrics.refund,
    gateway,
    now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    randomId,
    leaseWaitMs: runtime.leaseWaitMs ?? 20_000,
    holderCheck: config.holderCheck?.verify ?? 'when_available',
    // Renewed every third of its life while held (lease.ts): short, so a crashed holder frees its order quickly.
    leaseTtlMs: 6_000,
    log,
    background,
    sealer: () => {
      sealer ??= createSealer(config.dataKeys ?? { current: null, previous: null }, runtime.aesGcm);
      return sealer;
    },
    grantSecret: config.grantSecret,
    previousGrantSecret: config.previousGrantSecret,
    requestHashKeys: config.previousGrantSecret
      ? [config.grantSecret, config.previousGrantSecret]
      : [config.grantSecret],
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
  return deps;
};

const tooLarge = (): never => {
  throw new AppError('PAYLOAD_TOO_LARGE', `The body is larger than the limit of ${MAX_BODY_BYTES} bytes (16 KB).`);
};

/** The proxy; see buildProxyWithOutbox for an entry that also runs its background pass. */
export const buildProxy = (config: ProxyConfig, runtime: RuntimePieces): Hono =>
  buildProxyWithOutbox(config, runtime).app;

/**
 * The proxy and its background pass: an entry's timer or cron trigger calls its runDue() so that retries go out,
 * events a stopped instance held are picked up, and what needs attention is told (README.md, "Metrics").
 */
export const buildProxyWithOutbox = (
  config: ProxyConfig,
  runtime: RuntimePieces,
): { readonly app: Hono; readonly outbox: BackgroundPass } => {
  const deps = depsOf(config, runtime);
  const app = new Hono();
  // The proxy's own origins come from configuration: a Host header is the client's to write.
  const isAllowed = (origin: string) => deps.allowedOrigins.includes(origin) || deps.ownOrigins().includes(origin);
  const minute = { windowMs: 60_000, now: deps.now };
  const perIp = (c: Context) => (c.req.method === 'OPTIONS' ? null : `ip:${rateGroupOf(deps.clientIp(c))}`);
  const perOrder = (c: Context) => `order:${c.get('grant').sub}`;
  const onRefused = createRefusedOriginLog({ log: deps.log, now: deps.now });

  app.use('*', requestLog({ log: deps.log, clientIp: deps.clientIp }));
  // The customer's routes: the refund (/payments) and request mode's (/refund-requests), behind the same doors.
  const customer = ['/payments/*', '/refund-requests/*'] as const;
  const customerCors = cors({
    isAllowed,
    allowMethods: ['GET', 'POST', 'OPTIONS'],
    allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key'],
    exposeHeaders: ['Idempotent-Replayed', 'Retry-After'],
    maxAge: 600,
    onRefused,
  });
  const guard = originGuard({ isAllowed });
  for (const path of customer) app.use(path, customerCors, guard);
  app.use('/staff/*', ...staffDoors({ isAllowed, onRefused }));
  app.use('*', limitBody({ maxBytes: MAX_BODY_BYTES, onTooLarge: tooLarge }));
  const ipLimit = rateLimit({ ...minute, limit: deps.rateLimit.perIp, key: perIp });
  const grant = requireGrant({
    secret: deps.grantSecret,
    previousSecret: deps.previousGrantSecret,
    maxTtlSeconds: deps.maxGrantTtlSeconds,
    now: deps.now,
  });
  const orderLimit = rateLimit({ ...minute, limit: deps.rateLimit.perOrder, key: perOrder });
  for (const path of customer) app.use(path, ipLimit, grant, orderLimit);

  app.route('/', healthRoutes(deps));
  app.route('/', paymentRoutes(deps));
  app.route('/', refundRequestRoutes(deps));
  app.route('/', webhookRoutes(deps));
  app.route('/', widgetRoutes(deps));
  // Staff grants are signed with the grant secret, which is always set: the staff routes need no ADMIN_API_KEYS.
  app.route('/', staffRoutes(deps, { isAllowed, onRefused, perSubPerMinute: config.staffPerSubPerMinute ?? 0 }));
  // Unset, the admin API does not exist: its routes answer 404 as any unknown route does. It sends no CORS headers
  // (the cors middleware covers /payments/* and /staff/* only): a browser page has no business with it.
  if (config.admin && config.admin.keys.length > 0) {
    app.route('/', adminRoutes(deps, config.admin));
    app.route('/', metricsRoutes(deps, config.admin));
  }

  // The path is not echoed: an answer that reflects what the client sent is a place to smuggle text into.
  app.notFound((c) => {
    c.set('errorCode', 'INVALID_REQUEST');
    return c.json(failure('INVALID_REQUEST', 'There is no such route.').body, 404);
  });
  app.onError((error, c) => {
    if (error instanceof AppError) {
      c.set('errorCode', error.code);
      const answer = failure(error.code, error.message);
      return c.json(answer.body, answer.status as ContentfulStatusCode, error.headers);
    }
    if (error instanceof LedgerUnavailableError) {
      c.set('errorCode', 'UPSTREAM_UNAVAILABLE');
      deps.log({ level: 'error', msg: 'ledger unavailable', operation: error.operation, error: String(error.cause) });
      const words = ledgerDown(c.req.method, new URL(c.req.url).pathname);
      return c.json(failure('UPSTREAM_UNAVAILABLE', words).body, 503);
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
