// The request log line, through the whole app: what it names, and that a client cannot make it long.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { adminCalls, withAdmin } from '../test-support/admin-calls.ts';
import { createHarness, type Harness } from '../test-support/harness.ts';

let h: Harness;
afterEach(async () => h?.close());

const requestLines = () => h.logs.filter((line) => line.msg === 'request');

describe('the request log', () => {
  it('names method, path, status and Origin on each request', async () => {
    h = await createHarness();
    await h.app.request('/health', { headers: { Origin: 'https://shop.example' } });
    const [line] = requestLines();
    assert.deepEqual(
      [line?.method, line?.path, line?.status, line?.origin],
      ['GET', '/health', 200, 'https://shop.example'],
    );
  });

  it('cuts a long path or Origin, on any route, so no sender can make a line kilobytes long', async () => {
    h = await createHarness();
    const path = `/${'p'.repeat(8000)}`;
    const origin = `https://${'o'.repeat(7000)}.example`;
    // An unknown route (no limit applies there) and a refused origin on a customer route (refused before any limit).
    await h.app.request(path, { headers: { Origin: origin } });
    await h.app.request('/payments/ORD-1', { headers: { Origin: origin } });
    const lines = requestLines();
    assert.deepEqual(
      lines.map((line) => line.status),
      [404, 403],
    );
    for (const line of lines) {
      assert.ok(JSON.stringify(line).length < 1000, `a short line: ${JSON.stringify(line).length} chars`);
      assert.equal(line.origin, `${origin.slice(0, 200)}…(${origin.length} chars)`);
    }
    assert.equal(lines[0]?.path, `${path.slice(0, 200)}…(${path.length} chars)`);
    assert.equal(lines[1]?.path, '/payments/ORD-1', 'a path of ordinary length is logged whole');
  });

  it("carries the answer's error code on a 404 too: an unknown route, request or event", async () => {
    h = await withAdmin();
    const { admin } = adminCalls(h);
    await h.app.request('/nope');
    await admin('/admin/refund-requests/rr_nope/approve', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    await admin('/admin/events/msg_nope/redeliver', { method: 'POST' });
    assert.deepEqual(
      requestLines().map((line) => [line.status, line.code]),
      [
        [404, 'INVALID_REQUEST'],
        [404, 'INVALID_REQUEST'],
        [404, 'INVALID_REQUEST'],
      ],
    );
  });
});
