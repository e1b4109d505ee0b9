/** @module composeApp(): builds the proxy from a config and the runtime's pieces; shared by every entry and by tests. */
import type { Context } from 'hono';
import { createApp } from './app.ts';
import { type Background, createBackground } from './background.ts';
import type { AppDeps } from './app-deps.ts';
import type { Config } from './config.ts';
import { createIamportClient, type FetchLike } from './iamport/client.ts';
import { guardStore } from './store/guard.ts';
import type { Store } from './store/store.ts';

export interface ComposeOptions {
  readonly config: Pick<Config, 'iamport' | 'grantSecret' | 'allowedOrigins'> &
    Partial<Pick<Config, 'sandbox' | 'rateLimit' | 'publicOrigin' | 'maxGrantTtlSeconds' | 'webhookIps' | 'healthDetails'>>;
  /** Origins the proxy knows as its own besides PUBLIC_ORIGIN (the sandbox's listen address, known once it listens). */
  readonly ownOrigins?: () => readonly string[];
  readonly store: Store;
  readonly fetch: FetchLike;
  readonly clientIp?: (c: Context) => string | null;
  readonly now?: () => number;
  readonly log?: (line: Record<string, unknown>) => void;
  readonly leaseWaitMs?: number;
  readonly loadWidget?: AppDeps['loadWidget'];
  /** Where work that outlives an answer is kept; an entry that closes the ledger at shutdown waits for it first. */
  readonly background?: Background;
}

/** One log event as the JSON line every entry writes: the time first, then the event's fields. */
export const formatLogLine = (line: Record<string, unknown>): string => JSON.stringify({ time: new Date().toISOString(), ...line });

const ownOriginsOf = (publicOrigin: string | null, more: (() => readonly string[]) | undefined) => {
  const fixed = publicOrigin ? [publicOrigin] : [];
  return more ? () => [...fixed, ...more()] : () => fixed;
};

export const composeDeps = (options: ComposeOptions): AppDeps => {
  const { config, store, now = Date.now } = options;
  const log = options.log ?? ((line: Record<string, unknown>) => console.log(formatLogLine(line)));
  const iamport = createIamportClient({
    baseUrl: config.iamport.apiUrl,
    apiKey: config.iamport.apiKey,
    apiSecret: config.iamport.apiSecret,
    fetch: options.fetch,
    now,
    timeoutMs: config.iamport.timeoutMs,
    log,
  });
  return {
    store: guardStore(store),
    iamport,
    now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    randomId: () => crypto.randomUUID(),
    leaseWaitMs: options.leaseWaitMs ?? 20_000,
    // Renewed every third of its life while held (lease.ts): short, so a crashed holder frees its order quickly.
    leaseTtlMs: 6_000,
    log,
    background: options.background ?? createBackground(),
    grantSecret: config.grantSecret,
    maxGrantTtlSeconds: config.maxGrantTtlSeconds ?? 3600,
    allowedOrigins: config.allowedOrigins,
    ownOrigins: ownOriginsOf(config.publicOrigin ?? null, options.ownOrigins),
    clientIp: options.clientIp ?? (() => null),
    rateLimit: config.rateLimit ?? { perIp: 0, perOrder: 0, webhookPerIp: 0 },
    webhookIps: config.webhookIps ?? [],
    healthDetails: config.healthDetails ?? false,
    sandbox: config.sandbox ?? false,
    loadWidget: options.loadWidget ?? (async () => null),
  };
};

export const composeApp = (options: ComposeOptions) => createApp(composeDeps(options));
