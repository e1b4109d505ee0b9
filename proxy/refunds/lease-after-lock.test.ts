// withLease() on a SQLite file another process holds the write lock of. Since 748adb9 the wait for that lock is on a
// timer, with the event loop free: a refund arriving meanwhile computes its lease's expiry (now + TTL) at once and then
// waits its turn (behind this process's other ledger calls, each waiting up to busy_timeout). The lease it finally
// writes may have little or none of its TTL left, and its first renewal comes only TTL/3 after the work began: another
// process then takes the order's lease while this one works on the order.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { createBackground } from '../background.ts';
import { createSqliteStore } from '../store/sqlite.ts';
import { sql } from '../store/statements.ts';
import { withLease } from './lease.ts';

const TTL = 500;
// The lock is let go at TTL + 50: after the first call's busy_timeout (BUSY) and well before the take's (2 BUSY), so a
// pause of the event loop of up to about 250 ms around then (a loaded CI machine) cannot make the take fail instead.
// With 300 the take's wait ran out 50 ms after the lock was let go, and a 120 ms pause just before made it SQLITE_BUSY.
const BUSY = 400;

describe('withLease() after waiting out another process on the SQLite file', () => {
  it('holds the lease against another taker while its work runs, however long the take waited', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'lease-after-lock-')), 'ledger.sqlite');
    const here = createSqliteStore({ path, busyTimeoutMs: BUSY });
    await here.migrate();
    const background = createBackground();
    const deps = {
      store: here,
      background,
      now: Date.now,
      sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
      randomId: () => 'here',
      leaseWaitMs: 0,
      leaseTtlMs: TTL,
      log: () => undefined,
    };
    // Another process: takes the file's write lock now and lets it go after TTL + a little (and before 2 busy_timeouts:
    // the call queued first waits one out, and the take, asked for at once, waits from then on).
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    setTimeout(() => other.exec('COMMIT'), TTL + 50);
    // A ledger call of this process queued first (another request's): it waits busy_timeout and fails.
    const before = here.markNeedsSync('imp_other', Date.now()).catch(() => 'failed');
    let takenByOther: boolean | undefined;
    const value = await withLease(deps, 'order:X', async () => {
      // Another process, its clock read now, tries to take the order's lease while this work runs.
      // The store's own statement (statements.ts), as that process's store would send it.
      const row = other.prepare(sql.acquireLease).all('order:X', 'other', Date.now() + TTL, Date.now());
      takenByOther = row.length === 1;
      return { value: 'worked' };
    });
    assert.equal(await before, 'failed');
    assert.equal(value, 'worked');
    assert.equal(takenByOther, false, "another process took the order's lease while this one held it for its work");
    await background.settled();
    other.close();
    await here.close();
  });
});
