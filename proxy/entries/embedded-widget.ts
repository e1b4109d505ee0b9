/**
 * @module The built widget and staff console for the runtime bundles. scripts/build-runtimes.mjs replaces this module
 * with the text of dist/refund-button.js and dist/refund-desk.js and their ETags, so Workers, Deno and Bun serve them
 * without a file system. Unbundled both are null, and GET /refund-button.js answers that the widget has not been built.
 */
import type { WidgetScript } from '../routes/widget.ts';

export const EMBEDDED_WIDGET: WidgetScript | null = null;
export const EMBEDDED_DESK: WidgetScript | null = null;
