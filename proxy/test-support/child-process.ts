/**
 * @module startChild(): the one way tests (and the benchmark) run a program as a process of its own. A clean
 * environment, its output kept for failure messages, waits that end in a timeout or in the program's exit with what
 * it printed, stop() as SIGTERM then SIGKILL, and every child still running reaped when the test file ends.
 */
import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process';
import { after } from 'node:test';

export interface ChildOptions {
  readonly command: string;
  readonly args?: readonly string[];
  readonly cwd?: string;
  /** Its whole environment besides PATH: nothing of the parent's (a DATABASE_URL, say) leaks in. */
  readonly env?: Readonly<Record<string, string>>;
  /** How failure messages name it; the command unless given. */
  readonly name?: string;
  /** 'ignore' for a child whose stdout is a sink (the benchmark's request log); collected otherwise. */
  readonly stdout?: 'collect' | 'ignore';
  /** Opens Node's IPC channel (process.send in the child), as fork() does. */
  readonly ipc?: boolean;
}

export interface WaitOptions {
  /** 20 s unless given. */
  readonly timeoutMs?: number;
}

export interface RunningChild {
  readonly name: string;
  readonly process: ChildProcess;
  readonly pid: number | undefined;
  /** Everything it printed so far, stdout and stderr as they came (the last 256 KB). */
  output(): string;
  /** What it printed on stdout alone (the last 256 KB): a program's answer, without warnings on stderr. */
  stdout(): string;
  /** What it printed on stderr alone (the last 256 KB). */
  stderr(): string;
  /** Whether it has not exited yet. */
  running(): boolean;
  /** The first match of `pattern` in its output; rejects, with the output, if it exits or times out first. */
  waitForOutput(pattern: RegExp, options?: WaitOptions): Promise<RegExpExecArray>;
  /**
   * Calls `check` every 10 ms until it answers true; any other answer is why not yet, told if it times out. Rejects
   * at once if the child exits meanwhile.
   */
  waitUntil(check: () => Promise<true | string>, options?: WaitOptions): Promise<void>;
  /** Its exit code (null when a signal ended it) once it has exited and its output is all read. */
  waitForExit(options?: WaitOptions): Promise<number | null>;
  /** SIGTERM, SIGKILL if it is still there after `graceMs` (3 s); resolves once it has exited. */
  stop(options?: { readonly graceMs?: number }): Promise<void>;
  /** Sends `signal` (SIGKILL to play a crash) and resolves once it has exited. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

const MAX_OUTPUT = 256 * 1024;
const DEFAULT_TIMEOUT_MS = 20_000;

const live = new Set<RunningChild>();

// Under the test runner, a child left by a failed test is stopped once the file's tests are done: a running child
// would keep the file's process, and the run, waiting. Registered here, at load, so it belongs to the whole file.
if (process.env.NODE_TEST_CONTEXT !== undefined) after(() => Promise.all([...live].map((child) => child.stop())));
// Anything else (an interrupted benchmark) kills what is left as it exits.
process.once('exit', () => {
  for (const child of live) child.process.kill('SIGKILL');
});

const describeExit = ({ code, signal }: { code: number | null; signal: NodeJS.Signals | null }) =>
  signal ? `signal ${signal}` : `code ${code}`;

export const startChild = (options: ChildOptions): RunningChild => {
  const name = options.name ?? options.command;
  const stdio: StdioOptions = ['ignore', options.stdout === 'ignore' ? 'ignore' : 'pipe', 'pipe'];
  if (options.ipc) stdio.push('ipc');
  const child = spawn(options.command, options.args ?? [], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', ...options.env },
    stdio,
  });

  let out = '';
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  const collect = (chunk: Buffer): void => {
    out = (out + chunk.toString()).slice(-MAX_OUTPUT);
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout = (stdout + chunk.toString()).slice(-MAX_OUTPUT);
    collect(chunk);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-MAX_OUTPUT);
    collect(chunk);
  });

  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve();
    });
    child.once('error', (error) => {
      collect(Buffer.from(`${name}: could not start: ${error.message}\n`));
      exit ??= { code: -1, signal: null };
      resolve();
    });
  });
  // 'close' comes after the last output; a child that never started has nothing to close.
  const closed = new Promise<void>((resolve) => {
    child.once('close', () => resolve());
    child.once('error', () => resolve());
  });
  void exited.then(() => {
    live.delete(running);
    for (const listener of listeners) listener();
  });

  /** Settles when `settle` answers a value, or with its output when the child exits first or time is up. */
  const waitFor = <T>(what: string, settle: () => T | undefined, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      const check = (): void => {
        const value = settle();
        if (value !== undefined) {
          done();
          resolve(value);
        } else if (exit) {
          const ended = describeExit(exit);
          // Output may still be arriving: look once more when the streams have closed.
          void closed.then(() => {
            const last = settle();
            done();
            if (last !== undefined) resolve(last);
            else reject(new Error(`${name} exited (${ended}) before ${what}:\n${out}`));
          });
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${name}: no ${what} within ${timeoutMs} ms:\n${out}`));
      }, timeoutMs);
      listeners.add(check);
      check();
    });

  const kill = async (signal: NodeJS.Signals): Promise<void> => {
    if (!exit) child.kill(signal);
    await exited;
  };

  const running: RunningChild = {
    name,
    process: child,
    pid: child.pid,
    output: () => out,
    stdout: () => stdout,
    stderr: () => stderr,
    running: () => exit === undefined,
    waitForOutput: (pattern, { timeoutMs } = {}) =>
      waitFor(`output matching ${pattern}`, () => pattern.exec(out) ?? undefined, timeoutMs),
    waitUntil: async (check, { timeoutMs = DEFAULT_TIMEOUT_MS } = {}) => {
      const deadline = Date.now() + timeoutMs;
      let last = 'not asked yet';
      while (Date.now() < deadline) {
        if (exit) throw new Error(`${name} exited (${describeExit(exit)}) before it was ready:\n${out}`);
        const answer = await check().catch((error: unknown) => String(error));
        if (answer === true) return;
        last = answer;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error(`${name} was not ready within ${timeoutMs} ms (last: ${last}):\n${out}`);
    },
    waitForExit: async ({ timeoutMs } = {}) => {
      const ended = await waitFor('exit', () => exit, timeoutMs);
      await closed;
      return ended.code;
    },
    stop: async ({ graceMs = 3000 } = {}) => {
      if (exit) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(killer);
    },
    kill,
  };
  live.add(running);
  return running;
};
