// nodeFetch() against a real HTTP server on loopback: what the i'mport client relies on, and how failures surface.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createIamportClient } from '../gateways/iamport/client.ts';
import { flood } from '../test-support/flood.ts';
import { createNodeFetch } from './node-fetch.ts';

/** The client ports requests came from: one port, one connection. */
const connections = new Set<number>();
let base = '';
const server = http.createServer((req, res) => {
  connections.add(req.socket.remotePort ?? 0);
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => (body += chunk));
  req.on('end', () => {
    if (req.url?.startsWith('/slow')) return void setTimeout(() => res.end('late'), 2_000);
    if (req.url === '/flood') return flood(res, 8 * 1024 * 1024);
    if (req.url === '/cut') {
      // Promises 100 bytes, sends 5, then drops the connection.
      res.writeHead(200, { 'Content-Length': '100' });
      res.write('{"co');
      return void setTimeout(() => res.destroy(), 20);
    }
    res.writeHead(req.url === '/missing' ? 404 : 200, { 'Content-Type': 'application/json' });
    res.end(
      JSON.stringify({
        method: req.method,
        body,
        type: req.headers['content-type'] ?? null,
        length: req.headers['content-length'] ?? null,
      }),
    );
  });
});
const fetch = createNodeFetch();
const signal = () => AbortSignal.timeout(1_000);

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  fetch.close();
  server.close();
});

describe('nodeFetch()', () => {
  it('sends the method, headers and body, and answers with the status and the whole body', async () => {
    const res = await fetch(`${base}/echo`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"금액":9000}',
      signal: signal(),
    });
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(await res.text()), {
      method: 'POST',
      body: '{"금액":9000}',
      type: 'application/json',
      length: '15',
    });
    const missing = await fetch(`${base}/missing`, { method: 'GET', headers: {}, signal: signal() });
    assert.equal(missing.status, 404);
  });

  it('keeps one connection alive across calls', async () => {
    connections.clear();
    for (let i = 0; i < 3; i++)
      await (await fetch(`${base}/echo`, { method: 'GET', headers: {}, signal: signal() })).text();
    assert.equal(connections.size, 1);
  });

  it("lets an idle connection go a second before the server's own keep-alive timeout, never racing its close", async () => {
    // The server closes an idle connection after 2.5 s and says so (`Keep-Alive: timeout=2`), as Node's own do
    // (5 s): a call sent on it just as it closes fails with "socket hang up" (a webhook attempt lost, or worse, a
    // cancel whose outcome is then unknown). Dropped a second before the hint, a call after 1.3 s idle opens another.
    const ports = new Set<number>();
    const brief = http.createServer((req, res) => {
      ports.add(req.socket.remotePort ?? 0);
      res.end('ok');
    });
    brief.keepAliveTimeout = 2_500;
    await new Promise<void>((resolve) => brief.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(brief.address() as AddressInfo).port}/`;
    try {
      await (await fetch(url, { method: 'GET', headers: {}, signal: signal() })).text();
      await (await fetch(url, { method: 'GET', headers: {}, signal: signal() })).text();
      assert.equal(ports.size, 1, 'reused while fresh');
      await new Promise((resolve) => setTimeout(resolve, 1_300));
      await (await fetch(url, { method: 'GET', headers: {}, signal: signal() })).text();
      assert.equal(ports.size, 2, 'not reused once within a second of the server closing it');
    } finally {
      brief.closeAllConnections();
      brief.close();
    }
  });

  it('rejects with an AbortError when the signal times out', async () => {
    await assert.rejects(fetch(`${base}/slow`, { method: 'GET', headers: {}, signal: AbortSignal.timeout(50) }), {
      name: 'AbortError',
    });
  });

  it('rejects when the connection drops in the middle of the answer', async () => {
    await assert.rejects(fetch(`${base}/cut`, { method: 'GET', headers: {}, signal: signal() }));
  });

  it('reads no more than 1 MiB of an answer: its status stands, its text is refused, its connection dropped', async () => {
    const flooded = await fetch(`${base}/flood`, { method: 'GET', headers: {}, signal: signal() });
    assert.equal(flooded.status, 200);
    await assert.rejects(flooded.text(), { name: 'AnswerTooLarge' });
    const next = await fetch(`${base}/echo`, { method: 'GET', headers: {}, signal: signal() });
    assert.equal(next.status, 200);
  });

  it("lets the i'mport client tell a timeout from a refusal", async () => {
    const client = createIamportClient({ baseUrl: `${base}/slow`, apiKey: 'k', apiSecret: 's', fetch, timeoutMs: 50 });
    assert.deepEqual(await client.cancelPayment({ imp_uid: 'imp_1', amount: 1, checksum: 1, reason: 'x' }), {
      kind: 'not_sent',
      detail: 'UnavailableError: AbortError: The operation was aborted',
    });
  });
});
