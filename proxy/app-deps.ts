/** @module AppDeps: everything createApp() is given; the environment is read elsewhere (config.ts, entries/). */
import type { Context } from 'hono';
import type { RefundDeps } from './refunds/deps.ts';
import type { WidgetScript } from './routes/widget.ts';

export interface AppDeps extends RefundDeps {
  /** The secret merchant grants are signed with. */
  readonly grantSecret: string;
  /** Origins (besides the proxy's own) whose pages may call the payment routes. */
  readonly allowedOrigins: readonly string[];
  /** The client's IP as the runtime sees it (or as a trusted reverse proxy reports it). */
  readonly clientIp: (c: Context) => string | null;
  /** Requests per minute on the payment routes, per client IP and per order; 0 turns a limit off. */
  readonly rateLimit: { readonly perIp: number; readonly perOrder: number };
  /** The built widget file (`dist/refund-button.js`), or null when it was not built. */
  readonly loadWidget: () => Promise<WidgetScript | null>;
}
