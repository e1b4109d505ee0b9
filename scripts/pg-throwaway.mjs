/**
 * @module Starts a throwaway PostgreSQL server (initdb into a temp dir, 127.0.0.1 on a free port, fsync off) and
 * deletes it on stop(). As root it runs the server as the `postgres` user, since initdb and postgres refuse root.
 * Run directly (`node scripts/pg-throwaway.mjs [port]`) it prints the URL and serves until Ctrl-C.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const PG_ROOT = '/usr/lib/postgresql';

/** The newest /usr/lib/postgresql/<major>/bin that has initdb and pg_ctl (15 is what CI pins, but any works). */
function findServerBin() {
  const majors = existsSync(PG_ROOT) ? readdirSync(PG_ROOT).filter(name => /^\d+$/.test(name)) : [];
  majors.sort((a, b) => Number(b) - Number(a));
  for (const major of majors) {
    const bin = join(PG_ROOT, major, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))) return bin;
  }
  throw new Error(
    `PostgreSQL server binaries not found in ${PG_ROOT}/*/bin: apt-get install -y postgresql-15, or set DATABASE_URL`,
  );
}

function commandExists(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/** uid and gid of the `postgres` user, creating it (as pg-up.sh does) when missing. */
function postgresUser() {
  const lookup = () => spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  if (lookup().status !== 0) {
    if (!commandExists('useradd')) {
      throw new Error("No 'postgres' user to run the server as, and no useradd to create it");
    }
    const made = spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'], {
      encoding: 'utf8',
    });
    if (made.status !== 0) throw new Error(`No 'postgres' user, and useradd failed: ${made.stderr.trim()}`);
  }
  const uid = Number(lookup().stdout.trim());
  const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  return { uid, gid };
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
 * @returns {Promise<{ url: string; stop(): Promise<void> }>}
 */
export async function startThrowawayPostgres({ port } = {}) {
  const bin = findServerBin();
  const asRoot = process.getuid?.() === 0;
  if (asRoot && !commandExists('runuser')) {
    throw new Error('Running as root needs runuser (util-linux) to start PostgreSQL as the postgres user');
  }
  const owner = asRoot ? postgresUser() : null;
  // As root the server runs as another user, who must be able to traverse the path: /tmp, not a private TMPDIR.
  const dir = mkdtempSync(join(asRoot ? '/tmp' : tmpdir(), 'pg-throwaway-'));
  if (owner) chownSync(dir, owner.uid, owner.gid);
  chmodSync(dir, 0o700);
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  const exec = (command, args) => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
    return spawnSync(file, argv, { encoding: 'utf8' });
  };
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
