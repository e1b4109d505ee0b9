/**
 * @module The built widget for the runtime bundles. scripts/build-runtimes.mjs replaces this module with the text of
 * dist/refund-button.js and its ETag, so Workers, Deno and Bun serve the widget without a file system. Unbundled it
 * is null, and GET /refund-button.js answers that the widget has not been built.
 */
import type { WidgetScript } from '../routes/widget.ts';

export const EMBEDDED_WIDGET: WidgetScript | null = null;
