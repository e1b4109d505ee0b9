// The child-process helper through its surface: output, waits that end, stopping, reaping, a clean environment.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startChild } from './child-process.ts';

/** A Node program run as a child (plain JavaScript, no loader). */
const node = (program: string, env: Record<string, string> = {}) =>
  startChild({ name: 'the program', command: process.execPath, args: ['-e', program], env });

describe('startChild', () => {
  it('collects stdout and stderr, waits for a line, and stops the child with SIGTERM', async () => {
    const child = node("console.log('ready on 1234'); console.error('a warning'); setInterval(() => {}, 1000);");
    const match = await child.waitForOutput(/ready on (\d+)/);
    assert.equal(match[1], '1234');
    await child.waitForOutput(/a warning/);
    assert.match(child.stdout(), /ready on 1234/);
    assert.doesNotMatch(child.stdout(), /a warning/);
    assert.equal(child.running(), true);
    await child.stop();
    assert.equal(child.running(), false);
    assert.equal(child.process.signalCode, 'SIGTERM');
  });

  it('kills with SIGKILL a child that ignores SIGTERM', async () => {
    const child = node("process.on('SIGTERM', () => {}); console.log('up'); setInterval(() => {}, 1000);");
    await child.waitForOutput(/up/);
    await child.stop({ graceMs: 100 });
    assert.equal(child.process.signalCode, 'SIGKILL');
  });

  it('gives the exit code once the output is all read', async () => {
    const child = node("process.stdout.write('x'.repeat(100_000)); process.exitCode = 3;");
    assert.equal(await child.waitForExit(), 3);
    assert.equal(child.stdout().length, 100_000);
  });

  it('rejects a wait with what the child printed when it exits first, or when the time is up', async () => {
    const early = node("console.log('no such line here'); process.exit(2);");
    const exitedFirst = /the program exited \(code 2\) before output matching \/listening\/:\n[\s\S]*no such line here/;
    await assert.rejects(early.waitForOutput(/listening/), exitedFirst);
    const silent = node("console.log('started'); setInterval(() => {}, 1000);");
    await silent.waitForOutput(/started/);
    const late = /the program: no output matching \/listening\/ within 50 ms:\nstarted/;
    await assert.rejects(silent.waitForOutput(/listening/, { timeoutMs: 50 }), late);
    await assert.rejects(silent.waitForExit({ timeoutMs: 50 }), /no exit within 50 ms/);
    await silent.stop();
  });

  it('polls a check until it answers true, and gives up when the child exits', async () => {
    let calls = 0;
    const child = node('setInterval(() => {}, 1000);');
    await child.waitUntil(async () => (++calls === 3 ? true : `call ${calls}`));
    assert.equal(calls, 3);
    await child.stop();
    const gone = node('process.exit(1);');
    await assert.rejects(
      gone.waitUntil(async () => 'never'),
      /exited \(code 1\) before it was ready/,
    );
  });

  it('passes PATH and the given variables only, nothing else of the parent environment', async () => {
    process.env.CHILD_PROCESS_TEST_SECRET = 'leak';
    try {
      const child = node('console.log(JSON.stringify(Object.keys(process.env).sort()))', { GIVEN: '1' });
      assert.equal(await child.waitForExit(), 0);
      assert.deepEqual(JSON.parse(child.stdout()), ['GIVEN', 'PATH']);
    } finally {
      delete process.env.CHILD_PROCESS_TEST_SECRET;
    }
  });

  it('reports a command that cannot start as an exit before the wait is met', async () => {
    const child = startChild({ command: '/nonexistent/program' });
    await assert.rejects(child.waitForOutput(/listening/), /could not start: spawn \/nonexistent\/program ENOENT/);
  });
});
