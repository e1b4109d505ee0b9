/** @module A `fetch` that answers from the fake's Hono app in-process and behaves like a real one on drops and aborts. */
import type { Hono } from 'hono';
import { DROP_HEADER } from './traffic.ts';

// Hosts are ignored, so a client configured with https://api.portone.io talks to the fake unchanged.
const toRequest = (input: RequestInfo | URL, init?: RequestInit): Request =>
  typeof input === 'string' && !/^[a-z][a-z0-9+.-]*:/i.test(input)
    ? new Request(new URL(input, 'http://fake-portone.test'), init)
    : new Request(input, init);

// Node's fetch rejects a dropped connection this way (TypeError 'fetch failed' with a socket error as cause).
const connectionDropped = () =>
  new TypeError('fetch failed', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) });

const untilAborted = <T>(work: Promise<T>, signal: AbortSignal): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });

export const createInProcessFetch = (app: Hono): typeof fetch =>
  async function fakeFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const request = toRequest(input, init);
    request.signal.throwIfAborted();
    // The app sees the same signal, so a pending delay fault stops waiting too.
    const response = await untilAborted(Promise.resolve(app.request(request)), request.signal);
    if (response.headers.has(DROP_HEADER)) throw connectionDropped();
    return response;
  };
