/** @module Middleware before every i'mport route: logs each request and applies the queued transport faults. */
import type { MiddlewareHandler } from 'hono';
import { loggedWithFaults } from '../../fake-kit/transport-faults.ts';
import { readBody } from './body.ts';
import type { FakeRoute } from './faults.ts';
import type { FakeState, LoggedCall } from './state.ts';

/** Private header asking the transport (in-process fetch or the node server) to drop the connection. */
export const DROP_HEADER = 'x-fake-iamport-drop';

/** Which i'mport route a request is for. */
export const routeOf = (method: string, path: string): FakeRoute => {
  if (method === 'POST' && path === '/users/getToken') return 'token';
  if (method === 'POST' && path === '/payments/cancel') return 'cancel';
  if (method === 'GET' && /^\/payments\/find(All)?\/[^/]+(\/[^/]+)?$/.test(path)) return 'find';
  if (method === 'GET' && /^\/payments\/[^/]+$/.test(path)) return 'payment';
  if (method === 'GET' && path === '/vbanks/holder') return 'holder';
  if (method === 'DELETE' && /^\/vbanks\/[^/]+$/.test(path)) return 'vbank';
  return 'any';
};

// A 500 comes from i'mport itself (envelope); other 5xx from the load balancer in front of it (an HTML page).
const serverError = (status: number) =>
  status === 500
    ? Response.json({ code: -1, message: 'Internal Server Error', response: null }, { status })
    : new Response(`<html><head><title>${status}</title></head><body><h1>${status}</h1></body></html>`, {
        status,
        headers: { 'content-type': 'text/html' },
      });

export const traffic = (state: FakeState): MiddlewareHandler =>
  async function traffic(c, next) {
    // The control plane is neither logged nor subject to faults, or a test could not clear a fault it queued.
    if (c.req.path.startsWith('/__fake/')) return next();
    const request = c.req.raw;
    const route = routeOf(c.req.method, c.req.path);
    const body = await readBody(request);
    const call: LoggedCall = {
      method: c.req.method,
      path: c.req.path,
      route,
      body: body.raw === '' ? undefined : body.ok ? body.fields : body.raw,
      status: 0,
      at: state.now(),
    };
    return loggedWithFaults(c, next, state, call, {
      take: (r, kinds) => state.faults.take(r, kinds),
      route,
      dropHeader: DROP_HEADER,
      serverError,
    });
  };
