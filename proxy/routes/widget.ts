/**
 * @module GET /refund-button.js: the built widget, so a merchant adds one script tag pointing at the proxy.
 * A module script from another origin is fetched in CORS mode and will not run without CORS headers.
 */
import { Hono } from 'hono';
import { AppError } from '../errors.ts';

export interface WidgetScript {
  readonly body: string;
  /** A strong validator for the file's content (e.g. a hash), for conditional requests. */
  readonly etag: string;
}

export interface WidgetRouteOptions {
  /** The built file, or null when it has not been built; read by the entry point in its own way. */
  readonly loadWidget: () => Promise<WidgetScript | null>;
}

export const widgetRoutes = ({ loadWidget }: WidgetRouteOptions) =>
  new Hono().get('/refund-button.js', async (c) => {
    const script = await loadWidget();
    if (!script) throw new AppError('INTERNAL', 'The widget has not been built; run `npm run build`.');
    const headers = {
      'Content-Type': 'text/javascript; charset=utf-8',
      // Short, revalidated caching: a new proxy version ships a new widget within minutes.
      'Cache-Control': 'public, max-age=300, stale-while-revalidate=3600',
      ETag: script.etag,
      'Access-Control-Allow-Origin': '*',
      'Cross-Origin-Resource-Policy': 'cross-origin',
      'X-Content-Type-Options': 'nosniff',
    };
    if (c.req.header('If-None-Match') === script.etag) return c.body(null, 304, headers);
    return c.body(script.body, 200, headers);
  });
