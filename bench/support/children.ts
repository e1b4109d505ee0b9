/**
 * @module Child processes for the benchmark: the fake i'mport and the proxy each run in their own Node process
 * (as they would in production: i'mport is another machine, the proxy its own process), started with tsx and
 * driven over the IPC channel. startChild() is the parent's side; serveCommands() the child's.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

type Message =
  | { readonly type: 'ready'; readonly url: string }
  | { readonly type: 'result'; readonly id: number; readonly value: unknown }
  | { readonly type: 'error'; readonly id: number; readonly message: string };

type Command = { readonly type: 'call'; readonly id: number; readonly command: string; readonly args: unknown };

export interface Child {
  /** The base URL the child serves on (loopback). */
  readonly url: string;
  call<T = unknown>(command: string, args?: unknown): Promise<T>;
  stop(): Promise<void>;
}

const live = new Set<() => void>();
// A crashed or interrupted bench must not leave servers behind.
process.once('exit', () => {
  for (const kill of live) kill();
});

/** Forks `bench/support/<entry>` with `options` as its one argument and waits (at most 30 s) for it to serve. */
export const startChild = (entry: string, options: unknown): Promise<Child> =>
  new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(new URL(`./${entry}`, import.meta.url)), [JSON.stringify(options)], {
      cwd: ROOT,
      // BENCH_NODE_ARGS='--cpu-prof' profiles the children (NODE_OPTIONS refuses that flag).
      execArgv: ['--import', 'tsx', ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)],
      // stdout is where the proxy writes its request log, as in production: to a sink, not to our terminal.
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const kill = () => child.kill('SIGKILL');
    live.add(kill);
    const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
    let nextId = 0;
    const timer = setTimeout(() => {
      kill();
      reject(new Error(`${entry} did not start within 30 s`));
    }, 30_000);

    child.on('message', (message: Message) => {
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolve({
          url: message.url,
          call: <T>(command: string, args?: unknown) =>
            new Promise<T>((done, fail) => {
              const id = nextId++;
              pending.set(id, { resolve: (value) => done(value as T), reject: fail }); // the child answers what T says
              child.send({ type: 'call', id, command, args } satisfies Command);
            }),
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null || child.signalCode !== null) return done();
              const force = setTimeout(kill, 5_000);
              child.once('exit', () => {
                clearTimeout(force);
                live.delete(kill);
                done();
              });
              child.kill('SIGTERM');
            }),
        });
        return;
      }
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (message.type === 'result') waiter?.resolve(message.value);
      else waiter?.reject(new Error(`${entry}: ${message.message}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      live.delete(kill);
      const error = new Error(`${entry} exited (${signal ?? code})`);
      for (const waiter of pending.values()) waiter.reject(error);
      reject(error); // no-op once started
    });
  });

/** The child's side: announces `url`, answers commands, and exits with its parent or on SIGTERM. */
export const serveCommands = (
  url: string,
  handlers: Readonly<Record<string, (args: never) => unknown>>,
  close: () => Promise<void>,
): void => {
  const send = (message: Message) => process.send?.(message);
  process.on('message', async (message: Command) => {
    const handler = handlers[message.command];
    try {
      if (!handler) throw new Error(`unknown command ${message.command}`);
      // The arguments are whatever the parent's call() passed for this command.
      send({ type: 'result', id: message.id, value: (await handler(message.args as never)) ?? null });
    } catch (error) {
      send({ type: 'error', id: message.id, message: error instanceof Error ? error.message : String(error) });
    }
  });
  const stop = () => void close().finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('disconnect', stop);
  send({ type: 'ready', url });
};
