/**
 * @module rewriteAnswers(): the fake i'mport's fetch with its JSON answers rewritten, to play an off-spec i'mport
 * (times in fractions or milliseconds, odd amounts, 4xx bodies without the envelope) without changing the fake.
 */
import type { FakeIamport } from '../gateways/iamport/fake/fake-iamport.ts';

/** An answer as the test may change it: the path asked (no query), the HTTP status and the parsed JSON body. */
export interface FakeAnswer {
  readonly path: string;
  readonly status: number;
  readonly json: any; // eslint-free test code: rewrites reach into i'mport's JSON field by field
}

/** Returns the answer to send instead (status and body), or undefined to pass it on unchanged. */
export type Rewrite = (answer: FakeAnswer) => { status?: number; json: unknown } | undefined;

export const rewriteAnswers = (fetch: typeof globalThis.fetch, rewrite: Rewrite): typeof globalThis.fetch =>
  async function rewritingFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const res = await fetch(input, init);
    const path = new URL(input instanceof Request ? input.url : String(input)).pathname;
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return new Response(text, { status: res.status, headers: res.headers });
    }
    const changed = rewrite({ path, status: res.status, json });
    if (!changed) return new Response(text, { status: res.status, headers: res.headers });
    return new Response(JSON.stringify(changed.json), {
      status: changed.status ?? res.status,
      headers: { 'Content-Type': 'application/json' },
    });
  };

/** The same fake with its fetch replaced (for createHarness's `fake` option). */
export const withFetch = (fake: FakeIamport, fetch: typeof globalThis.fetch): FakeIamport => ({
  ...fake,
  fetch,
  get calls() {
    return fake.calls;
  },
});

/** A payment answer's `response` changed by `patch`, for answers that carry a payment (lookups, cancel). */
export const patchPayments =
  (patch: (payment: any) => void, only: (path: string) => boolean = () => true): Rewrite =>
  // eslint-free test code
  ({ path, json }) => {
    if (!only(path) || json === null || typeof json !== 'object') return undefined;
    if (json.response === null || typeof json.response !== 'object') return undefined;
    if (!('imp_uid' in json.response)) return undefined;
    const response = structuredClone(json.response);
    patch(response);
    return { json: { ...json, response } };
  };
