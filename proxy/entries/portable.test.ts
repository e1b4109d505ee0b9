// What the Deno and Bun entries share: the start-up refusals, the client IP (DATABASE_URL's need: config.test.ts).
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { Hono } from 'hono';
import { clientIpFromPeer, openPortableLedger } from './portable.ts';

const ENV = { IMP_KEY: 'k', IMP_SECRET: 's', REFUND_TOKEN_SECRET: 'portable-test-secret-0123456789-abcdef' };

/** A loopback port nothing listens on. */
const closedPort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 1));
    });
  });

const stopWith = (message: string): never => {
  throw new Error(`stopped: ${message}`);
};

describe('openPortableLedger', () => {
  it('stops with the configuration problems', async () => {
    await assert.rejects(
      openPortableLedger(ENV, 'Bun', stopWith),
      /stopped: Configuration error:[\s\S]*DATABASE_URL is not set/,
    );
  });

  it('stops when the database cannot be reached, naming its host but never its password', async () => {
    const port = await closedPort();
    const url = `postgres://refunds:hunter2-secret@127.0.0.1:${port}/refunds`;
    await assert.rejects(openPortableLedger({ ...ENV, DATABASE_URL: url }, 'Deno', stopWith), (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.ok(error.message.includes(`DATABASE_URL (127.0.0.1:${port}/refunds) could not be opened`), error.message);
      assert.doesNotMatch(error.message, /hunter2/);
      return true;
    });
  });
});

describe('openPortableLedger, against a server that hangs up on every connection', () => {
  it("stops once the URL's connect_timeout has passed (the driver alone would retry without end)", async () => {
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const url = `postgres://refunds:hunter2-secret@127.0.0.1:${port}/refunds?connect_timeout=1`;
    try {
      await assert.rejects(openPortableLedger({ ...ENV, DATABASE_URL: url }, 'Bun', stopWith), (error: unknown) => {
        assert.ok(error instanceof Error);
        assert.match(
          error.message,
          /^stopped: DATABASE_URL \(127\.0\.0\.1:\d+\/refunds\) could not be opened .*within 1 s/,
        );
        assert.doesNotMatch(error.message, /hunter2|\n/);
        return true;
      });
    } finally {
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });
});

describe('clientIpFromPeer', () => {
  const app = (hops: number) => new Hono().get('/', (c) => c.text(clientIpFromPeer(hops)(c) ?? 'none'));
  const ip = async (hops: number, env: unknown, headers: Record<string, string> = {}) =>
    (await app(hops).request('/', { headers }, env)).text();

  it('is the peer address the entry passed to app.fetch()', async () => {
    assert.equal(await ip(0, { peerAddress: '198.51.100.4' }), '198.51.100.4');
    assert.equal(await ip(0, undefined), 'none');
  });

  it('takes the TRUST_PROXY-th X-Forwarded-For entry from the right, never one the client wrote', async () => {
    // The client sent "6.6.6.6"; the one proxy in front appended the address it saw.
    const headers = { 'X-Forwarded-For': '6.6.6.6, 203.0.113.7' };
    assert.equal(await ip(0, { peerAddress: '10.0.0.1' }, headers), '10.0.0.1');
    assert.equal(await ip(1, { peerAddress: '10.0.0.1' }, headers), '203.0.113.7');
    assert.equal(await ip(2, { peerAddress: '10.0.0.1' }, headers), '6.6.6.6');
    assert.equal(await ip(3, { peerAddress: '10.0.0.1' }, headers), '10.0.0.1', 'fewer entries than hops: the peer');
  });

  it('uses the peer when the chosen entry is not an IP address (8 KB of junk, a name, a port)', async () => {
    for (const junk of ['x'.repeat(8192), 'unknown', '203.0.113.7:443', '', 'fe80::1%eth0']) {
      assert.equal(
        await ip(1, { peerAddress: '10.0.0.1' }, { 'X-Forwarded-For': junk }),
        '10.0.0.1',
        junk.slice(0, 20),
      );
    }
    assert.equal(await ip(1, { peerAddress: '10.0.0.1' }, { 'X-Forwarded-For': '2001:DB8::0:1' }), '2001:db8::1');
    assert.equal(await ip(0, { peerAddress: '::ffff:10.0.0.9' }), '10.0.0.9', 'an IPv4 client on a dual-stack socket');
  });
});
