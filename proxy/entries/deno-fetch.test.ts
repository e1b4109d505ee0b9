// Deno's HTTP for the proxy: a request that changes something goes on a connection of its own, and no request follows
// a redirect (a receiver's 3xx is its answer), as on every entry.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDenoFetch } from './deno-fetch.ts';

describe('createDenoFetch', () => {
  it('asks for redirects as answers on every request, and a connection of its own for a POST', async () => {
    const seen: RequestInit[] = [];
    const client = { oneUse: true };
    const fetchFn = (async (_url: string, init: RequestInit) => {
      seen.push(init);
      return new Response(null, { status: 307, headers: { Location: 'http://127.0.0.1:1/' } });
    }) as typeof fetch;
    const denoFetch = createDenoFetch({ createHttpClient: () => client }, fetchFn);
    const signal = new AbortController().signal;
    const post = await denoFetch('https://shop.example/hook', { method: 'POST', headers: {}, body: '{}', signal });
    const get = await denoFetch('https://api.iamport.kr/payments/x', { method: 'GET', headers: {}, signal });
    assert.deepEqual([post.status, get.status], [307, 307]);
    assert.deepEqual(
      seen.map((init) => [init.redirect, (init as { client?: unknown }).client === client]),
      [
        ['manual', true],
        ['manual', false],
      ],
    );
  });
});
