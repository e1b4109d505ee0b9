/** @module What the staff routes' tests share: a staff grant minted by POST /admin/grants, and calls made with one. */
import assert from 'node:assert/strict';
import { adminCalls, json } from '../test-support/admin-calls.ts';
import type { Harness } from '../test-support/harness.ts';

export const staffCalls = (h: Harness) => {
  const { postGrant, admin } = adminCalls(h);

  /** A staff grant for `sub`, minted as a merchant's backend would over the admin API. */
  const staffGrant = async (sub: string, ttlSeconds?: number): Promise<string> => {
    const res = await postGrant({
      role: 'staff',
      sub,
      ...(ttlSeconds === undefined ? {} : { ttl_seconds: ttlSeconds }),
    });
    assert.equal(res.status, 200);
    return (await json(res)).grant;
  };

  /** A request with `Authorization: Bearer <grant>` (none when null). */
  const staff = (path: string, grant: string | null, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (grant !== null) headers.set('Authorization', `Bearer ${grant}`);
    return h.app.request(path, { ...init, headers });
  };

  return { staffGrant, staff, admin };
};

/** The CORS headers of an answer, by lower-case name. */
export const corsHeaders = (res: Response): Record<string, string> =>
  Object.fromEntries([...res.headers].filter(([name]) => name.toLowerCase().startsWith('access-control-')));
