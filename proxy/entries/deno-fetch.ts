/**
 * @module createDenoFetch(): the proxy's HTTP on Deno, where a request that changes something is never sent twice.
 * Deno's `fetch` sends a request again, once, when a kept-alive connection closes before its answer (it takes the
 * connection for a stale one the server had already dropped). A server that applied the request and then lost the
 * connection gets it twice: an i'mport cancel, which has no idempotency key, would meet a payment already cancelled,
 * and the proxy would take the refund it made for a refusal and for a cancel made elsewhere. Deno 2.9 sends a request
 * on a fresh connection once, so every request but a read goes through a client that keeps no idle connection. A read
 * (the payment's lookup) stays on the shared pool: sending it again changes nothing.
 */
import type { FetchInit, FetchLike } from '../net/fetch-like.ts';

/** The little of Deno's HTTP client this module uses (the project's types are Node's). */
interface DenoHttp {
  createHttpClient(options: { readonly poolMaxIdlePerHost: number }): unknown;
}

/** Methods a server may be sent twice with no change: what is not one of them opens a connection of its own. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const createDenoFetch = (deno: DenoHttp, fetchFn: typeof fetch = fetch): FetchLike => {
  const oneUse = deno.createHttpClient({ poolMaxIdlePerHost: 0 });
  // Redirects are answers, never followed (as on every entry: portable.ts).
  return (url: string, init: FetchInit) =>
    SAFE_METHODS.has(init.method.toUpperCase())
      ? fetchFn(url, { ...init, redirect: 'manual' })
      : // `client` is Deno's own RequestInit member.
        fetchFn(url, { ...init, redirect: 'manual', client: oneUse } as RequestInit);
};
