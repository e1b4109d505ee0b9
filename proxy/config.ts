/**
 * @module parseConfig(env): the only reader of environment variables (or edge bindings). A missing or bad value
 * stops start-up with a message that names the variable.
 */
import * as v from 'valibot';
import { isLoopbackHost, parseIp } from './net/ip.ts';

export interface Config {
  /** True when the built-in sandbox runs (see deploymentOf); the entry supplies the fake i'mport's env. */
  readonly sandbox: boolean;
  readonly iamport: { readonly apiKey: string; readonly apiSecret: string; readonly apiUrl: string; readonly timeoutMs: number };
  readonly grantSecret: string;
  /** The longest lifetime a grant may have, in seconds (MAX_GRANT_TTL). */
  readonly maxGrantTtlSeconds: number;
  readonly database: { readonly kind: 'sqlite'; readonly dataDir: string } | { readonly kind: 'postgres'; readonly url: string };
  readonly allowedOrigins: readonly string[];
  /** The proxy's own origin as the public reaches it (PUBLIC_ORIGIN); never taken from a Host header. */
  readonly publicOrigin: string | null;
  readonly port: number;
  readonly host: string;
  /** How many reverse proxies in front append to X-Forwarded-For (TRUST_PROXY); 0 means use the socket's peer. */
  readonly trustProxyHops: number;
  /** Requests per minute per client IP and per order on the payment routes, and per IP on the webhook; 0 is off. */
  readonly rateLimit: { readonly perIp: number; readonly perOrder: number; readonly webhookPerIp: number };
  /** Client IPs allowed to send i'mport webhooks (IAMPORT_WEBHOOK_IPS, canonical form); empty means any. */
  readonly webhookIps: readonly string[];
  /** /health also shows the i'mport base URL and the mode (HEALTH_DETAILS). */
  readonly healthDetails: boolean;
  /** Things worth saying at start-up that do not stop it (a deprecated spelling, say). */
  readonly warnings: readonly string[];
}

export type Env = Readonly<Record<string, string | undefined>>;

/** Thrown when the environment cannot run the proxy; the message lists every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Configuration error:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const text = (what: string) => v.pipe(v.string(), v.trim(), v.minLength(1, `${what} is empty`));
const int = (min: number, max: number) =>
  v.pipe(
    v.string(),
    v.trim(),
    v.regex(/^\d+$/, 'must be a whole number'),
    v.transform(Number),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );
const httpUrl = v.pipe(
  v.string(),
  v.trim(),
  v.url('must be a URL'),
  v.check((s) => /^https?:\/\//.test(s), 'must start with http:// or https://'),
  v.transform((s) => s.replace(/\/+$/, '')),
);
const origin = v.pipe(
  v.string(),
  v.url('is not an origin such as https://shop.example.com'),
  v.check((s) => new URL(s).origin === s.replace(/\/$/, ''), 'must be an origin (scheme, host and port only)'),
  v.transform((s) => new URL(s).origin),
);
const bool = v.pipe(v.string(), v.trim(), v.toLowerCase(), v.picklist(['1', '0', 'true', 'false', 'yes', 'no'], 'must be true or false'));
const isTrue = (value: string): boolean => ['1', 'true', 'yes'].includes(value);
/** A hop count, or the old boolean spelling (true is one hop, with a warning). */
const hops = v.pipe(
  v.string(),
  v.trim(),
  v.toLowerCase(),
  v.regex(/^(\d{1,2}|true|false|yes|no)$/, 'must be the number of reverse proxies in front (0, 1, 2 …)'),
);
const ipList = v.pipe(
  v.string(),
  v.transform((s) => s.split(',').map((item) => item.trim()).filter(Boolean)),
  v.check((items) => items.every((item) => parseIp(item) !== null), 'must be a comma-separated list of IP addresses'),
  v.transform((items) => items.map((item) => parseIp(item)!.address)),
);

