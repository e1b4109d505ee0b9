/**
 * @module The transport faults both fake gateways apply before a route and after it (a delay, a 5xx from the load
 * balancer, a dropped connection, an answer lost or held back after the request was applied), in one place so the two
 * fakes fail the same way.
 */
import type { Context, Next } from 'hono';

/** The faults this module applies; each fake's own fault union holds these kinds with these fields. */
export type TransportFault =
  | { readonly kind: 'delay'; readonly ms: number }
  | { readonly kind: 'http_5xx'; readonly status?: number }
  | { readonly kind: 'drop' }
  | { readonly kind: 'lose_response' }
  | { readonly kind: 'hold_response'; readonly ms: number };

export interface TransportFaultsOptions<R> {
  readonly take: (route: R, kinds: readonly TransportFault['kind'][]) => TransportFault | undefined;
  readonly route: R;
  /** Marks the answer so the transport (in-process fetch or the node server) drops the connection. */
  readonly dropHeader: string;
  /** The gateway's own 5xx answer for a status. */
  readonly serverError: (status: number) => Response;
  /** Told the fault applied and the status answered, for the fake's call log. */
  readonly note: (fault: TransportFault['kind'] | undefined, status: number | undefined) => void;
}

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

/** Runs `next` (the route) inside the queued transport faults; a Response when a fault answers instead. */
export const withTransportFaults = async <R>(
  c: Context,
  next: Next,
  { take, route, dropHeader, serverError, note }: TransportFaultsOptions<R>,
): Promise<Response | undefined> => {
  const { signal } = c.req.raw;
  const delay = take(route, ['delay']);
  if (delay?.kind === 'delay') {
    note('delay', undefined);
    await sleep(delay.ms, signal);
    // The caller gave up while we waited: like a real server that notices, apply nothing.
    if (signal.aborted) {
      note('delay', 499);
      return new Response(null, { status: 499 });
    }
  }
  const fault = take(route, ['http_5xx', 'drop', 'lose_response', 'hold_response']);
  if (fault) note(fault.kind, undefined);
  if (fault?.kind === 'http_5xx') {
    const response = serverError(fault.status ?? 502);
    note(fault.kind, response.status);
    return response;
  }
  if (fault?.kind === 'drop') {
    return new Response('connection dropped by the fake', { status: 502, headers: { [dropHeader]: '1' } });
  }
  await next();
  note(fault?.kind, c.res.status);
  // Applied; only the answer is lost on the way back.
  if (fault?.kind === 'lose_response') c.header(dropHeader, '1');
  // Applied; the answer comes late, or never once the caller has given up (nobody would read it).
  if (fault?.kind === 'hold_response') await sleep(fault.ms, signal);
  return undefined;
};

/** A fake's call-log entry, as far as loggedWithFaults() fills it in. */
interface NotedCall {
  status: number;
  fault?: string;
}

/**
 * Logs a call (the fake's log, and its map from request to call, which later steps write the status to) and applies
 * the queued transport faults, noting on the call the fault that struck and the status answered.
 */
export const loggedWithFaults = <R, C extends NotedCall>(
  c: Context,
  next: Next,
  log: { readonly calls: C[]; readonly callOf: WeakMap<Request, C> },
  call: C,
  options: Omit<TransportFaultsOptions<R>, 'note'>,
): Promise<Response | undefined> => {
  log.calls.push(call);
  log.callOf.set(c.req.raw, call);
  const noted: NotedCall = call;
  return withTransportFaults(c, next, {
    ...options,
    note: (fault, status) => {
      if (fault) noted.fault = fault;
      if (status !== undefined) noted.status = status;
    },
  });
};
