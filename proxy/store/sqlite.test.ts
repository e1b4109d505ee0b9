/** @module Runs the store contract on a fresh SQLite file, and checks what only SQLite needs: files, WAL, processes. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { T0 } from './contract-fixtures.ts';
import { runStoreContract } from './contract.ts';
import { createSqliteStore } from './sqlite.ts';

const dir = mkdtempSync(join(tmpdir(), 'store-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));

runStoreContract('SQLite file', async () => createSqliteStore({ path: join(dir, 'contract', 'ledger.db') }), 'sqlite');

const sqliteModule = fileURLToPath(new URL('./sqlite.ts', import.meta.url));

/** Runs an ES module program in a separate Node process (with tsx); `firstLine` is the first line it prints. */
function spawnNode(program: string): { firstLine: Promise<string>; output: Promise<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let lineSeen: (line: string) => void = () => {};
  let lineMissing: (error: Error) => void = () => {};
  const firstLine = new Promise<string>((resolve, reject) => ([lineSeen, lineMissing] = [resolve, reject]));
  firstLine.catch(() => {}); // most callers only want the output; a caller awaiting firstLine still sees the failure
  child.stdout.on('data', chunk => {
    out += chunk;
    if (out.includes('\n')) lineSeen(out.slice(0, out.indexOf('\n')));
  });
  child.stderr.on('data', chunk => (err += chunk));
  const output = new Promise<string>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', code => {
      const failure = new Error(`child exited ${code}: ${err}`);
      lineMissing(failure);
      if (code === 0) resolve(out.trim());
      else reject(failure);
    });
  });
  return { firstLine, output };
}

/** Runs `body` in a separate Node process with `store` open on `path`; resolves with what it printed. */
function inChildProcess(path: string, body: string): Promise<string> {
  return spawnNode(`
    const { createSqliteStore } = await import(${JSON.stringify(sqliteModule)});
    const store = createSqliteStore({ path: ${JSON.stringify(path)} });
    try { ${body} } finally { await store.close(); }
  `).output;
}

describe('SQLite store', () => {
  it("opens ':memory:' as a private database", async () => {
    const store = createSqliteStore({ path: ':memory:' });
    await store.migrate();
    assert.equal(await store.acquireLease('order-1', 'h1', 1000, T0), true);
    const other = createSqliteStore({ path: ':memory:' });
    await other.migrate();
    assert.equal(await other.acquireLease('order-1', 'h2', 1000, T0), true, 'another :memory: store shares nothing');
    await Promise.all([store.close(), other.close()]);
  });

  it('creates the missing parent directories of its file, and writes it in WAL mode', async () => {
    const path = join(dir, 'deep', 'er', 'ledger.db');
    const store = createSqliteStore({ path });
    await store.migrate();
    assert.ok(existsSync(path));
    assert.ok(existsSync(`${path}-wal`), 'WAL mode keeps a -wal file beside the database while it is open');
    await store.close();
  });

  it('migrates one fresh file from three processes at once', async () => {
    const path = join(dir, 'processes', 'ledger.db');
    const here = createSqliteStore({ path });
    await Promise.all([
      here.migrate(),
      inChildProcess(path, 'await store.migrate();'),
      inChildProcess(path, 'await store.migrate();'),
    ]);
    await here.upsertPayment(
      {
        imp_uid: 'imp-1',
        merchant_uid: 'order-1',
        pay_method: 'card',
        pg_provider: 'kcp',
        name: null,
        amount: 1000,
        cancel_amount: 0,
        currency: 'KRW',
        status: 'paid',
        paid_at: null,
        receipt_url: null,
        cancel_history: [],
      },
      T0,
    );
    assert.equal((await here.getPayment('order-1'))?.imp_uid, 'imp-1');
    await here.close();
  });

  it('shares a lease with another process: one holder at a time, free again after release', async () => {
    const path = join(dir, 'lease', 'ledger.db');
    const here = createSqliteStore({ path });
    await here.migrate();
    assert.equal(await here.acquireLease('order-1', 'parent', 60_000, T0), true);
    const childTakes = (now: number) =>
      inChildProcess(path, `console.log(await store.acquireLease('order-1', 'child', 60_000, ${now}));`);
    assert.equal(await childTakes(T0 + 1), 'false');
    await here.releaseLease('order-1', 'parent');
    assert.equal(await childTakes(T0 + 2), 'true');
    assert.equal(await here.acquireLease('order-1', 'parent', 60_000, T0 + 3), false);

    // Racing processes: each of three children and this one try once; exactly one may win.
    const race = (holder: string) => `console.log(await store.acquireLease('order-2', '${holder}', 60_000, ${T0}));`;
    const results = await Promise.all([
      here.acquireLease('order-2', 'parent', 60_000, T0).then(String),
      inChildProcess(path, race('c1')),
      inChildProcess(path, race('c2')),
      inChildProcess(path, race('c3')),
    ]);
    assert.equal(results.filter(result => result === 'true').length, 1, results.join(','));
    await here.close();
  });

  it("waits for another process's write transaction instead of failing", async () => {
    const path = join(dir, 'busy', 'ledger.db');
    const here = createSqliteStore({ path });
    await here.migrate();
    // The child holds the write lock for 400 ms, as a slow writer in another process would.
    const child = spawnNode(`
      const { default: Database } = await import('better-sqlite3');
      const db = new Database(${JSON.stringify(path)});
      db.exec('BEGIN IMMEDIATE');
      db.prepare("INSERT INTO leases (name, holder, expires_at) VALUES ('held', 'child', 1)").run();
      console.log('locked');
      setTimeout(() => { db.exec('COMMIT'); db.close(); }, 400);
    `);
    assert.equal(await child.firstLine, 'locked');
    const started = Date.now();
    assert.equal(await here.acquireLease('order-1', 'parent', 1000, T0), true);
    assert.ok(Date.now() - started >= 200, 'the write should have waited for the lock');
    await child.output;
    assert.equal(await here.acquireLease('held', 'parent', 1000, T0), true, "the child's committed lease has expired");
    await here.close();
  });
});
