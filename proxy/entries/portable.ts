/**
 * @module What the Workers, Deno and Bun entries share: the configuration with its PostgreSQL requirement, the app
 * built from it (the widget embedded at bundle time), and the client-IP rule. Touches no runtime API.
 */
import type { Context, Hono } from 'hono';
import type { Background } from '../background.ts';
import { composeApp } from '../compose.ts';
import { type Config, ConfigError, type Env, parseConfig } from '../config.ts';
import { createPostgresStore } from '../store/postgres.ts';
import type { Store } from '../store/store.ts';
import { clientIp } from './client-ip.ts';
import { EMBEDDED_WIDGET } from './embedded-widget.ts';

/** A configuration whose ledger is PostgreSQL, the only ledger outside Node. */
export type PortableConfig = Config & { readonly database: { readonly kind: 'postgres'; readonly url: string } };

/** parseConfig(env), plus DATABASE_URL required; throws one ConfigError naming every problem. */
export const parsePortableConfig = (env: Env, runtime: string): PortableConfig => {
  const problems: string[] = [];
  let config: Config | null = null;
  try {
    config = parseConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  if (env.DATABASE_URL === undefined || env.DATABASE_URL === '') {
    problems.push(
      `DATABASE_URL is not set: on ${runtime} the ledger is PostgreSQL (postgres://user:password@host:5432/db); ` +
        'the SQLite ledger is for Node only',
    );
  }
  const database = config?.database;
  if (!config || database?.kind !== 'postgres' || problems.length > 0) throw new ConfigError(problems);
  return { ...config, database };
};

/**
 * For a long-lived server (Deno, Bun): reads the configuration, opens the PostgreSQL ledger and migrates it. On a bad
 * configuration or an unreachable database it calls `stop` with a message for the operator.
 */
export const openPortableLedger = async (
  env: Env,
  runtime: string,
  stop: (message: string) => never,
): Promise<{ readonly config: PortableConfig; readonly store: Store }> => {
  let config: PortableConfig;
  try {
    config = parsePortableConfig(env, runtime);
  } catch (error) {
    if (error instanceof ConfigError) stop(`${error.message}\n\nSee docs/runtimes.md.`);
    throw error;
  }
  const store = createPostgresStore({ url: config.database.url });
  try {
    await store.migrate();
  } catch (error) {
    await store.close().catch(() => undefined);
    stop(`The ledger at DATABASE_URL (${redactedHost(config.database.url)}) could not be opened: ${String(error)}`);
  }
  return { config, store };
};

/** host:port/db of a connection string, never its password. */
const redactedHost = (url: string): string => {
  try {
    const parsed = new URL(url);
    return `${parsed.host}${parsed.pathname}`;
  } catch {
    return 'unparsable URL';
  }
};

/** The env each entry passes to app.fetch(), carrying the peer address the runtime reported. */
export interface PeerEnv {
  readonly peerAddress: string | null;
}

const peerAddressOf = (c: Context): string | null => {
  const env: unknown = c.env;
  return typeof env === 'object' && env !== null && 'peerAddress' in env && typeof env.peerAddress === 'string'
    ? env.peerAddress
    : null;
};

/** The peer address from app.fetch(request, PeerEnv), or with TRUST_PROXY=n the n-th X-Forwarded-For entry from the right. */
export const clientIpFromPeer = (trustedHops: number) => clientIp(trustedHops, peerAddressOf);

export interface PortableAppOptions {
  readonly config: PortableConfig;
  readonly store: Store;
  readonly clientIp: (c: Context) => string | null;
  readonly background: Background;
}

/** The same app as on Node, over the runtime's own fetch, serving the embedded widget. */
export const composePortableApp = ({ config, store, clientIp, background }: PortableAppOptions): Hono =>
  composeApp({
    config,
    store,
    background,
    // A plain call: workerd refuses its fetch invoked as a method of another object ("Illegal invocation").
    fetch: (input, init) => fetch(input, init),
    clientIp,
    loadWidget: async () => EMBEDDED_WIDGET,
  });

/** The line an entry prints once it listens; the runtime tests wait for it. */
export const listeningLine = (url: string, runtime: string, config: PortableConfig): string =>
  `refund proxy listening on ${url} (runtime: ${runtime}; ledger: PostgreSQL; i'mport: ${config.iamport.apiUrl})`;
