/**
 * @module The Cloudflare Workers entry (workerd). Bindings arrive with each event, so the app is built on the first
 * one from the bindings handed to the configuration, and kept for the isolate. A socket in workerd belongs to the
 * event that opened it, so the ledger gives each request (and each cron run) its own PostgreSQL connection, opened
 * on first use and closed after the response, through an AsyncLocalStorage scope. DATABASE_URL comes from a secret,
 * or from a Hyperdrive binding named HYPERDRIVE. The cron trigger (deploy/wrangler.toml, hourly) runs housekeeping.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Hono } from 'hono';
import { type BackgroundPass, buildProxyWithOutbox } from '../app.ts';
import type { Background } from '../background.ts';
import { ConfigError, type Env, parseConfig } from '../config.ts';
import { VARS } from '../config-vars.ts';
import { failure } from '../errors.ts';
import { consoleLog as log } from '../log-line.ts';
import { housekeep } from '../refunds/housekeeping.ts';
import { WIDGET_FILES } from '../routes/widget.ts';
import { createPostgresDriver } from '../store/postgres.ts';
import type { SqlDriver } from '../store/sql-driver.ts';
import { createSqlStore } from '../store/sql-store.ts';
import type { Store } from '../store/store.ts';
import { cloudflareClientIp } from './cloudflare-client-ip.ts';
import { portablePieces } from './portable.ts';
import { migratePostgres } from './start-up-error.ts';

/** The part of the Workers ExecutionContext this entry uses. */
interface WorkerContext {
  waitUntil(promise: Promise<unknown>): void;
}

type Bindings = Readonly<Record<string, unknown>>;

/** The connection of the request running now, opened when the ledger is first used, and its work after the answer. */
interface RequestScope {
  driver: SqlDriver | null;
  readonly kept: Promise<unknown>[];
  /** When the request (or the cron's event) began, epoch ms. */
  readonly startedAt: number;
  /** The ledger could not be opened: its connection is closed at once, its retries stopped. */
  unopened?: true;
}

/**
 * How long after its request began kept work may take a further wait: ctx.waitUntil lets it run about 30 s after the
 * answer, and a wait for an order's lease takes up to 20 s.
 */
const KEPT_WAITS_FOR_MS = 10_000;

// Work after an answer stays in its request's scope: ctx.waitUntil keeps it, and its connection, alive.
const background: Background = {
  keep: (work) => void scopes.getStore()?.kept.push(work),
  stopping: () => {
    const scope = scopes.getStore();
    return scope !== undefined && Date.now() - scope.startedAt > KEPT_WAITS_FOR_MS;
  },
};

const scopes = new AsyncLocalStorage<RequestScope>();

/**
 * Waits for the scope's kept work, including what that work keeps in turn (a delivery pass kicked by a write made
 * after the answer, say): a pass the event does not wait for dies with it, half done, when the event ends.
 */
const keptSettled = async (scope: RequestScope): Promise<void> => {
  for (let seen = 0; seen < scope.kept.length; ) {
    const more = scope.kept.slice(seen);
    seen = scope.kept.length;
    await Promise.allSettled(more);
  }
};

/** A driver that sends each statement over the current request's own connection. */
const requestScopedDriver = (url: string): SqlDriver => {
  const current = (): SqlDriver => {
    const scope = scopes.getStore();
    if (!scope) throw new Error('The ledger was used outside a request.');
    // Its migration failed just now: every use fails (guardStore makes it the app's 503), none retries the connect.
    if (scope.unopened) throw new Error('the ledger could not be opened (see the migrate error logged before)');
    // One connection per request: its statements run one after another, transactions included.
    return (scope.driver ??= createPostgresDriver({ url, max: 1 }));
  };
  return {
    dialect: 'postgres',
    query: (text, params) => current().query(text, params),
    run: (text, params) => current().run(text, params),
    sequence: (statements) => current().sequence(statements),
    transaction: (fn) => current().transaction(fn),
    close: async () => undefined,
  };
};

