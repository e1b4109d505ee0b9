/** @module Middleware before every V2 route: logs each request and applies the queued transport faults. */
import type { MiddlewareHandler } from 'hono';
import { loggedWithFaults } from '../../fake-kit/transport-faults.ts';
import type { FakeRoute } from './faults.ts';
import type { FakeState, LoggedCall } from './state.ts';

/** Private header asking the transport (in-process fetch or the node server) to drop the connection. */
export const DROP_HEADER = 'x-fake-portone-drop';

/** Which V2 route a request is for. */
export const routeOf = (method: string, path: string): FakeRoute => {
  if (method === 'GET' && /^\/payments\/[^/]+$/.test(path)) return 'payment';
  if (method === 'POST' && /^\/payments\/[^/]+\/cancel$/.test(path)) return 'cancel';
  if (method === 'POST' && /^\/payments\/[^/]+\/virtual-account\/close$/.test(path)) return 'close';
  if (method === 'GET' && /^\/platform\/bank-accounts\/[^/]+\/[^/]+\/holder$/.test(path)) return 'holder';
  return 'any';
};

// The load balancer in front of PortOne answers these, so the body is an HTML page, not a V2 error.
const serverError = (status: number) =>
  new Response(`<html><head><title>${status}</title></head><body><h1>${status}</h1></body></html>`, {
    status,
    headers: { 'content-type': 'text/html' },
  });

const readLoggedBody = async (request: Request): Promise<unknown> => {
  const raw = await request.clone().text();
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
};

export const traffic = (state: FakeState): MiddlewareHandler =>
  async function traffic(c, next) {
    // The control plane is neither logged nor subject to faults, or a test could not clear a fault it queued.
    if (c.req.path.startsWith('/__fake/')) return next();
    const request = c.req.raw;
    const route = routeOf(c.req.method, c.req.path);
    const call: LoggedCall = {
      method: c.req.method,
      path: c.req.path,
      route,
      body: await readLoggedBody(request),
      idempotencyKey: c.req.header('Idempotency-Key'),
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
