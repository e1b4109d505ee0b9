/** @module A `fetch` that answers from a fake's Hono app in-process and behaves like a real one on drops and aborts. */
import type { Hono } from 'hono';

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

/**
 * Hosts are ignored (a relative URL is read against `origin`), so a client configured with the gateway's real URL
 * talks to the fake unchanged; an answer marked with `dropHeader` rejects as a dropped connection.
 */
export const createInProcessFetch = (app: Hono, dropHeader: string, origin: string): typeof fetch => {
  const toRequest = (input: RequestInfo | URL, init?: RequestInit): Request =>
    typeof input === 'string' && !/^[a-z][a-z0-9+.-]*:/i.test(input)
      ? new Request(new URL(input, origin), init)
      : new Request(input, init);
  return async function fakeFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const request = toRequest(input, init);
    request.signal.throwIfAborted();
    // The app sees the same signal, so a pending delay fault stops waiting too.
    const response = await untilAborted(Promise.resolve(app.request(request)), request.signal);
    if (response.headers.has(dropHeader)) throw connectionDropped();
    return response;
  };
};