/** String bindings (vars and secrets) as the config parser's env; a Hyperdrive binding supplies DATABASE_URL. */
const envFromBindings = (bindings: Bindings): Env => {
  const env: Record<string, string> = {};
  const problems: string[] = [];
  for (const [name, value] of Object.entries(bindings)) {
    if (typeof value === 'string') env[name] = value;
    // A [vars] value written without quotes (RATE_LIMIT_PER_IP = 120, HEALTH_DETAILS = true) arrives as a number or a
    // boolean: read as the same text would be, never dropped for the default in silence.
    else if (typeof value === 'number' || typeof value === 'boolean') env[name] = String(value);
    // null: a binding declared without a value (workerd's fromEnvironment of an unset variable), i.e. unset.
    else if (value !== null && value !== undefined && Object.hasOwn(VARS, name)) {
      problems.push(`${name} must be text (a string in [vars], or a secret); it is bound as a ${typeof value} here`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const hyperdrive = bindings.HYPERDRIVE;
  const fromHyperdrive =
    typeof hyperdrive === 'object' && hyperdrive !== null && 'connectionString' in hyperdrive
      ? hyperdrive.connectionString
      : undefined;
  if (!env.DATABASE_URL && typeof fromHyperdrive === 'string') env.DATABASE_URL = fromHyperdrive;
  return env;
};

interface Isolate {
  readonly app: Hono;
  /** The background pass: the merchant webhooks' due deliveries (when configured) and the attention check. */
  readonly outbox: BackgroundPass;
  readonly ledger: Store;
  readonly databaseUrl: string;
  migrated: boolean;
}

let isolate: Isolate | null = null;

const build = (bindings: Bindings): Isolate => {
  const config = parseConfig(envFromBindings(bindings), 'Cloudflare Workers');
  // Once per isolate, which is as close to "at start" as Workers come (an empty ALLOWED_ORIGINS, say).
  for (const warning of config.warnings) log({ level: 'warn', msg: warning });
  const ledger = createSqlStore(requestScopedDriver(config.database.url));
  const pieces = { ...portablePieces, store: ledger, clientIp: cloudflareClientIp, background, log };
  const { app, outbox } = buildProxyWithOutbox(config, pieces);
  return { app, outbox, ledger, databaseUrl: config.database.url, migrated: false };
};

/** The isolate's app and ledger, built on the first event; the ConfigError (logged) when the configuration is bad. */
const isolateFor = (bindings: Bindings): Isolate | ConfigError => {
  try {
    return (isolate ??= build(bindings));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    log({ level: 'error', msg: 'configuration error', problems: error.problems });
    return error;
  }
};

/**
 * Migrates the ledger on every event until once it succeeds (migrations are safe to run concurrently); no promise is
 * shared between events, since one event cannot wait on another's I/O in workerd. Bounded as the other entries' start
 * is (DATABASE_URL's connect_timeout, 30 s unless set): the driver retries a server that hangs up without end (a TLS
 * handshake workerd refuses, a certificate it does not trust), and the event would never be answered while its
 * connection's retries went on; past the deadline the event answers 503 and its connection is closed.
 */
const migrated = async (current: Isolate): Promise<boolean> => {
  if (current.migrated) return true;
  try {
    await migratePostgres(current.ledger, current.databaseUrl);
    current.migrated = true;
  } catch (error) {
    // migratePostgres names DATABASE_URL by its host, without its password.
    log({ level: 'error', msg: 'ledger unavailable', operation: 'migrate', error: (error as Error).message });
  }
  return current.migrated;
};

const SCRIPT_PATHS = new Set(WIDGET_FILES.map((file) => `/${file}`));

/** The widget's and the console's scripts: built into the bundle, served without the ledger (a shop's page loads them). */
const needsNoLedger = (request: Request): boolean => SCRIPT_PATHS.has(new URL(request.url).pathname);

/**
 * An answer whose body reads the ledger while it is sent (the CSV export, streamed page by page: admin/csv.ts): its
 * pulls run in the request's scope, and the scope's connection stays open until the body has ended (or the client went
 * away). Closed with the answer, every page after the head failed with CONNECTION_ENDED and the file was cut short.
 */
const keepingScopeWhileStreamed = (response: Response, scope: RequestScope): Response => {
  const body = response.body;
  if (!body || !/^text\/csv\b/.test(response.headers.get('Content-Type') ?? '')) return response;
  let ended!: () => void;
  scope.kept.push(new Promise<void>((resolve) => (ended = resolve)));
  const reader = body.getReader();
  const streamed = new ReadableStream<Uint8Array>({
    pull: (controller) =>
      scopes.run(scope, async () => {
        try {
          const { value, done } = await reader.read();
          if (done) {
            controller.close();
            ended();
          } else controller.enqueue(value);
        } catch (error) {
          controller.error(error);
          ended();
        }
      }),
    cancel: (reason) =>
      scopes.run(scope, async () => {
        try {
          await reader.cancel(reason);
        } finally {
          ended();
        }
      }),
  });
  return new Response(streamed, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
};

const answer = ({ status, body }: ReturnType<typeof failure>): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

/** The outbox's cron (deploy/wrangler.toml); any other trigger is the hourly housekeeping one. */
const EVERY_MINUTE = '* * * * *';

// Public: anyone's request gets it. What to fix is in the log (wrangler tail), where a value may be named.
const CONFIG_BROKEN =
  "The refund proxy's configuration is incomplete or invalid; its log names what to fix. See docs/runtimes.md.";

export default {
  async fetch(request: Request, bindings: Bindings, ctx: WorkerContext): Promise<Response> {
    const current = isolateFor(bindings);
    if (current instanceof ConfigError) return answer(failure('INTERNAL', CONFIG_BROKEN));
    const scope: RequestScope = { driver: null, kept: [], startedAt: Date.now() };
    return scopes.run(scope, async () => {
      try {
        // Unmigrated, the request still goes through the app, with a ledger that fails at once: what needs none (a
        // preflight, a refused grant) is answered as elsewhere, and what does gets the app's 503 with its CORS headers,
        // which a shop's page can read (a bare answer here would look to the widget like no answer at all).
        if (!needsNoLedger(request) && !(await migrated(current))) scope.unopened = true;
        return keepingScopeWhileStreamed(await current.app.fetch(request), scope);
      } finally {
        // The connection closes only after the work that follows the answer (the lease's release, say) is done; one
        // that never opened at once, or the driver would go on retrying it (thousands of times a second on workerd).
        ctx.waitUntil(keptSettled(scope).then(() => scope.driver?.close(scope.unopened ? 0 : undefined)));
      }
    });
  },

  /**
   * The cron triggers (deploy/wrangler.toml), on a connection of their own: every minute, the merchant webhooks'
   * due retries (and events a dead invocation held) and the attention check; hourly, also one round of housekeeping.
   */
  async scheduled(
    controller: { readonly cron?: string; readonly scheduledTime?: number },
    bindings: Bindings,
    ctx: WorkerContext,
  ): Promise<void> {
    const current = isolateFor(bindings);
    if (current instanceof ConfigError) return;
    const scope: RequestScope = { driver: null, kept: [], startedAt: Date.now() };
    const round = scopes.run(scope, async () => {
      try {
        if (!(await migrated(current))) {
          scope.unopened = true;
          return;
        }
        await current.outbox.runDue();
        if (controller.cron !== EVERY_MINUTE) await housekeep({ store: current.ledger, now: Date.now, log });
      } finally {
        // What the run kept: the delivery of an event it wrote itself (attention.needed for an event it failed).
        await keptSettled(scope);
        await scope.driver?.close(scope.unopened ? 0 : undefined);
      }
    });
    ctx.waitUntil(round);
  },
};
