/** @module AppDeps: what buildProxy (app.ts) gives the routes; the environment is read elsewhere (config.ts). */
import type { Context } from 'hono';
import type { ProxyMetrics } from './metrics/proxy-metrics.ts';
import type { RequestDeps } from './requests/deps.ts';
import type { WidgetFile, WidgetScript } from './routes/widget.ts';
import type { ForwardedWebhook } from './webhook-forwarder.ts';

export interface AppDeps extends RequestDeps {
  /** The secret merchant grants are signed with. */
  readonly grantSecret: string;
  /** REFUND_TOKEN_SECRET_PREVIOUS: grants signed with it still pass (never signs). */
  readonly previousGrantSecret?: string | undefined;
  /** The longest lifetime a grant may have, in seconds (MAX_GRANT_TTL). */
  readonly maxGrantTtlSeconds: number;
  /** Origins (besides the proxy's own) whose pages may call the payment routes. */
  readonly allowedOrigins: readonly string[];
  /**
   * The proxy's own origins (PUBLIC_ORIGIN; the sandbox adds its listen address once it listens). Never derived from
   * a request's Host header, which the client writes.
   */
  readonly ownOrigins: () => readonly string[];
  /** The client's IP as the runtime sees it (or as a trusted reverse proxy reports it). */
  readonly clientIp: (c: Context) => string | null;
  /** Requests per minute on the payment routes (per client IP, per order) and the webhook (per IP); 0 is off. */
  readonly rateLimit: { readonly perIp: number; readonly perOrder: number; readonly webhookPerIp: number };
  /** Client IPs allowed to send i'mport webhooks; empty means any. */
  readonly webhookIps: readonly string[];
  /** /health shows the gateway's base URL and more only when set (HEALTH_DETAILS). */
  readonly healthDetails: boolean;
  /** The built-in sandbox runs (fake i'mport, demo shop); said only by /health with HEALTH_DETAILS. */
  readonly sandbox: boolean;
  /** A built file (`dist/refund-button.js` unless named, or `dist/refund-desk.js`), or null when it was not built. */
  readonly loadWidget: (file?: WidgetFile) => Promise<WidgetScript | null>;
  /** The counters and histogram GET /metrics shows (proxy/metrics/). */
  readonly metrics: ProxyMetrics;
  /** Hands a handled i'mport webhook on to IAMPORT_WEBHOOK_FORWARD_URL (retrying); null when that is not set. */
  readonly forwardWebhook: ((webhook: ForwardedWebhook) => Promise<void>) | null;
}
