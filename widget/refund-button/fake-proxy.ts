/**
 * @module A stand-in for the refund proxy inside the page, shared by the widget's tests and the dev page: it replaces
 * `window.fetch`, records each call and answers it from a function. Error answers carry each code's HTTP status from
 * shared/errors.ts, as the proxy's do.
 */
import { ERRORS, type ErrorCode } from '../../shared/errors.ts';

/** A request the widget made, as the fake saw it. */
export interface Call {
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
  readonly body: Record<string, unknown> | undefined;
}

/** An answer: a Response, `'network'` (fetch rejects), or a promise of either (to hold a request in flight). */
export type Answer = Response | 'network' | Promise<Response | 'network'>;

export interface FakeProxy {
  /** Every call answered so far, oldest first. */
  readonly calls: readonly Call[];
  /** Puts back the `fetch` that was there before. */
  uninstall(): void;
}

export const json = (body: unknown, status = 200, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

/** The proxy's answer for an error code: `{ ok: false, error }` plus `extra` fields, with the code's status. */
export const failure = (
  code: ErrorCode,
  message = 'detail from the proxy',
  extra: object = {},
  headers: Record<string, string> = {},
): Response => json({ ok: false, error: { code, message }, ...extra }, ERRORS[code].status, headers);

/** An answer that stays in flight until `release` is called. */
export const held = () => {
  let release!: (answer: Response | 'network') => void; // assigned by the executor, which runs at once
  const promise = new Promise<Response | 'network'>((resolve) => (release = resolve));
  return { promise, release };
};

/**
 * Replaces `window.fetch`: requests to `origin` (to any origin when it is absent) are recorded and answered by
 * `answer`; others go to the real network.
 */
export function installFakeProxy(answer: (call: Call) => Answer, origin?: string): FakeProxy {
  const realFetch = window.fetch;
  const calls: Call[] = [];
  window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    if (origin && new URL(url).origin !== origin) return realFetch.call(window, input, init);
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as Record<string, unknown>) : undefined;
    const call = { url, method: init?.method ?? 'GET', headers: new Headers(init?.headers), body };
    calls.push(call);
    const result = await answer(call);
    if (result === 'network') throw new TypeError('Failed to fetch');
    return result.clone(); // an answer may be given more than once
  };
  return {
    calls,
    uninstall: () => {
      window.fetch = realFetch;
    },
  };
}
