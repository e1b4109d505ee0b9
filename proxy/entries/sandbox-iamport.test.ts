// The sandbox restarted on the same DATA_DIR (npm start run twice): the same demo ids, and its i'mport's payments as
// they were left, refunds included, so the ledger and the sandbox i'mport still agree.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { mintGrant } from '../auth/grant.ts';
import { mintStaffGrant } from '../auth/staff-grant.ts';
import type { FakePayment } from '../gateways/iamport/fake/fake-iamport.ts';
import { startNodeProxy } from '../test-support/node-process.ts';
import { SANDBOX_STATE_FILE } from './sandbox-state-file.ts';

const SECRET = 'restart-test-secret-0123456789-abcdefgh';

type Started = Awaited<ReturnType<typeof startNodeProxy>>;

const start = (dataDir: string) => startNodeProxy({ DATA_DIR: dataDir, SANDBOX_TOKEN_SECRET: SECRET });

const demoIds = async (sandbox: Started): Promise<string[]> => {
  const { orders } = (await (await fetch(`${sandbox.url}/sandbox/orders`)).json()) as {
    orders: Array<{ merchant_uid: string }>;
  };
  return orders.map((o) => o.merchant_uid);
};

/** What the sandbox i'mport itself holds (its control route), not what the proxy's ledger says. */
const fakePayments = async (sandbox: Started): Promise<FakePayment[]> => {
  const fakeUrl = /i'mport: (http:\/\/127\.0\.0\.1:\d+)\)/.exec(sandbox.out)?.[1];
  assert.ok(fakeUrl, sandbox.out);
  return (await (await fetch(`${fakeUrl}/__fake/payments`)).json()) as FakePayment[];
};

const refund = async (sandbox: Started, merchant_uid: string, amount?: number) => {
  const res = await fetch(`${sandbox.url}/payments/cancel`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${await mintGrant(SECRET, { merchantUid: merchant_uid })}`,
      'Content-Type': 'application/json',
    },
    body: JSON.stringify({ merchant_uid, reason: '단순 변심', ...(amount ? { cancel_request_amount: amount } : {}) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { error?: { code: string } } };
};

const post = (sandbox: Started, path: string, body: unknown) =>
  fetch(`${sandbox.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('the sandbox across restarts (one DATA_DIR)', () => {
  it('keeps the demo ids and its payments, refunds included, even after a crash; a reset is kept too', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'refund-sandbox-restart-'));
    const first = await start(dataDir);
    let ids: string[];
    let own: string;
    try {
      ids = await demoIds(first);
      const card = ids.find((id) => id.endsWith('-card'))!;
      assert.equal((await refund(first, card)).status, 200);
      const created = await post(first, '/sandbox/orders', { kind: 'card', amount: 15000 });
      assert.equal(created.status, 201);
      own = ((await created.json()) as { merchant_uid: string }).merchant_uid;
      assert.equal((await refund(first, own, 5000)).status, 200);
    } finally {
      await first.kill('SIGKILL'); // a crash: no shutdown hook gets to save anything
    }

    const second = await start(dataDir);
    let afterReset: string[];
    try {
      assert.deepEqual(await demoIds(second), ids, 'the same demo orders');
      const card = ids.find((id) => id.endsWith('-card'))!;
      const payments = await fakePayments(second);
      const at = (uid: string) => payments.find((p) => p.merchant_uid === uid);
      assert.equal(at(card)?.cancel_amount, 39000, "the sandbox i'mport remembers the refund");
      assert.equal(at(card)?.status, 'cancelled');
      assert.equal(at(own)?.cancel_amount, 5000, "one's own order too");
      const again = await refund(second, card);
      assert.equal(again.status, 409);
      assert.equal(again.body.error?.code, 'PAYMENT_ALREADY_CANCELLED', 'a refunded demo order stays refunded');
      const rest = await refund(second, own);
      assert.equal(rest.status, 200, JSON.stringify(rest.body));
      assert.equal(rest.body.refunded, 10000, 'the ledger and the sandbox agree on what is left');
      assert.equal((await post(second, '/sandbox/reset', {})).status, 200);
      afterReset = await demoIds(second);
      assert.ok(
        afterReset.every((id) => !ids.includes(id)),
        'a reset gives new ids',
      );
    } finally {
      await second.kill();
    }

    const third = await start(dataDir);
    try {
      assert.deepEqual(await demoIds(third), afterReset, "the reset's orders are the ones kept");
      const uids = (await fakePayments(third)).map((p) => p.merchant_uid);
      assert.ok(!uids.includes(own), "a reset forgets one's own orders as well");
    } finally {
      await third.kill();
    }
  });

  it("opens a virtual-account request sealed before a restart: the sandbox's data key is kept in DATA_DIR", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'refund-sandbox-restart-'));
    const first = await start(dataDir);
    let uid: string;
    let id: string;
    try {
      uid = (await demoIds(first)).find((i) => i.endsWith('-vbank-approval'))!;
      const asked = await fetch(`${first.url}/refund-requests`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${await mintGrant(SECRET, { merchantUid: uid, mode: 'request' })}`,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({
          merchant_uid: uid,
          reason: '단순 변심',
          refund_holder: '홍길동',
          refund_bank: '88',
          refund_account: '110-123-456789',
        }),
      });
      assert.equal(asked.status, 201, await asked.clone().text());
      id = ((await asked.json()) as { request: { id: string } }).request.id;
    } finally {
      await first.kill();
    }
    const second = await start(dataDir);
    try {
      const staff = await mintStaffGrant(SECRET, { sub: 'restart-staff' });
      const approved = await fetch(`${second.url}/staff/refund-requests/${id}/approve`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${staff}`, 'Content-Type': 'application/json' },
        body: '{}',
      });
      const body = (await approved.json()) as { request: { status: string } };
      assert.equal(approved.status, 200, JSON.stringify(body));
      assert.equal(body.request.status, 'refunded');
    } finally {
      await second.kill();
    }
  });

  it('starts with fresh demo orders, saying why, when the saved file is not one it can read', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'refund-sandbox-restart-'));
    writeFileSync(join(dataDir, SANDBOX_STATE_FILE), 'not json');
    const sandbox = await start(dataDir);
    try {
      assert.match(
        sandbox.out,
        /"level":"warn","msg":"sandbox: .*sandbox-iamport\.json is not JSON; starting with fresh/,
      );
      assert.equal((await demoIds(sandbox)).length, 11);
    } finally {
      await sandbox.kill();
    }
  });
});
