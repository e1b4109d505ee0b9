// The admin key check on its own: each listed key, and only it, whatever its length or the presented one's.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { adminKeyId, createAdminKeyCheck } from './admin-key.ts';

const KEY = `${'k'.repeat(20)}admin-key-0123456789`;
const OTHER = 'o'.repeat(40);
/** Longer than the comparison's least width (256 bytes), so the width grows to it. */
const LONG = `${'L'.repeat(299)}z`;
const WIDE = `관리자-키-${'w'.repeat(40)}`;

describe('the admin key check', () => {
  it("answers each listed key's id (8 hex digits of its SHA-256), and null for anything else", async () => {
    const check = createAdminKeyCheck([KEY, OTHER, LONG, WIDE]);
    for (const key of [KEY, OTHER, LONG, WIDE]) assert.equal(await check(key), await adminKeyId(key), key);
    const near = [
      '',
      KEY.slice(0, -1),
      `${KEY}x`,
      `${KEY}\0`,
      `${KEY.slice(0, -1)}8`,
      `x${KEY.slice(1)}`,
      LONG.slice(0, 256),
      `${LONG.slice(0, -1)}y`,
      `${LONG}\0`,
      `${LONG}${'L'.repeat(500)}`,
      WIDE.slice(0, -1),
      `${WIDE}w`,
      'é'.repeat(200),
    ];
    for (const presented of near) assert.equal(await check(presented), null, JSON.stringify(presented.slice(0, 40)));
  });

  it('answers calls in any order and at once alike (the buffer it compares in is shared)', async () => {
    const check = createAdminKeyCheck([KEY, OTHER]);
    const asked = [KEY, 'wrong', OTHER, `${KEY}x`, KEY, OTHER.slice(1)];
    const ids = await Promise.all(asked.map(check));
    assert.deepEqual(ids, [await adminKeyId(KEY), null, await adminKeyId(OTHER), null, await adminKeyId(KEY), null]);
  });

  it('opens nothing when no key is listed', async () => {
    assert.equal(await createAdminKeyCheck([])(KEY), null);
    assert.equal(await createAdminKeyCheck([])(''), null);
  });
});
