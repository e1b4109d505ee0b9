// An oversized body against the real Node entry, from a raw socket that sends all of it before it reads: the 413
// must arrive, not a reset. The client pauses mid-body for longer than @hono/node-server's own half-second drain, as
// a 2 MB upload on an ordinary uplink does.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { runScript, type ScriptRun } from '../test-support/node-process.ts';
import { nodeDrain } from './node-drain.ts';

const BODY_BYTES = 2 * 1024 * 1024;
const WRITE_BYTES = 16 * 1024;
const PAUSE_MS = 1_000;

interface RawAnswer {
  /** The error a write or the connection met (EPIPE, ECONNRESET), if any. */
  readonly error: string | null;
  readonly head: string;
  readonly body: string;
}

/**
 * Sends `head`, then the body in 16 KB writes (chunk-framed when `chunked`) with one pause halfway, then reads the
 * answer: its head, and its body up to Content-Length.
 */
const sendThenRead = (port: number, head: string, chunked: boolean): Promise<RawAnswer> =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let error: string | null = null;
    let closed = false;
    let received = '';
    const answer = (): RawAnswer => {
      const end = received.indexOf('\r\n\r\n');
      return { error, head: end < 0 ? received : received.slice(0, end), body: end < 0 ? '' : received.slice(end + 4) };
    };
    socket.on('error', (e: NodeJS.ErrnoException) => void (error ??= e.code ?? e.message));
    socket.on('close', () => {
      closed = true;
      resolve(answer());
    });
    const write = (data: string | Buffer) =>
      new Promise<void>((done) => (socket.destroyed ? done() : socket.write(data, () => done())));
    socket.once('connect', async () => {
      await write(head);
      const piece = Buffer.alloc(WRITE_BYTES, ' ');
      for (let sent = 0; sent < BODY_BYTES && !closed; sent += WRITE_BYTES) {
        await write(
          chunked ? Buffer.concat([Buffer.from(`${WRITE_BYTES.toString(16)}\r\n`), piece, Buffer.from('\r\n')]) : piece,
        );
        if (sent === BODY_BYTES / 2) await sleep(PAUSE_MS);
      }
      if (chunked) await write('0\r\n\r\n');
      // Only now read: what arrived meanwhile waited in the socket's buffer.
      socket.on('data', (data: Buffer) => {
        received += data.toString();
        const { head: answerHead, body } = answer();
        const length = /\r\ncontent-length: (\d+)/i.exec(answerHead)?.[1];
        if (length !== undefined && Buffer.byteLength(body) >= Number(length)) socket.end();
      });
    });
  });

const request = (framing: string, extra = '') =>
  `POST /payments/cancel HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${extra}${framing}\r\n\r\n`;

describe('the Node entry, answering a body over the limit', () => {
  let proxy: ScriptRun;
  let port: number;
  before(async () => {
    // The sandbox needs no credentials; the body limit runs before the grant is looked at.
    proxy = await runScript(
      'proxy/entries/node.ts',
      [],
      { PORT: '0', DATA_DIR: mkdtempSync(join(tmpdir(), 'refund-drain-')) },
      /Open the demo shop/,
    );
    port = Number(/listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(proxy.out)?.[1]);
    assert.ok(port > 0, proxy.out);
  });
  after(() => proxy.kill());

  const assertTooLarge = ({ error, head, body }: RawAnswer) => {
    assert.match(head, /^HTTP\/1\.1 413 /, `no answer; the connection met ${error}`);
    const parsed = JSON.parse(body) as { ok: boolean; error: { code: string; message: string } };
    assert.equal(parsed.error.code, 'PAYLOAD_TOO_LARGE');
    assert.match(parsed.error.message, /16384 bytes/);
  };

  it('with a Content-Length of 2 MB: 413 PAYLOAD_TOO_LARGE reaches a client that sends it all first', async () => {
    assertTooLarge(await sendThenRead(port, request(`Content-Length: ${BODY_BYTES}`), false));
  });

  it('sent chunked (no length up front): the same 413', async () => {
    assertTooLarge(await sendThenRead(port, request('Transfer-Encoding: chunked'), true));
  });

  it('from a client that asked for Connection: close: the same 413', async () => {
    assertTooLarge(await sendThenRead(port, request(`Content-Length: ${BODY_BYTES}`, 'Connection: close\r\n'), false));
  });
});

// A keep-alive connection answered early again and again (a body over the limit, a POST to no route, each body sent
// after its answer) must not leave something behind on its socket per request: the connection may live for as long as
// its client keeps using it, so whatever each drain leaves there grows without bound.
describe('nodeDrain, on one keep-alive connection answered early many times', () => {
  it('leaves no listener behind on the socket per drained request', async () => {
    const app = new Hono().post('*', (c) => c.text('refused before its body', 413));
    const sockets: Socket[] = [];
    const server = serve({ ...nodeDrain(app.fetch), port: 0, hostname: '127.0.0.1' });
    server.on('connection', (socket: Socket) => sockets.push(socket));
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    const client = connect(port, '127.0.0.1');
    client.setNoDelay(true);
    // Each request's one-byte body is sent once its answer has come: the answer always goes out before the body.
    const answers = (n: number) =>
      new Promise<void>((resolve) => {
        let seen = 0;
        const head = 'POST /payments/cancel HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1\r\n\r\n';
        const onData = (data: Buffer) => {
          seen += data.toString('latin1').match(/HTTP\/1\.1 413 /g)?.length ?? 0;
          client.write('x');
          if (seen < n) client.write(head);
          else {
            client.off('data', onData);
            resolve();
          }
        };
        client.on('data', onData);
        client.write(head);
      });
    try {
      await answers(5);
      await sleep(50);
      const [socket] = sockets;
      assert.ok(socket, 'the server saw the connection');
      const closeListenersAfter5 = socket.listenerCount('close');
      await answers(50);
      await sleep(50);
      assert.equal(sockets.length, 1, 'one connection throughout');
      assert.equal(
        socket.listenerCount('close'),
        closeListenersAfter5,
        'each drained request left a close listener (holding its request) on the socket',
      );
    } finally {
      client.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
