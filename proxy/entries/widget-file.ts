/** @module Reads the built widget from disk for the Node entry, once, with a content hash as its ETag. */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { WidgetScript } from '../routes/widget.ts';

export const widgetFromFile = (path: string): (() => Promise<WidgetScript | null>) => {
  let cached: Promise<WidgetScript | null> | null = null;
  return () =>
    (cached ??= readFile(path, 'utf8').then(
      (body) => ({ body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` }),
      () => {
        cached = null; // not built yet: look again next time
        return null;
      },
    ));
};
