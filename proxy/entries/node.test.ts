// `npm start` as a process: refuses to start without credentials, and serves over loopback with a SQLite ledger.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { verifyGrant } from '../auth/grant.ts';
import { createFakeIamport } from '../gateways/iamport/fake/fake-iamport.ts';
import { serveFakeIamport } from '../gateways/iamport/fake/serve-node.ts';
import { createSqliteStore } from '../store/sqlite.ts';
import { startChild } from '../test-support/child-process.ts';
import { runScript } from '../test-support/node-process.ts';

const SECRET = 'entry-test-secret-0123456789-abcdefghij';
const LIVE = { IMP_KEY: 'test_imp_key', IMP_SECRET: 'test_imp_secret', REFUND_TOKEN_SECRET: SECRET };

describe('the Node entry (npm start)', () => {
  it('in production, stops with a message naming IMP_KEY, IMP_SECRET and REFUND_TOKEN_SECRET when they are missing', async () => {
    const { code, out } = await runScript('proxy/entries/node.ts', [], { NODE_ENV: 'production' });
    assert.equal(code, 1);
    for (const name of ['IMP_KEY', 'IMP_SECRET', 'REFUND_TOKEN_SECRET']) assert.match(out, new RegExp(name));
    assert.doesNotMatch(out, /SANDBOX/);
  });

  it('in production, stops when only REFUND_TOKEN_SECRET is missing', async () => {
    const { code, out } = await runScript('proxy/entries/node.ts', [], {
      NODE_ENV: 'production',
      IMP_KEY: 'k',
      IMP_SECRET: 's',
    });
    assert.equal(code, 1);
    assert.match(out, /REFUND_TOKEN_SECRET/);
  });

  it('with only one of the two credentials, names the missing one instead of falling back to the sandbox', async () => {
    const { code, out } = await runScript('proxy/entries/node.ts', [], { IMP_KEY: 'k', REFUND_TOKEN_SECRET: SECRET });
    assert.equal(code, 1);
    assert.match(out, /IMP_SECRET/);
  });

  // Each of these started the sandbox before, with the real grant secret and ledger where they were set.
  const liveButIncomplete: Array<[string, Record<string, string>, string[]]> = [
    ['NODE_ENV=Production', { NODE_ENV: 'Production' }, ['IMP_KEY', 'IMP_SECRET', 'REFUND_TOKEN_SECRET']],
    ['NODE_ENV=prod', { NODE_ENV: 'prod' }, ['IMP_KEY', 'IMP_SECRET', 'REFUND_TOKEN_SECRET']],
    [
      'a misspelt IMP_SECRET (IMP_SECERT)',
      { IMP_KEY: 'k', IMP_SECERT: 's', REFUND_TOKEN_SECRET: SECRET },
      ['IMP_SECRET'],
    ],
    ['only REFUND_TOKEN_SECRET', { REFUND_TOKEN_SECRET: SECRET }, ['IMP_KEY', 'IMP_SECRET']],
    [
      'only DATABASE_URL',
      { DATABASE_URL: 'postgres://u@127.0.0.1:1/x' },
      ['IMP_KEY', 'IMP_SECRET', 'REFUND_TOKEN_SECRET'],
    ],
  ];
  for (const [name, env, missing] of liveButIncomplete) {
    it(`with ${name}, starts live and stops naming ${missing.join(', ')}: never the sandbox`, async () => {
      const { code, out } = await runScript('proxy/entries/node.ts', [], { PORT: '0', ...env });
      assert.equal(code, 1, out);
      for (const variable of missing) assert.match(out, new RegExp(`${variable} is not set`));
      assert.match(out, /Live mode: the sandbox runs only when/);
      assert.doesNotMatch(out, /SANDBOX MODE|listening/);
    });
  }

  it('keeps the sandbox on loopback: a public HOST stops start-up unless SANDBOX_PUBLIC=true', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'refund-sandbox-'));
    const refused = await runScript('proxy/entries/node.ts', [], { PORT: '0', HOST: '0.0.0.0', DATA_DIR: dataDir });
    assert.equal(refused.code, 1);
    assert.match(refused.out, /HOST=0\.0\.0\.0 is not a loopback address/);
    assert.match(refused.out, /SANDBOX_PUBLIC=true/);
    const demo = await runScript(
      'proxy/entries/node.ts',
      [],
      { PORT: '0', HOST: '0.0.0.0', SANDBOX_PUBLIC: 'true', DATA_DIR: dataDir },
      /Open the demo shop/,
    );
    try {
      assert.match(demo.out, /SANDBOX MODE/);
    } finally {
      await demo.kill();
    }
  });

  it("signs the sandbox's grants with SANDBOX_TOKEN_SECRET when set, else with a secret of its own", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'refund-sandbox-'));
    const grantsOf = async (env: Record<string, string>) => {
      const proxy = await runScript(
        'proxy/entries/node.ts',
        [],
        { PORT: '0', DATA_DIR: dataDir, ...env },
        /Open the demo shop/,
      );
      try {
        const base = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(proxy.out)?.[1];
        const { orders } = (await (await fetch(`${base}/sandbox/orders`)).json()) as {
          orders: Array<{ grant: string }>;
        };
        return orders.map((o) => o.grant);
      } finally {
        await proxy.kill();
      }
    };
    const [chosen] = await grantsOf({ SANDBOX_TOKEN_SECRET: SECRET });
    assert.ok((await verifyGrant(chosen!, SECRET)).ok);
    const [own] = await grantsOf({});
    assert.equal((await verifyGrant(own!, SECRET)).ok, false);
  });

  it("without credentials runs the sandbox: fake i'mport over loopback HTTP, demo shop at /, refunds that work", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'refund-sandbox-'));
    const proxy = await runScript('proxy/entries/node.ts', [], { PORT: '0', DATA_DIR: dataDir }, /Open the demo shop/);
    try {
      assert.match(proxy.out, /SANDBOX MODE/);
      assert.match(proxy.out, /No real money moves/);
      const base = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(proxy.out)?.[1];
      assert.ok(base, proxy.out);
      assert.deepEqual(await (await fetch(`${base}/health`)).json(), { ok: true, store: 'sqlite', gateway: 'iamport' });
      assert.match(proxy.out, /i'mport: http:\/\/127\.0\.0\.1:\d+\)/, 'the proxy talks to the fake over HTTP');
      const page = await (await fetch(`${base}/`)).text();
      assert.equal((page.match(/<refund-button /g) ?? []).length, 11);
      // The staff page's grant opens the staff routes from the sandbox's own origin (CORS and the origin guard).
      assert.ok(proxy.out.includes(`staff decide on ${base}/sandbox/desk`), 'the banner names the staff page');
      const desk = await (await fetch(`${base}/sandbox/desk`)).text();
      const staffGrant = /<refund-desk token="([^"]+)"/.exec(desk)?.[1];
      const queue = await fetch(`${base}/staff/refund-requests`, {
        headers: { Authorization: `Bearer ${staffGrant}`, Origin: base },
      });
      assert.equal(queue.status, 200);
      assert.equal(queue.headers.get('Access-Control-Allow-Origin'), base);
      const { orders } = (await (await fetch(`${base}/sandbox/orders`)).json()) as {
        orders: Array<{ merchant_uid: string; grant: string }>;
      };
      const card = orders.find((o) => o.merchant_uid.endsWith('-card'))!;
      const res = await fetch(`${base}/payments/cancel`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${card.grant}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ merchant_uid: card.merchant_uid, cancel_request_amount: 9000, reason: '단순 변심' }),
      });
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { cancelable_amount: number }).cancelable_amount, 30000);
      // The banner's admin key, made for this run, lists that refund.
      const adminKey = /Admin API key for this run: (\S+)/.exec(proxy.out)?.[1];
      assert.ok(adminKey && adminKey.length >= 32, proxy.out);
      const listed = await fetch(`${base}/admin/refunds?merchant_uid=${card.merchant_uid}`, {
        headers: { Authorization: `Bearer ${adminKey}` },
      });
      assert.equal(listed.status, 200);
      const { data } = (await listed.json()) as { data: Array<{ refunded: number }> };
      assert.deepEqual(
        data.map((row) => row.refunded),
        [9000],
      );
      // The refund's event went to the sandbox's own receiver over loopback, which verified its signature.
      assert.match(
        proxy.out,
        /Merchant webhooks go to the sandbox's own receiver \(http:\/\/127\.0\.0\.1:\d+\/webhooks\)/,
      );
      assert.match(proxy.out, /retried after 5 s, 15 s, 30 s \(WEBHOOK_RETRY_SCHEDULE\)/);
      const received = async () =>
        ((await (await fetch(`${base}/sandbox/webhooks`)).json()) as { received: Array<Record<string, unknown>> })
          .received;
      // The first delivery runs just after the answer, in the background: wait for it, on a bound.
      let got = await received();
      for (let i = 0; got.length === 0 && i < 100; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        got = await received();
      }
      assert.deepEqual(
        got.map((d) => [d.type, d.verified, d.answered]),
        [['refund.succeeded', true, 204]],
      );
    } finally {
      proxy.kill();
    }
  });

  it("with PUBLIC_ORIGIN, the demo shop's controls answer its page there, as the payment routes do, and no other", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'refund-sandbox-'));
    const env = { PORT: '0', DATA_DIR: dataDir, PUBLIC_ORIGIN: 'https://demo.example' };
    const proxy = await runScript('proxy/entries/node.ts', [], env, /Open the demo shop/);
    try {
      const base = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(proxy.out)?.[1];
      assert.ok(base, proxy.out);
      const addOrder = (origin: string) =>
        fetch(`${base}/sandbox/orders`, {
          method: 'POST',
          headers: { Origin: origin, 'Content-Type': 'application/json' },
          body: JSON.stringify({ kind: 'card', amount: 15000 }),
        });
      const there = await addOrder('https://demo.example');
      assert.equal(there.status, 201, await there.clone().text());
      const { merchant_uid, grant } = (await there.json()) as { merchant_uid: string; grant: string };
      const view = await fetch(`${base}/payments/${merchant_uid}`, {
        headers: { Authorization: `Bearer ${grant}`, Origin: 'https://demo.example' },
      });
      assert.equal(view.status, 200, 'the payment routes take the page on PUBLIC_ORIGIN');
      assert.equal((await addOrder('https://other.example')).status, 403);
    } finally {
      await proxy.kill();
    }
  });

  it('with SANDBOX_GATEWAY=portone runs the same demo shop on the fake PortOne V2, over loopback HTTP', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'refund-sandbox-'));
    const proxy = await runScript(
      'proxy/entries/node.ts',
      [],
      { PORT: '0', DATA_DIR: dataDir, SANDBOX_GATEWAY: 'portone' },
      /Open the demo shop/,
    );
    try {
      assert.match(
        proxy.out,
        /a built-in fake PortOne V2 answers on http:\/\/127\.0\.0\.1:\d+ \(SANDBOX_GATEWAY=portone\)/,
      );
      assert.match(proxy.out, /PortOne V2: http:\/\/127\.0\.0\.1:\d+\)/, 'the proxy talks to the fake over HTTP');
      const base = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(proxy.out)?.[1];
      assert.ok(base, proxy.out);
      assert.deepEqual(await (await fetch(`${base}/health`)).json(), { ok: true, store: 'sqlite', gateway: 'portone' });
      assert.match(await (await fetch(`${base}/`)).text(), /data-gateway="portone"/);
      const { orders } = (await (await fetch(`${base}/sandbox/orders`)).json()) as {
        orders: Array<{ merchant_uid: string; grant: string }>;
      };
      const card = orders.find((o) => o.merchant_uid.endsWith('-card'))!;
      const res = await fetch(`${base}/payments/cancel`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${card.grant}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ merchant_uid: card.merchant_uid, cancel_request_amount: 9000, reason: '단순 변심' }),
      });
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { cancelable_amount: number }).cancelable_amount, 30000);
      // The fake's signed Transaction.PartialCancelled came back to the proxy, which verified it (200): wait on a bound.
      const received = /"path":"\/webhooks\/portone","status":200/;
      for (let i = 0; !received.test(proxy.out) && i < 100; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.match(proxy.out, received);
    } finally {
      proxy.kill();
    }
  });

  it('stops start-up naming SANDBOX_GATEWAY when it is neither iamport nor portone', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'refund-sandbox-'));
    const { code, out } = await runScript('proxy/entries/node.ts', [], {
      PORT: '0',
      DATA_DIR: dataDir,
      SANDBOX_GATEWAY: 'v2',
    });
    assert.equal(code, 1, out);
    assert.match(out, /SANDBOX_GATEWAY must be iamport \(the fake i'mport V1\) or portone \(the fake PortOne V2\)/);
    assert.doesNotMatch(out, /SANDBOX MODE|listening|Live mode/);
  });

  it("serves the proxy on loopback against i'mport over HTTP, with the SQLite ledger in DATA_DIR", async () => {
    const fake = createFakeIamport();
    fake.addPayment({ merchant_uid: 'N-1', amount: 4000 });
    const server = await serveFakeIamport(fake);
    const dataDir = mkdtempSync(join(tmpdir(), 'refund-entry-'));
    const proxy = await runScript(
      'proxy/entries/node.ts',
      [],
      {
        IMP_KEY: 'test_imp_key',
        IMP_SECRET: 'test_imp_secret',
        REFUND_TOKEN_SECRET: SECRET,
        IAMPORT_API_URL: server.url,
        PORT: '0',
        DATA_DIR: dataDir,
        HEALTH_DETAILS: 'true',
        TRUST_PROXY: 'true',
      },
      /listening on/,
    );
    try {
      const port = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(proxy.out)?.[1];
      assert.ok(port, proxy.out);
      const base = `http://127.0.0.1:${port}`;
      const health = (await (await fetch(`${base}/health`)).json()) as { store: string; iamport: string };
      assert.match(
        proxy.out,
        /"level":"warn","msg":"TRUST_PROXY=true is read as TRUST_PROXY=1/,
        'the old spelling is warned about at start',
      );
      assert.deepEqual(health, { ok: true, store: 'sqlite', gateway: 'iamport', iamport: server.url, mode: 'live' });
      assert.match(
        proxy.out,
        /"level":"warn","msg":"ALLOWED_ORIGINS is empty and PUBLIC_ORIGIN is not set: no web page may call/,
        'live without ALLOWED_ORIGINS is warned about at start',
      );
      const grant = (
        await runScript('proxy/cli/grant.ts', ['N-1', '--ttl', '120', '--max-amount', '4000'], {
          REFUND_TOKEN_SECRET: SECRET,
        })
      ).out.trim();
      const check = await verifyGrant(grant, SECRET);
      assert.ok(
        check.ok && check.grant.sub === 'N-1' && check.grant.max_amount === 4000 && check.grant.jti,
        'a capped grant carries a jti',
      );
      const res = await fetch(`${base}/payments/cancel`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${grant}`, 'Content-Type': 'application/json', 'Idempotency-Key': 'entry-1' },
        body: JSON.stringify({ merchant_uid: 'N-1', reason: '단순 변심' }),
      });
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { refunded: number }).refunded, 4000);
    } finally {
      proxy.kill();
      await server.close();
    }
  });

  it('runs housekeeping once it listens: an idempotency key past its 24 hours is gone from the ledger', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'refund-housekeeping-'));
    const path = join(dataDir, 'ledger.sqlite');
    const claim = (store: ReturnType<typeof createSqliteStore>, key: string, age: number) =>
      store.claimIdempotencyKey({ key, merchant_uid: 'HK-1', request_hash: 'h', created_at: Date.now() - age });
    const before = createSqliteStore({ path });
    await before.migrate();
    await claim(before, 'expired', 26 * 3600 * 1000);
    await claim(before, 'recent', 3600 * 1000);
    await before.close();
    // Stopped as soon as it listens: shutdown waits for the round begun at start before it closes the ledger.
    const env = { ...LIVE, PORT: '0', DATA_DIR: dataDir };
    const proxy = await runScript('proxy/entries/node.ts', [], env, /listening on/);
    await proxy.kill();
    const after = createSqliteStore({ path });
    try {
      assert.equal((await claim(after, 'expired', 0)).created, true, 'the expired key was purged');
      assert.equal((await claim(after, 'recent', 0)).created, false, 'a key within its 24 hours stays');
    } finally {
      await after.close();
    }
  });
});

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs the entry until it exits: its exit code, what it wrote on stderr, and everything it printed. */
const failedStart = async (env: Record<string, string>) => {
  const child = startChild({
    command: process.execPath,
    args: ['--import', 'tsx', 'proxy/entries/node.ts'],
    cwd: root,
    env,
    name: 'the Node entry',
  });
  const code = await child.waitForExit({ timeoutMs: 30_000 });
  return { code, stderr: child.stderr(), out: child.output() };
};

/** A loopback TCP server that does `onConnection` with each connection; close() drops what is still connected. */
const tcpServer = (onConnection: (socket: Socket) => void = () => undefined) =>
  new Promise<{ port: number; close(): Promise<void> }>((resolve) => {
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket.once('close', () => sockets.delete(socket)));
      onConnection(socket);
    });
    const close = () =>
      new Promise<void>((done) => {
        server.close(() => done());
        for (const socket of sockets) socket.destroy();
      });
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({ port: typeof address === 'object' && address ? address.port : 0, close });
    });
  });

/** Exit code 1 and one line on stderr that names `setting`, with no stack trace. */
const assertOneLine = (result: { code: number | null; stderr: string; out: string }, setting: RegExp) => {
  assert.equal(result.code, 1, result.out);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line on stderr:\n${result.stderr}`);
  assert.match(lines[0]!, setting);
  assert.doesNotMatch(result.out, /^\s+at /m, 'no stack trace');
  assert.doesNotMatch(result.out, /listening on/);
};

describe('the Node entry stops start-up in one line on what the machine cannot do', () => {
  const live = (extra: Record<string, string>) => ({
    ...LIVE,
    ALLOWED_ORIGINS: 'https://shop.example',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'refund-start-')),
    PORT: '0',
    ...extra,
  });

  it('a PORT another program listens on', async () => {
    const { port, close } = await tcpServer();
    try {
      const result = await failedStart(live({ PORT: String(port) }));
      assertOneLine(result, new RegExp(`^Cannot start: PORT ${port} is already in use on 127\\.0\\.0\\.1`));
    } finally {
      await close();
    }
  });

  it('a DATA_DIR the ledger cannot be written in (a file stands where the directory should be)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'refund-start-')), 'not-a-directory');
    writeFileSync(file, 'x');
    const result = await failedStart(live({ DATA_DIR: file }));
    assertOneLine(
      result,
      /^Cannot start: DATA_DIR \S+not-a-directory cannot hold the SQLite ledger: a file is in the way/,
    );
  });

  it('a ledger a newer release migrated (a downgrade): names the versions, and runs nothing on it', async () => {
    // An older release on a newer ledger would write rows by rules the newer one's migrations have moved past (a
    // refund while a request of a later release's request mode is open, events its outbox cannot read).
    const dataDir = mkdtempSync(join(tmpdir(), 'refund-start-'));
    const ledger = createSqliteStore({ path: join(dataDir, 'ledger.sqlite') });
    await ledger.migrate();
    await ledger.close();
    const db = new Database(join(dataDir, 'ledger.sqlite'));
    const known = (db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number }).v;
    db.prepare("INSERT INTO schema_migrations (version, name) VALUES (?, 'from_a_newer_release')").run(known + 1);
    db.close();
    const result = await failedStart(live({ DATA_DIR: dataDir }));
    assertOneLine(
      result,
      new RegExp(
        `^Cannot start: DATA_DIR \\S+: the ledger was migrated by a newer release \\(schema version ${known + 1}; ` +
          `this release knows up to ${known}\\)`,
      ),
    );
  });

  it('a DATABASE_URL nobody listens at, never printing its password', async () => {
    const { port, close } = await tcpServer();
    await close(); // a port that was free a moment ago, on loopback: connections are refused at once
    const result = await failedStart(live({ DATABASE_URL: `postgres://refunds:hunter2-secret@127.0.0.1:${port}/db` }));
    assertOneLine(
      result,
      new RegExp(`^Cannot start: DATABASE_URL \\(127\\.0\\.0\\.1:${port}/db\\) could not be opened`),
    );
    assert.match(result.stderr, /ECONNREFUSED/);
    assert.doesNotMatch(result.out, /hunter2/);
  });

  it('a DATABASE_URL whose password holds a / or #, never printing the password', async () => {
    // Generated passwords often hold them; the driver would throw a TypeError quoting the whole URL.
    for (const password of ['k9/Xq2hunter2', 'k9#Xq2hunter2']) {
      const result = await failedStart(live({ DATABASE_URL: `postgres://app:${password}@127.0.0.1:9/db` }));
      assert.equal(result.code, 1, result.out);
      assert.match(result.stderr, /DATABASE_URL cannot be read as a PostgreSQL URL: write a \/ \? or #/);
      assert.doesNotMatch(result.out, /hunter2/);
      assert.doesNotMatch(result.out, /^\s+at /m, 'no stack trace');
    }
  });

  it('a DATABASE_URL whose server hangs up on every connection, within its connect_timeout', async () => {
    // The driver retries such a server without end; start-up gives it connect_timeout seconds in all.
    const { port, close } = await tcpServer((socket) => socket.end());
    try {
      const url = `postgres://refunds:hunter2-secret@127.0.0.1:${port}/db?connect_timeout=1`;
      const result = await failedStart(live({ DATABASE_URL: url }));
      assertOneLine(result, /^Cannot start: DATABASE_URL \(127\.0\.0\.1:\d+\/db\) could not be opened .*within 1 s/);
      assert.doesNotMatch(result.out, /hunter2/);
    } finally {
      await close();
    }
  });
});

