/**
 * @module Child processes for the benchmark: the fake i'mport and the proxy each run in their own Node process
 * (as they would in production: i'mport is another machine, the proxy its own process), started with tsx and
 * driven over the IPC channel. startChild() is the parent's side; serveCommands() the child's.
 */
import { fileURLToPath } from 'node:url';
import { startChild as startProcess } from '../../proxy/test-support/child-process.ts';

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

/** Forks `bench/support/<entry>` with `options` as its one argument and waits (at most 30 s) for it to serve. */
export const startChild = (entry: string, options: unknown): Promise<Child> =>
  new Promise((resolve, reject) => {
    // BENCH_NODE_ARGS='--cpu-prof' profiles the children (NODE_OPTIONS refuses that flag).
    const nodeArgs = ['--import', 'tsx', ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)];
    const child = startProcess({
      name: entry,
      command: process.execPath,
      args: [...nodeArgs, fileURLToPath(new URL(`./${entry}`, import.meta.url)), JSON.stringify(options)],
      cwd: ROOT,
      // stdout is where the proxy writes its request log, as in production: to a sink, not to our terminal.
      stdout: 'ignore',
      ipc: true,
    });
    const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
    let nextId = 0;
    const timer = setTimeout(() => {
      void child.stop();
      reject(new Error(`${entry} did not start within 30 s:\n${child.output()}`));
    }, 30_000);

    child.process.on('message', (message: Message) => {
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolve({
          url: message.url,
          call: <T>(command: string, args?: unknown) =>
            new Promise<T>((done, fail) => {
              const id = nextId++;
              pending.set(id, { resolve: (value) => done(value as T), reject: fail }); // the child answers what T says
              child.process.send({ type: 'call', id, command, args } satisfies Command);
            }),
          stop: () => child.stop({ graceMs: 5_000 }),
        });
        return;
      }
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (message.type === 'result') waiter?.resolve(message.value);
      else waiter?.reject(new Error(`${entry}: ${message.message}`));
    });
    child.process.once('exit', (code, signal) => {
      clearTimeout(timer);
      const error = new Error(`${entry} exited (${signal ?? code}):\n${child.output()}`);
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
