// scheduleOutbox: a delivery pass at start and on every tick of the entry's timer, never two at once, none after stop.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decodeSecret } from '../webhooks/signing.ts';
import { OUTBOX_INTERVAL_MS, scheduleOutbox } from './outbox-timer.ts';

describe('scheduleOutbox', () => {
  it('runs a pass at start and on each tick, skips a tick while a pass runs, and stops', async () => {
    let tick: () => void = () => undefined;
    let interval = 0;
    const timer = {
      start: (fn: () => void, ms: number) => {
        tick = fn;
        interval = ms;
        return 1;
      },
      stop: () => {
        tick = () => undefined;
      },
    };
    let passes = 0;
    let release: () => void = () => undefined;
    const outbox = {
      kick: () => undefined,
      runDue: () =>
        new Promise<number>((resolve) => {
          passes += 1;
          release = () => resolve(0);
        }),
    };
    const schedule = scheduleOutbox(outbox, timer);
    assert.equal(interval, OUTBOX_INTERVAL_MS);
    assert.equal(passes, 1, 'one pass at start');
    tick();
    assert.equal(passes, 1, 'not doubled while a pass runs');
    release();
    await new Promise((resolve) => setImmediate(resolve));
    tick();
    assert.equal(passes, 2);
    release();
    await schedule.stop();
    tick();
    assert.equal(passes, 2, 'none after stop');
  });

  it('does nothing when merchant webhooks are off', async () => {
    await scheduleOutbox(null).stop();
  });
});

describe('npm run webhook-secret', () => {
  it('prints a new secret the proxy accepts', () => {
    const script = fileURLToPath(new URL('../../scripts/webhook-secret.mjs', import.meta.url));
    const printed = execFileSync(process.execPath, [script], { encoding: 'utf8' }).trim();
    const decoded = decodeSecret(printed);
    assert.ok('key' in decoded && decoded.key.length === 32, printed);
    assert.notEqual(execFileSync(process.execPath, [script], { encoding: 'utf8' }).trim(), printed);
  });
});
