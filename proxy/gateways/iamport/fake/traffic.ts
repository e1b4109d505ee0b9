/** @module Middleware before every i'mport route: logs each request and applies the queued transport faults. */
import type { MiddlewareHandler } from 'hono';
import { readBody } from './body.ts';
import type { FakeRoute } from './faults.ts';
import type { FakeState, LoggedCall } from './state.ts';

/** Private header asking the transport (in-process fetch or the node server) to drop the connection. */
export const DROP_HEADER = 'x-fake-iamport-drop';

/** Which i'mport route a request is for. */
export const routeOf = (method: string, path: string): FakeRoute => {
  if (method === 'POST' && path === '/users/getToken') return 'token';
  if (method === 'POST' && path === '/payments/cancel') return 'cancel';
  if (method === 'GET' && /^\/payments\/find\/[^/]+(\/[^/]+)?$/.test(path)) return 'find';
  if (method === 'GET' && /^\/payments\/[^/]+$/.test(path)) return 'payment';
  if (method === 'GET' && path === '/vbanks/holder') return 'holder';
  if (method === 'DELETE' && /^\/vbanks\/[^/]+$/.test(path)) return 'vbank';
  return 'any';
};

/** Waits `ms` (real time), or less when the signal aborts; never rejects. */
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    if (signal.aborted) done();
  });

const dropped = () => new Response('connection dropped by the fake', { status: 502, headers: { [DROP_HEADER]: '1' } });

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
    state.calls.push(call);
    state.callOf.set(request, call);

    const delay = state.faults.take(route, ['delay']);
    if (delay) {
      call.fault = 'delay';
      await sleep(delay.ms, request.signal);
      if (request.signal.aborted) {
        // The caller gave up while we waited: like a real server that notices, apply nothing.
        call.status = 499;
        return new Response(null, { status: 499 });
      }
    }

    const fault = state.faults.take(route, ['http_5xx', 'drop', 'lose_response', 'hold_response']);
    if (fault) call.fault = fault.kind;
    if (fault?.kind === 'http_5xx') {
      const response = serverError(fault.status ?? 502);
      call.status = response.status;
      return response;
    }
    if (fault?.kind === 'drop') return dropped();

    await next();
    call.status = c.res.status;
    // The request was applied; only the answer is lost on the way back.
    if (fault?.kind === 'lose_response') c.header(DROP_HEADER, '1');
    // The request was applied; the answer comes late, or never once the caller has given up (nobody would read it).
    if (fault?.kind === 'hold_response') await sleep(fault.ms, request.signal);
    return undefined;
  };
