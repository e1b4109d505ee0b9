/** @module Middleware before every V2 route: logs each request and applies the queued transport faults. */
import type { MiddlewareHandler } from 'hono';
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

/** Waits `ms` (real time), or less when the signal aborts; never rejects. */
export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    if (signal?.aborted) done();
  });

const dropped = () => new Response('connection dropped by the fake', { status: 502, headers: { [DROP_HEADER]: '1' } });

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
    state.calls.push(call);
    state.callOf.set(request, call);

    const delay = state.faults.take(route, ['delay']);
    if (delay) {
      call.fault = 'delay';
      await sleep(delay.ms, request.signal);
      if (request.signal.aborted) {
        // The caller gave up before the request reached PortOne: nothing is applied.
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
    // Applied; only the answer is lost on the way back.
    if (fault?.kind === 'lose_response') c.header(DROP_HEADER, '1');
    // Applied; the answer comes late, or never once the caller has given up.
    if (fault?.kind === 'hold_response') await sleep(fault.ms, request.signal);
    return undefined;
  };
