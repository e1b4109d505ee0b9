/**
 * @module Starts the proxy on a real runtime, as a process of its own on a free loopback port: Node (the npm start
 * entry), workerd (raw workerd, dist/worker.js), Deno (dist/deno.js) and Bun (dist/bun.js). The bundles are built
 * once per process into a temporary directory, so a test always runs the code it sits beside. Also: a PostgreSQL
 * for the ledger (DATABASE_URL, else a throwaway server) with one schema per run. Nothing here skips: a runtime that
 * does not start rejects with what it printed.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import postgres from 'postgres';
import { type RunningChild, startChild } from '../proxy/test-support/child-process.ts';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

export type RuntimeName = 'node' | 'workerd' | 'deno' | 'bun';
export const RUNTIMES: readonly RuntimeName[] = ['node', 'workerd', 'deno', 'bun'];
export const RUNTIME_LABELS: Readonly<Record<RuntimeName, string>> = {
  node: `Node ${process.versions.node} (dist/node.js, what npm start runs)`,
  workerd: 'workerd (dist/worker.js)',
  deno: 'Deno (dist/deno.js)',
  bun: 'Bun (dist/bun.js)',
};

const bin = (name: string): string => join(ROOT, 'node_modules/.bin', name);

export const GRANT_SECRET = 'runtime-conformance-secret-0123456789-abcdef';

/** What every runtime gets whichever gateway it talks to: the timeout, the grant secret and the ledger. */
const commonEnv = (databaseUrl: string): Record<string, string> => ({
  IAMPORT_TIMEOUT_MS: '5000',
  REFUND_TOKEN_SECRET: GRANT_SECRET,
  DATABASE_URL: databaseUrl,
  HEALTH_DETAILS: 'true',
});

/** The environment of a proxy on i'mport V1: the fake i'mport's URL and keys, and the common part. */
export const proxyEnv = (iamportUrl: string, databaseUrl: string): Record<string, string> => ({
  IMP_KEY: 'test_imp_key',
  IMP_SECRET: 'test_imp_secret',
  IAMPORT_API_URL: iamportUrl,
  ...commonEnv(databaseUrl),
});

/** The environment of a proxy on PortOne V2: the fake V2's URL and API secret, the webhook secret, the common part. */
export const portOneEnv = (
  portone: { url: string; apiSecret: string; webhookSecret: string },
  databaseUrl: string,
): Record<string, string> => ({
  PORTONE_API_SECRET: portone.apiSecret,
  PORTONE_API_URL: portone.url,
  PORTONE_WEBHOOK_SECRET: portone.webhookSecret,
  PORTONE_TIMEOUT_MS: '5000',
  ...commonEnv(databaseUrl),
});

/** Variables the worker gets as bindings (workerd reads each from its own environment). */
const WORKER_BINDINGS = [
  'NODE_ENV',
  'IMP_KEY',
  'IMP_SECRET',
  'IAMPORT_API_URL',
  'IAMPORT_TIMEOUT_MS',
  'PORTONE_API_SECRET',
  'PORTONE_API_URL',
  'PORTONE_WEBHOOK_SECRET',
  'PORTONE_STORE_ID',
  'PORTONE_TIMEOUT_MS',
  'REFUND_TOKEN_SECRET',
  'REFUND_TOKEN_SECRET_PREVIOUS',
  'DATABASE_URL',
  'ALLOWED_ORIGINS',
  'TRUST_PROXY',
  'RATE_LIMIT_PER_IP',
  'RATE_LIMIT_PER_ORDER',
  'RATE_LIMIT_WEBHOOK_PER_IP',
  'IAMPORT_WEBHOOK_IPS',
  'MAX_GRANT_TTL',
  'PUBLIC_ORIGIN',
  'HEALTH_DETAILS',
  'MERCHANT_WEBHOOK_URL',
  'MERCHANT_WEBHOOK_SECRET',
  'MERCHANT_WEBHOOK_SECRET_PREVIOUS',
  'WEBHOOK_RETRY_SCHEDULE',
  'ATTENTION_AFTER',
  'ADMIN_API_KEYS',
  'RATE_LIMIT_ADMIN_PER_KEY',
  'RATE_LIMIT_STAFF_PER_SUB',
  'DATA_ENCRYPTION_KEY',
  'DATA_ENCRYPTION_KEY_PREVIOUS',
];

