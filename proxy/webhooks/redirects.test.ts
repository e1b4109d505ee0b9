// A merchant webhook URL (or IAMPORT_WEBHOOK_FORWARD_URL) answering with a redirect, with the web fetch the Workers,
// Deno and Bun entries use (portable.ts): the redirect is the answer, a failed attempt, and the signed event never goes
// where its Location points (an internal address, say), as on the Node entry's own client.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { portablePieces } from '../entries/portable.ts';
import { createHarness, type Harness } from '../test-support/harness.ts';
import { newWebhookSecret } from '../test-support/webhook-stack.ts';

let h: Harness | undefined;
const servers: Server[] = [];
afterEach(async () => {
  await h?.close();
  h = undefined;
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

const listen = async (handler: Parameters<typeof createServer>[1]): Promise<string> => {
  const server = createServer(handler);
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

/** An "internal" service that notes every request, and a receiver that redirects each POST there with `status`. */
const redirectingTo = async (status: number) => {
  const hits: string[] = [];
  const internal = await listen((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    req.resume();
    res.end('internal');
  });
  const receiver = await listen((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { Location: `${internal}/latest/meta-data` });
      res.end();
    });
  });
  return { hits, receiver };
};

describe('a redirect from a receiver, with the web fetch of the edge entries', () => {
  for (const status of [302, 307, 308]) {
    it(`a merchant webhook answered ${status} is a failed attempt, and nothing is sent to its Location`, async () => {
      const { hits, receiver } = await redirectingTo(status);
      h = await createHarness({
        outside: portablePieces.fetch,
        config: { merchantWebhooks: { urls: [receiver], secret: newWebhookSecret(), retryDelaysMs: [60_000] } },
      });
      h.fake.addPayment({ merchant_uid: `RD-${status}`, amount: 10_000 });
      const res = await h.cancel({ merchant_uid: `RD-${status}`, cancel_request_amount: 1000, reason: 'x' });
      assert.equal(res.res.status, 200);
      await h.settled();
      await h.outbox.runDue();

      const [event] = await h.store.listOrderEvents(`RD-${status}`);
      assert.equal(event?.status, 'pending', 'not delivered: it waits for its retry');
      const [delivery] = await h.store.listDeliveries(event!.id);
      assert.deepEqual([delivery?.status, delivery?.error], [status, `HTTP ${status}`]);
      assert.deepEqual(hits, [], 'the internal address was never asked');
    });
  }

  it("i'mport's webhook forwarded to a handler that answers 307 is not sent on to its Location", async () => {
    const { hits, receiver } = await redirectingTo(307);
    const waited: number[] = [];
    h = await createHarness({
      outside: portablePieces.fetch,
      config: { webhookForwardUrl: `${receiver}/iamport/notice` },
      retryWait: async (ms) => {
        waited.push(ms);
        return false; // no retries: one try is enough to see where it went
      },
    });
    const p = h.fake.addPayment({ merchant_uid: 'RD-FW', amount: 10_000 });
    const res = await h.app.request('/webhooks/iamport', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ imp_uid: p.imp_uid, merchant_uid: 'RD-FW', status: 'paid' }),
    });
    assert.equal(res.status, 200);
    await h.settled();
    assert.ok(waited.length >= 1, 'the 307 was a failed try, with a retry due');
    assert.deepEqual(hits, [], 'the internal address was never asked');
  });
});
