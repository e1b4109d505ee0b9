/**
 * @module The admin lists' keyset cursor: an opaque string for a position (created_at in epoch ms, and the row's id)
 * that the next page starts after. Opaque so clients pass it back as given; checked on the way in like any input.
 */
import { isPlainText } from '../../shared/schemas/field-rules.ts';

export interface Position {
  readonly started_at: number;
  readonly id: string;
}

const toBase64Url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

export const encodeCursor = (position: Position): string =>
  toBase64Url(new TextEncoder().encode(JSON.stringify([position.started_at, position.id])));

/** The position a cursor names, or null for anything this module did not write. */
export const decodeCursor = (cursor: string): Position | null => {
  if (cursor.length > 400 || !/^[\w-]+$/.test(cursor)) return null;
  try {
    const binary = atob(cursor.replace(/-/g, '+').replace(/_/g, '/'));
    const json: unknown = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (ch) => ch.charCodeAt(0))),
    );
    if (!Array.isArray(json) || json.length !== 2) return null;
    const [startedAt, id] = json as unknown[];
    if (typeof startedAt !== 'number' || !Number.isSafeInteger(startedAt) || startedAt < 0) return null;
    // Not one this module wrote: ids are plain text (and a NUL is a value PostgreSQL cannot even compare with).
    if (typeof id !== 'string' || id.length === 0 || id.length > 200 || !isPlainText(id)) return null;
    return { started_at: startedAt, id };
  } catch {
    return null;
  }
};
