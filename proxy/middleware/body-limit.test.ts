// limitBody() through a small app: sized bodies by their Content-Length, chunked ones as they stream.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Hono } from 'hono';
import { limitBody } from './body-limit.ts';

const app = new Hono()
  .use(
    '*',
    limitBody({
      maxBytes: 10,
      onTooLarge: () => {
        throw new Error('too large');
      },
    }),
  )
  .onError((error, c) => c.text(error.message, 413))
  .all('/', async (c) => c.text(`read ${(await c.req.text()).length}`));

const chunked = (text: string) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const part of text.match(/.{1,4}/g) ?? []) controller.enqueue(new TextEncoder().encode(part));
      controller.close();
    },
  });

const post = (body: BodyInit, headers: Record<string, string> = {}) =>
  app.request('/', {
    method: 'POST',
    body,
    headers,
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit);

describe('limitBody()', () => {
  it('lets a body within the limit through, sized or chunked', async () => {
    assert.equal(await (await post('0123456789')).text(), 'read 10');
    assert.equal(await (await post(chunked('0123456789'))).text(), 'read 10');
  });

  it('refuses a body over the limit before the route reads it, sized or chunked', async () => {
    const sized = await post('01234567890');
    assert.equal(sized.status, 413);
    const streamed = await post(chunked('0123456789ABCDEF'));
    assert.equal(streamed.status, 413);
  });

  it('refuses a Content-Length that is not a number', async () => {
    const res = await app.request('/', { method: 'POST', body: 'x', headers: { 'Content-Length': '1e9' } });
    assert.equal(res.status, 413);
  });

  it('does not look at GET requests, whatever their headers say', async () => {
    const res = await app.request('/', { headers: { 'Content-Length': '999' } });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'read 0');
  });
});