describe('the Node entry forwarding webhooks (IAMPORT_WEBHOOK_FORWARD_URL)', () => {
  it("forwards an i'mport webhook over HTTP, and at shutdown gives up a retry rather than wait for it", async () => {
    const fake = createFakeIamport();
    const payment = fake.addPayment({ merchant_uid: 'FW-1', amount: 1000 });
    const iamport = await serveFakeIamport(fake);
    const received: string[] = [];
    const shop = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        received.push(`${req.headers['content-type']} ${body}`);
        res.writeHead(500).end();
      });
    });
    await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', () => resolve()));
    const address = shop.address();
    const shopPort = typeof address === 'object' && address ? address.port : 0;
    const child = startChild({
      command: process.execPath,
      args: ['--import', 'tsx', 'proxy/entries/node.ts'],
      cwd: root,
      env: {
        ...LIVE,
        IAMPORT_API_URL: iamport.url,
        ALLOWED_ORIGINS: 'https://shop.example',
        IAMPORT_WEBHOOK_FORWARD_URL: `http://127.0.0.1:${shopPort}/iamport-notice`,
        DATA_DIR: mkdtempSync(join(tmpdir(), 'refund-forward-')),
        PORT: '0',
      },
      name: 'the Node entry',
    });
    try {
      const base = (await child.waitForOutput(/listening on (http:\/\/127\.0\.0\.1:\d+)/))[1];
      const body = JSON.stringify({ imp_uid: payment.imp_uid, merchant_uid: 'FW-1', status: 'paid' });
      const res = await fetch(`${base}/webhooks/iamport`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body,
      });
      assert.equal(res.status, 200);
      await child.waitForOutput(/"msg":"webhook forward failed; retrying".*"retry_in_ms":5000/);
      assert.deepEqual(received, [`application/json ${body}`]);
      await child.stop({ graceMs: 10_000 });
      assert.equal(child.process.exitCode, 0);
      assert.match(child.output(), /"level":"warn","msg":"webhook forward gave up[^\n]*stopped before the next try/);
    } finally {
      await child.stop();
      shop.close();
      await iamport.close();
    }
  });
});
