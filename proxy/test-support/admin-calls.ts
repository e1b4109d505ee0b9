/** @module What the admin API's tests share: keys, a harness with them, and calls made with a key. */
import assert from 'node:assert/strict';
import { createHarness, type Harness, type HarnessOptions } from './harness.ts';

export const KEY = 'admin-key-0123456789-abcdefghijklmnopqrstuvwxyz';
export const OTHER_KEY = 'another-admin-key-0123456789-abcdefghijklmnopq';
export const T = Date.UTC(2026, 0, 1, 3, 0, 0);

/** A harness whose admin API takes KEY and OTHER_KEY, limited to `perKeyPerMinute` (0: off). */
export const withAdmin = (options: HarnessOptions = {}, perKeyPerMinute = 0): Promise<Harness> =>
  createHarness({
    ...options,
    config: { ...options.config, admin: { keys: [KEY, OTHER_KEY], perKeyPerMinute, generated: false } },
  });

// `any`: tests read the answers field by field.
export const json = async (res: Response) => (await res.json()) as Record<string, any>;

export const adminCalls = (h: Harness) => {
  /** A request with `Authorization: Bearer <key>` (KEY unless given; null sends none). */
  const admin = (path: string, init: RequestInit & { key?: string | null } = {}) => {
    const { key = KEY, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (key !== null) headers.set('Authorization', `Bearer ${key}`);
    return h.app.request(path, { ...rest, headers });
  };

  const postGrant = (body: unknown, key: string | null = KEY) =>
    admin('/admin/grants', {
      key,
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });

  /** Every page of GET /admin/refunds with `query`, following next_cursor; `between` runs after each page. */
  const allPages = async (query: string, between: () => Promise<void> = async () => {}) => {
    const rows: Record<string, any>[] = [];
    let cursor: string | null = null;
    do {
      const res = await admin(`/admin/refunds?${query}${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(res.status, 200);
      const page = await json(res);
      rows.push(...page.data);
      cursor = page.next_cursor;
      await between();
    } while (cursor);
    return rows;
  };

  return { admin, postGrant, allPages };
};

/** RFC 4180 as a spreadsheet reads it: quoted cells, doubled quotes, CRLF rows. */
export const parseCsv = (text: string): string[][] => {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i]!;
    if (quoted && ch === '"' && text[i + 1] === '"') {
      cell += '"';
      i += 1;
    } else if (ch === '"') {
      quoted = !quoted;
    } else if (quoted) {
      cell += ch;
    } else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += 1;
    } else {
      cell += ch;
    }
  }
  assert.equal(cell + row.join(''), '', 'the CSV ends with CRLF');
  return rows;
};
