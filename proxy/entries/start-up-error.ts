/**
 * @module What stops start-up after the configuration was read: a port in use, a DATA_DIR that cannot hold the
 * ledger, a DATABASE_URL nobody answers at. Each becomes one line naming the setting and what is wrong, for an
 * operator reading a terminal or a service log, never a stack trace, and never the database password.
 */
import { resolve } from 'node:path';
import { LedgerNewerThanRelease } from '../store/migrations.ts';

/** A setting that cannot work on this machine; `message` is the whole line to print. */
export class StartUpError extends Error {
  constructor(
    readonly setting: 'PORT' | 'HOST' | 'DATA_DIR' | 'DATABASE_URL',
    message: string,
  ) {
    super(message);
    this.name = 'StartUpError';
  }
}

/** host:port/db of a connection string, never its user's password. */
const redactedHost = (url: string): string => {
  try {
    const parsed = new URL(url);
    return `${parsed.host}${parsed.pathname}`;
  } catch {
    return 'unparsable URL';
  }
};

const codeOf = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;

/** An error's own words on one line, with `secret` (a password, in any spelling the URL had) blotted out. */
const oneLine = (error: unknown, secrets: readonly string[] = []): string => {
  let text = error instanceof Error ? error.message : String(error);
  for (const secret of secrets) if (secret !== '') text = text.replaceAll(secret, '***');
  return text.replace(/\s+/g, ' ').trim();
};

/** The server could not listen on HOST:PORT. */
export const listenError = (error: unknown, { host, port }: { host: string; port: number }): StartUpError => {
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  switch (codeOf(error)) {
    case 'EADDRINUSE':
      return new StartUpError(
        'PORT',
        `PORT ${port} is already in use on ${host}: another program listens there. Stop it, or set PORT to a free port.`,
      );
    case 'EACCES':
      return new StartUpError(
        'PORT',
        `PORT ${port} on ${host} needs privileges this process does not have: use a port above 1023 (8787) ` +
          'behind your reverse proxy.',
      );
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return new StartUpError(
        'HOST',
        `HOST ${host} is not an address of this machine, so nothing can listen on ${where}: use 127.0.0.1 behind ` +
          'a reverse proxy, or 0.0.0.0 in a container.',
      );
    default:
      return new StartUpError('PORT', `PORT ${port}: could not listen on ${where} (${oneLine(error)}).`);
  }
};

const DATA_DIR_REASONS: Readonly<Record<string, string>> = {
  EEXIST: 'a file is in the way where the directory should be',
  ENOTDIR: 'a file is in the way where a directory should be',
  EACCES: 'this user may not write there',
  EPERM: 'this user may not write there',
  EROFS: 'the file system is read-only',
};

/** The SQLite ledger could not be created or opened in DATA_DIR. */
export const dataDirError = (error: unknown, dataDir: string): StartUpError => {
  const absolute = resolve(dataDir);
  const named = absolute === dataDir ? dataDir : `${dataDir} (${absolute})`;
  if (error instanceof LedgerNewerThanRelease)
    return new StartUpError('DATA_DIR', `DATA_DIR ${named}: ${error.message}.`);
  const reason = DATA_DIR_REASONS[codeOf(error) ?? ''];
  return new StartUpError(
    'DATA_DIR',
    `DATA_DIR ${named} cannot hold the SQLite ledger: ${reason ? `${reason} (${oneLine(error)})` : oneLine(error)}. ` +
      'Point DATA_DIR at a directory this user may write (it is created if missing).',
  );
};

/** The PostgreSQL ledger at DATABASE_URL could not be reached or migrated. */
export const databaseError = (error: unknown, url: string): StartUpError => {
  const secrets: string[] = [];
  try {
    const { password } = new URL(url);
    secrets.push(password);
    secrets.push(decodeURIComponent(password));
  } catch {
    // Not a URL (config.ts lets only postgres:// URLs through), or a password whose %-escapes do not decode.
  }
  if (error instanceof LedgerNewerThanRelease) {
    return new StartUpError('DATABASE_URL', `DATABASE_URL (${redactedHost(url)}): ${error.message}.`);
  }
  return new StartUpError(
    'DATABASE_URL',
    `DATABASE_URL (${redactedHost(url)}) could not be opened as the PostgreSQL ledger: ${oneLine(error, secrets)}.`,
  );
};

/** Seconds DATABASE_URL gives a connection to open (its `connect_timeout`, as the driver reads it); 30 otherwise. */
const connectTimeoutOf = (url: string): number => {
  try {
    const seconds = Number(new URL(url).searchParams.get('connect_timeout') ?? '30');
    return Number.isFinite(seconds) && seconds > 0 ? seconds : 30;
  } catch {
    return 30;
  }
};

/**
 * Migrates the PostgreSQL ledger at `url`, or throws the StartUpError naming DATABASE_URL. The driver retries a server
 * that closes connections without end, so the whole of it gets the URL's connect_timeout (30 s unless set).
 */
export const migratePostgres = async (ledger: { migrate(): Promise<void> }, url: string): Promise<void> => {
  const seconds = connectTimeoutOf(url);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${seconds} s (connect_timeout)`)), seconds * 1000);
  });
  try {
    await Promise.race([ledger.migrate(), deadline]);
  } catch (error) {
    throw databaseError(error, url);
  } finally {
    clearTimeout(timer);
  }
};