// Before workerd's own date; the bundle needs nothing newer than nodejs_compat's AsyncLocalStorage.
const COMPATIBILITY_DATE = '2026-04-01';

let built: Promise<{ dir: string; paths: Record<string, string> }> | null = null;

/** Builds the runtime bundles once per process (scripts/build-runtimes.mjs) into a temporary directory. */
export const buildBundles = (): Promise<{ dir: string; paths: Record<string, string> }> =>
  (built ??= (async () => {
    const script = pathToFileURL(join(ROOT, 'scripts/build-runtimes.mjs')).href;
    // A plain-JS script of the repo, without type declarations: this is what it exports.
    const { buildRuntimes } = (await import(script)) as {
      buildRuntimes(options: { outdir: string }): Promise<Record<string, string>>;
    };
    const dir = mkdtempSync(join(tmpdir(), 'refund-runtimes-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    return { dir, paths: await buildRuntimes({ outdir: dir }) };
  })());

/** A port that was free a moment ago. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => (port === undefined ? reject(new Error('no port')) : resolve(port)));
    });
  });

const workerdConfig = (dir: string, workerFile: string): string => {
  const file = join(dir, `workerd-${randomUUID()}.capnp`);
  const bindings = WORKER_BINDINGS.map((name) => `(name = "${name}", fromEnvironment = "${name}")`).join(', ');
  writeFileSync(
    file,
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .proxy),
               # The default outbound service refuses private and loopback addresses: the fake and PostgreSQL
               # live there.
               (name = "net", network = (allow = ["public", "private", "local"])) ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "main") ] );
const proxy :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "${workerFile}") ],
  compatibilityDate = "${COMPATIBILITY_DATE}", compatibilityFlags = ["nodejs_compat"],
  bindings = [ ${bindings} ],
  globalOutbound = "net" );
`,
  );
  return file;
};

/** The command that runs the proxy on a runtime, listening on 127.0.0.1:port. */
interface Command {
  readonly file: string;
  readonly args: string[];
  readonly cwd: string;
  readonly env: Record<string, string>;
}

const commandFor = async (runtime: RuntimeName, port: number): Promise<Command> => {
  if (runtime === 'node') {
    // What `npm start` runs (built by `npm run build:node`, which npm test and npm start do first); one process.
    return { file: process.execPath, args: ['dist/node.js'], cwd: ROOT, env: { NODE_ENV: 'production' } };
  }
  const { dir, paths } = await buildBundles();
  if (runtime === 'workerd') {
    const config = workerdConfig(dir, 'worker.js');
    const args = ['serve', config, '--experimental', `--socket-addr=http=127.0.0.1:${port}`];
    return { file: bin('workerd'), args, cwd: dir, env: {} };
  }
  if (runtime === 'deno') {
    return {
      file: bin('deno'),
      // Loopback only, and nothing fetched: the bundle needs no npm or remote module.
      args: [
        'run',
        '--no-prompt',
        '--no-config',
        '--no-npm',
        '--cached-only',
        '--allow-net=127.0.0.1',
        '--allow-env',
        paths['deno.js']!,
      ],
      cwd: dir,
      env: { DENO_NO_UPDATE_CHECK: '1', DENO_DIR: join(tmpdir(), 'refund-runtimes-deno-dir') },
    };
  }
  const args = ['run', '--no-install', paths['bun.js']!];
  return { file: bin('bun'), args, cwd: dir, env: { BUN_DISABLE_TELEMETRY: '1' } };
};

export interface RunningProxy {
  readonly runtime: RuntimeName;
  /** e.g. http://127.0.0.1:40123 */
  readonly url: string;
  readonly pid: number;
  /** From spawn until the first 200 on /health. */
  readonly startMs: number;
  /** What the process printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM, then SIGKILL if it is still there after `graceMs` (3 s); resolves once it has exited. */
  stop(options?: { readonly graceMs?: number }): Promise<void>;
}

/** Starts the proxy's process on `runtime`, listening on 127.0.0.1:port. */
const spawnRuntime = async (runtime: RuntimeName, env: Record<string, string>, port: number): Promise<RunningChild> => {
  const command = await commandFor(runtime, port);
  return startChild({
    name: RUNTIME_LABELS[runtime],
    command: command.file,
    args: command.args,
    cwd: command.cwd,
    env: { HOME: process.env.HOME ?? tmpdir(), ...command.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
  });
};

/** 'true' once GET /health answers 200, else what it answered. */
const healthy = (url: string) => async (): Promise<true | string> => {
  const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
  const text = await res.text();
  return res.status === 200 ? true : `HTTP ${res.status} ${text}`;
};

/**
 * Starts the proxy on `runtime` with `env` (IMP_KEY, DATABASE_URL, …; PORT and HOST are set here) and waits for a
 * 200 on /health. Rejects with the runtime's output if it does not get there.
 */
export const startProxy = async (
  runtime: RuntimeName,
  env: Record<string, string>,
  { timeoutMs = 20_000 } = {},
): Promise<RunningProxy> => {
  const started = performance.now();
  const port = await freePort();
  const child = await spawnRuntime(runtime, env, port);
  const url = `http://127.0.0.1:${port}`;
  try {
    await child.waitUntil(healthy(url), { timeoutMs });
  } catch (error) {
    await child.stop();
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(`${RUNTIME_LABELS[runtime]} did not start: ${why}`);
  }
  const startMs = performance.now() - started;
  if (child.pid === undefined) throw new Error(`${runtime}: no pid`);
  return { runtime, url, pid: child.pid, startMs, output: child.output, stop: (options) => child.stop(options) };
};

/**
 * Starts `runtime` with an environment it must refuse. A process runtime must exit non-zero; workerd has no start-up
 * of its own, so there the refusal is the answer to the first request. Returns the exit code or status and the text.
 */
export const startRefused = async (
  runtime: RuntimeName,
  env: Record<string, string>,
): Promise<{ code: number | null; text: string }> => {
  const port = await freePort();
  const child = await spawnRuntime(runtime, env, port);
  try {
    if (runtime !== 'workerd') {
      const code = await child.waitForExit({ timeoutMs: 20_000 });
      return { code, text: child.output() };
    }
    let answer: { code: number; text: string } | undefined;
    await child.waitUntil(async () => {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      answer = { code: res.status, text: `${await res.text()}\n${child.output()}` };
      return true;
    });
    if (!answer) throw new Error('workerd gave no answer');
    return answer;
  } finally {
    await child.stop();
  }
};

/** Resident memory of a process and its descendants, in bytes (Linux /proc). */
export const rssBytes = (pid: number): number => {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  let total = 0;
  const visit = (id: number): void => {
    try {
      total += Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${id}/status`, 'utf8'))?.[1] ?? 0) * 1024;
    } catch {
      return;
    }
    for (const child of children.get(id) ?? []) visit(child);
  };
  visit(pid);
  return total;
};

export interface Ledger {
  /** A URL whose connections land in this ledger's own schema (search_path). */
  readonly url: string;
  /** A client on that schema, for the tests to read the audit. */
  readonly sql: postgres.Sql;
  drop(): Promise<void>;
}

export interface LedgerServer {
  /** Makes an empty schema for one runtime. */
  ledger(name: string): Promise<Ledger>;
  stop(): Promise<void>;
}

/** PostgreSQL at DATABASE_URL if set, else a throwaway server (scripts/pg-throwaway.mjs) stopped by stop(). */
export const startLedgerServer = async (): Promise<LedgerServer> => {
  let base = process.env.DATABASE_URL;
  let stopServer = async (): Promise<void> => undefined;
  if (!base) {
    const script = pathToFileURL(join(ROOT, 'scripts/pg-throwaway.mjs')).href;
    // A plain-JS script of the repo, without type declarations: this is what it exports.
    const { startThrowawayPostgres } = (await import(script)) as {
      startThrowawayPostgres(): Promise<{ url: string; stop(): Promise<void> }>;
    };
    const server = await startThrowawayPostgres();
    base = server.url;
    stopServer = server.stop;
  }
  const admin = postgres(base, { max: 1, onnotice: () => undefined });
  const schemas: string[] = [];
  return {
    async ledger(name) {
      const schema = `rt_${name}_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
      await admin.unsafe(`CREATE SCHEMA ${schema}`);
      schemas.push(schema);
      const url = new URL(base);
      url.searchParams.set('search_path', schema);
      const sql = postgres(url.href, { max: 2, onnotice: () => undefined });
      return {
        url: url.href,
        sql,
        drop: async () => {
          await sql.end({ timeout: 5 });
          await admin.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        },
      };
    },
    async stop() {
      for (const schema of schemas) await admin.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end({ timeout: 5 });
      await stopServer();
    },
  };
};
