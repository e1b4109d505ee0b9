/**
 * @module What the Workers, Deno and Bun entries share: the PostgreSQL ledger opened at start, the pieces of the
 * proxy that are the same on each (web fetch, the widget embedded at bundle time), and the client-IP rule. Touches
 * no runtime API.
 */
import type { Context } from 'hono';
import { buildProxyWithOutbox, type RuntimePieces } from '../app.ts';
import { createBackground } from '../background.ts';
import { ConfigError, type Env, type PostgresConfig, parseConfig, type Runtime } from '../config.ts';
import { consoleLog } from '../log-line.ts';
import type { FetchLike } from '../net/fetch-like.ts';
import { createPostgresStore } from '../store/postgres.ts';
import type { Store } from '../store/store.ts';
import { createRetryTimer } from '../webhook-forwarder.ts';
import { clientIp } from './client-ip.ts';
import { EMBEDDED_DESK, EMBEDDED_WIDGET } from './embedded-widget.ts';
import { migratePostgres, StartUpError } from './start-up-error.ts';

/**
 * For a long-lived server (Deno, Bun): reads the configuration, opens the PostgreSQL ledger and migrates it. On a bad
 * configuration or an unreachable database it calls `stop` with a message for the operator.
 */
export const openPortableLedger = async (
  env: Env,
  runtime: Exclude<Runtime, 'Node'>,
  stop: (message: string) => never,
): Promise<{ readonly config: PostgresConfig; readonly store: Store }> => {
  let config: PostgresConfig;
  try {
    config = parseConfig(env, runtime);
  } catch (error) {
    if (error instanceof ConfigError) stop(`${error.message}\n\nSee docs/runtimes.md.`);
    throw error;
  }
  const store = createPostgresStore({ url: config.database.url });
  try {
    await migratePostgres(store, config.database.url);
  } catch (error) {
    if (!(error instanceof StartUpError)) throw error;
    // Not awaited: a driver still retrying a server that hangs up would hold the message back.
    void store.close().catch(() => undefined);
    stop(error.message);
  }
  return { config, store };
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

/**
 * The peer address from app.fetch(request, PeerEnv), or with TRUST_PROXY=n the n-th X-Forwarded-For entry from the
 * right.
 */
export const clientIpFromPeer = (trustedHops: number) => clientIp(trustedHops, peerAddressOf);

/** The pieces of the proxy that are the same on Workers, Deno and Bun. */
export const portablePieces = {
  // A plain call: workerd refuses its fetch invoked as a method of another object ("Illegal invocation"). Redirects
  // are answers, never followed (as on the Node entry): a receiver's 3xx is a failed delivery, not a POST of a signed
  // event to wherever its Location points (an internal address, say).
  fetch: (input, init) => fetch(input, { ...init, redirect: 'manual' }),
  loadWidget: async (file) => (file === 'refund-desk.js' ? EMBEDDED_DESK : EMBEDDED_WIDGET),
} satisfies Partial<RuntimePieces>;

/** The line an entry prints once it listens; the runtime tests wait for it. */
export const listeningLine = (url: string, runtime: string, config: PostgresConfig): string =>
  `refund proxy listening on ${url} (runtime: ${runtime}; ledger: PostgreSQL; i'mport: ${config.iamport.apiUrl})`;

/**
 * What the Deno and Bun entries run once the ledger is open: the start warnings said (as the same JSON lines as the
 * request log), and the proxy built with its outbox, its background work and the webhook forwards' retry timer. Its HTTP
 * is the runtime's `fetch` unless the entry gives its own (Deno's: deno-fetch.ts).
 */
export const buildServedProxy = (config: PostgresConfig, store: Store, httpFetch: FetchLike = portablePieces.fetch) => {
  for (const warning of config.warnings) consoleLog({ level: 'warn', msg: warning });
  const background = createBackground();
  const retries = createRetryTimer();
  const { app, outbox } = buildProxyWithOutbox(config, {
    ...portablePieces,
    fetch: httpFetch,
    store,
    clientIp: clientIpFromPeer(config.trustProxyHops),
    background,
    log: consoleLog,
    retryWait: retries.wait,
  });
  return { app, outbox, background, retries };
};
