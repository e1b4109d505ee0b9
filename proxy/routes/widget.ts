/**
 * @module GET /refund-button.js: the built widget, so a merchant adds one script tag pointing at the proxy; and
 * GET /refund-desk.js, the staff console, served the same way. A module script from another origin is fetched in
 * CORS mode and will not run without CORS headers.
 */
import { type Context, Hono } from 'hono';
import { AppError } from '../errors.ts';

export interface WidgetScript {
  readonly body: string;
  /** A strong validator for the file's content (e.g. a hash), for conditional requests. */
  readonly etag: string;
}

/** The built files the proxy serves: the customer's widget and the staff console. */
export const WIDGET_FILES = ['refund-button.js', 'refund-desk.js'] as const;
export type WidgetFile = (typeof WIDGET_FILES)[number];

export interface WidgetRouteOptions {
  /**
   * A built file (`refund-button.js` when not named), or null when it has not been built; read by the entry point in
   * its own way.
   */
  readonly loadWidget: (file?: WidgetFile) => Promise<WidgetScript | null>;
}

export const widgetRoutes = ({ loadWidget }: WidgetRouteOptions) => {
  const serve = (file: WidgetFile) => async (c: Context) => {
    const script = await loadWidget(file);
    if (!script) throw new AppError('INTERNAL', `${file} has not been built; run \`npm run build\`.`);
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
  };
  return new Hono().get('/refund-button.js', serve('refund-button.js')).get('/refund-desk.js', serve('refund-desk.js'));
};