/** Each variable: its schema, and its default when unset (undefined: required). */
const VARS = {
  IMP_KEY: { schema: text('IMP_KEY'), required: 'the i\'mport REST API key (console → V1 API keys)' },
  IMP_SECRET: { schema: text('IMP_SECRET'), required: 'the i\'mport REST API secret' },
  IAMPORT_API_URL: { schema: httpUrl, fallback: 'https://api.iamport.kr' },
  IAMPORT_TIMEOUT_MS: { schema: int(1000, 120_000), fallback: '15000' },
  REFUND_TOKEN_SECRET: {
    schema: v.pipe(v.string(), v.minLength(32, 'must be at least 32 characters')),
    required: 'the secret your backend signs refund grants with (at least 32 characters)',
  },
  MAX_GRANT_TTL: { schema: int(60, 7 * 86_400), fallback: '3600' },
  DATABASE_URL: { schema: v.pipe(v.string(), v.trim(), v.regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// URL')) },
  DATA_DIR: { schema: text('DATA_DIR'), fallback: './.data' },
  ALLOWED_ORIGINS: { schema: v.string(), fallback: '' },
  PUBLIC_ORIGIN: { schema: origin },
  PORT: { schema: int(0, 65_535), fallback: '8787' },
  HOST: { schema: text('HOST'), fallback: '127.0.0.1' },
  TRUST_PROXY: { schema: hops, fallback: '0' },
  RATE_LIMIT_PER_IP: { schema: int(0, 1_000_000), fallback: '120' },
  RATE_LIMIT_PER_ORDER: { schema: int(0, 1_000_000), fallback: '30' },
  RATE_LIMIT_WEBHOOK_PER_IP: { schema: int(0, 1_000_000), fallback: '120' },
  IAMPORT_WEBHOOK_IPS: { schema: ipList, fallback: '' },
  HEALTH_DETAILS: { schema: bool, fallback: 'false' },
  SANDBOX_PUBLIC: { schema: bool, fallback: 'false' },
} as const;

type VarName = keyof typeof VARS;

/** The variables whose presence means a live deployment: any one of them set and the sandbox never runs. */
export const LIVE_VARIABLES = ['IMP_KEY', 'IMP_SECRET', 'REFUND_TOKEN_SECRET', 'DATABASE_URL'] as const;

export interface Deployment {
  /** The built-in sandbox (fake i'mport, demo shop) runs; otherwise the proxy is live. */
  readonly sandbox: boolean;
  /** NODE_ENV names anything but development or test (compared without case), or is set to something unknown. */
  readonly production: boolean;
}

/**
 * Which mode the environment asks for. The sandbox runs only when nothing live is configured (none of LIVE_VARIABLES
 * is set, even empty) and NODE_ENV is unset, `development` or `test`; every other NODE_ENV value counts as production.
 * A half-configured live proxy (a misspelt IMP_SECRET, say) is therefore a start-up error, never a sandbox holding
 * the real grant secret and the real ledger.
 */
export const deploymentOf = (env: Env): Deployment => {
  const nodeEnv = (env.NODE_ENV ?? '').trim().toLowerCase();
  const production = !['', 'development', 'test'].includes(nodeEnv);
  const live = LIVE_VARIABLES.some((name) => env[name] !== undefined);
  return { sandbox: !production && !live, production };
};

export interface ParseOptions {
  /** Parse for the sandbox: the entry has filled in the fake i'mport's URL and keys and a grant secret of its own. */
  readonly sandbox?: boolean;
}

/** Reads and validates the configuration; throws ConfigError naming every bad or missing variable. */
export const parseConfig = (env: Env, { sandbox = false }: ParseOptions = {}): Config => {
  const problems: string[] = [];
  const warnings: string[] = [];
  const read = <N extends VarName>(name: N): v.InferOutput<(typeof VARS)[N]['schema']> | undefined => {
    const spec: { schema: v.GenericSchema; fallback?: string; required?: string } = VARS[name];
    const raw = env[name] === '' ? undefined : env[name];
    const value = raw ?? spec.fallback;
    if (value === undefined) {
      if (spec.required) problems.push(`${name} is not set: ${spec.required}`);
      return undefined;
    }
    const result = v.safeParse(VARS[name].schema, value);
    if (!result.success) {
      problems.push(`${name} ${result.issues[0].message}`);
      return undefined;
    }
    return result.output;
  };
  const origins: string[] = [];
  for (const item of (read('ALLOWED_ORIGINS') ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const result = v.safeParse(origin, item);
    if (result.success) origins.push(result.output);
    else problems.push(`ALLOWED_ORIGINS: "${item}" ${result.issues[0].message}`);
  }
  const trustProxy = read('TRUST_PROXY');
  let trustProxyHops: number | undefined;
  if (trustProxy !== undefined) {
    if (/^\d+$/.test(trustProxy)) trustProxyHops = Number(trustProxy);
    else {
      trustProxyHops = isTrue(trustProxy) ? 1 : 0;
      if (trustProxyHops === 1) {
        warnings.push(
          'TRUST_PROXY=true is read as TRUST_PROXY=1 (one reverse proxy in front, which appends the client to ' +
            'X-Forwarded-For). Set the number of proxies instead; see README.md, "Configuration".',
        );
      }
    }
  }
  const host = read('HOST');
  const sandboxPublic = read('SANDBOX_PUBLIC');
  if (sandbox && host !== undefined && !isLoopbackHost(host) && !(sandboxPublic && isTrue(sandboxPublic))) {
    problems.push(
      `HOST=${host} is not a loopback address, and the sandbox hands grants to anyone who asks: it listens on ` +
        '127.0.0.1 only. Set SANDBOX_PUBLIC=true for a deliberate public demo, or configure the proxy for live use.',
    );
  }
  const config = {
    apiKey: read('IMP_KEY'),
    apiSecret: read('IMP_SECRET'),
    apiUrl: read('IAMPORT_API_URL'),
    timeoutMs: read('IAMPORT_TIMEOUT_MS'),
    grantSecret: read('REFUND_TOKEN_SECRET'),
    maxGrantTtl: read('MAX_GRANT_TTL'),
    databaseUrl: read('DATABASE_URL'),
    dataDir: read('DATA_DIR'),
    publicOrigin: read('PUBLIC_ORIGIN'),
    port: read('PORT'),
    perIp: read('RATE_LIMIT_PER_IP'),
    perOrder: read('RATE_LIMIT_PER_ORDER'),
    webhookPerIp: read('RATE_LIMIT_WEBHOOK_PER_IP'),
    webhookIps: read('IAMPORT_WEBHOOK_IPS'),
    healthDetails: read('HEALTH_DETAILS'),
  };
  const { apiKey, apiSecret, apiUrl, timeoutMs, grantSecret, maxGrantTtl, databaseUrl, dataDir, publicOrigin, port } = config;
  const { perIp, perOrder, webhookPerIp, webhookIps, healthDetails } = config;
  if (
    problems.length > 0 ||
    apiKey === undefined ||
    apiSecret === undefined ||
    apiUrl === undefined ||
    timeoutMs === undefined ||
    grantSecret === undefined ||
    maxGrantTtl === undefined ||
    dataDir === undefined ||
    port === undefined ||
    host === undefined ||
    trustProxyHops === undefined ||
    perIp === undefined ||
    perOrder === undefined ||
    webhookPerIp === undefined ||
    webhookIps === undefined ||
    healthDetails === undefined
  ) {
    throw new ConfigError(problems);
  }
  return {
    sandbox,
    iamport: { apiKey, apiSecret, apiUrl, timeoutMs },
    grantSecret,
    maxGrantTtlSeconds: maxGrantTtl,
    database: databaseUrl ? { kind: 'postgres', url: databaseUrl } : { kind: 'sqlite', dataDir },
    allowedOrigins: origins,
    publicOrigin: publicOrigin ?? null,
    port,
    host,
    trustProxyHops,
    rateLimit: { perIp, perOrder, webhookPerIp },
    webhookIps,
    healthDetails: isTrue(healthDetails),
    warnings,
  };
};
