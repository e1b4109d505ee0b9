/** @module Runs the store contract on a fresh SQLite file, and checks what only SQLite needs: files, WAL, processes. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { type RunningChild, startChild } from '../test-support/child-process.ts';
import { runStoreContract } from './contract.ts';
import { aPayment, T0 } from './contract-fixtures.ts';
import { createSqliteStore } from './sqlite.ts';

const dir = mkdtempSync(join(tmpdir(), 'store-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));

runStoreContract('SQLite file', async () => createSqliteStore({ path: join(dir, 'contract', 'ledger.db') }), 'sqlite');

const sqliteModule = fileURLToPath(new URL('./sqlite.ts', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));

/** Starts `body` in a separate Node process with `store` open on `path` (`options` are createSqliteStore's). */
function startInChildProcess(path: string, body: string, options: { busyTimeoutMs?: number } = {}): RunningChild {
  const program = `
    const { createSqliteStore } = await import(${JSON.stringify(sqliteModule)});
    const store = createSqliteStore({ path: ${JSON.stringify(path)}, ...${JSON.stringify(options)} });
    try { ${body} } finally { await store.close(); }
  `;
  const args = ['--import', 'tsx', '--input-type=module', '-e', program];
  return startChild({ name: 'a store in another process', command: process.execPath, args, cwd: root });
}

/** Runs `body` as startInChildProcess does, to its end; resolves with what it printed on stdout. */
async function inChildProcess(path: string, body: string): Promise<string> {
  const child = startInChildProcess(path, body);
  const code = await child.waitForExit({ timeoutMs: 30_000 });
  if (code !== 0) throw new Error(`child exited ${code}:\n${child.output()}`);
  return child.stdout().trim();
}

/** Opens a plain connection on `path` and takes its write lock, as a slow writer in another process would. */
function holdWriteLock(path: string): { release(): void } {
  const db = new Database(path);
  db.exec('BEGIN IMMEDIATE');
  db.prepare("INSERT OR REPLACE INTO leases (name, holder, expires_at) VALUES ('held', 'holder', 1)").run();
  return {
    release: () => {
      db.exec('COMMIT');
      db.close();
    },
  };
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

  it('cuts its WAL file back after a large write once a checkpoint has emptied it', async () => {
    const path = join(dir, 'wal-size', 'ledger.db');
    const store = createSqliteStore({ path });
    await store.migrate();
    // A write far larger than any refund's (a purge of many expired keys, say), from another connection.
    const other = new Database(path);
    other.exec('CREATE TABLE bulk (b BLOB)');
    const insert = other.prepare('INSERT INTO bulk (b) VALUES (?)');
    other.transaction(() => {
      for (let i = 0; i < 400; i += 1) insert.run(Buffer.alloc(100_000, i));
    })();
    other.exec('DROP TABLE bulk');
    other.pragma('wal_checkpoint(PASSIVE)'); // as the store's own checkpoints do once the WAL holds 1,000 pages
    other.close();
    const grown = statSync(`${path}-wal`).size;
    assert.ok(grown > 32 * 1024 * 1024, `the WAL held the write (${grown} bytes)`);
    // The store's own writes after the checkpoint start the WAL again from its beginning.
    for (let i = 0; i < 3; i += 1) await store.acquireLease(`order-${i}`, 'h', 1000, T0);
    const size = statSync(`${path}-wal`).size;
    assert.ok(size <= 16 * 1024 * 1024, `the WAL stayed at ${size} bytes`);
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
    assert.equal(results.filter((result) => result === 'true').length, 1, results.join(','));
    await here.close();
  });

  it("waits out another connection's write lock with its event loop free: this process's own timer ends the wait", async () => {
    const path = join(dir, 'free', 'ledger.db');
    const here = createSqliteStore({ path });
    await here.migrate();
    // Held by a connection of this very process, and released by a timer of it: SQLite's own busy handler would sleep
    // the thread until its timeout, so the timer could not run and the write would fail with SQLITE_BUSY after 5 s.
    const lock = holdWriteLock(path);
    let released = false;
    setTimeout(() => {
      lock.release();
      released = true;
    }, 50);
    assert.equal(await here.acquireLease('order-1', 'here', 1000, T0), true);
    assert.ok(released, 'the write went through once the timer let the lock go');
    // A pipelined sequence (the payment's row and the order's tie) and a transaction (BEGIN IMMEDIATE) wait the same way.
    const again = holdWriteLock(path);
    setTimeout(() => again.release(), 50);
    assert.equal((await here.upsertPayment(aPayment({ merchant_uid: 'order-2' }), T0)).merchant_uid, 'order-2');
    const third = holdWriteLock(path);
    setTimeout(() => third.release(), 50);
    assert.equal(await here.flagAttention('attention:free', T0, null), true);
    await here.close();
  });

  it("waits for another process's write transaction instead of failing (its busy timeout)", async () => {
    const path = join(dir, 'busy', 'ledger.db');
    const here = createSqliteStore({ path });
    await here.migrate();
    const write = `console.log('writing'); console.log(await store.acquireLease('order-1', 'child', 1000, ${T0}));`;

    // The lock is taken before the writer starts, so its write can only succeed by waiting for the commit.
    const lock = holdWriteLock(path);
    const writer = startInChildProcess(path, write);
    await writer.waitForOutput(/^writing$/m, { timeoutMs: 30_000 });
    lock.release();
    assert.equal(await writer.waitForExit({ timeoutMs: 30_000 }), 0, writer.output());
    assert.deepEqual(writer.stdout().trim().split('\n'), ['writing', 'true']);

    // The same write without a busy timeout fails while the lock is held: the wait above is what let it through.
    const impatientLock = holdWriteLock(path);
    const impatient = startInChildProcess(path, write.replace("'order-1'", "'order-2'"), { busyTimeoutMs: 0 });
    const code = await impatient.waitForExit({ timeoutMs: 30_000 });
    impatientLock.release();
    assert.notEqual(code, 0);
    assert.equal(impatient.stdout().trim(), 'writing', 'it failed at the write, not before');
    assert.match(impatient.output(), /SQLITE_BUSY/);
    await here.close();
  });
});
