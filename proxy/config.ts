/**
 * @module parseConfig(env): the only reader of environment variables (or edge bindings). A missing or bad value
 * stops start-up with a message that names the variable.
 */
import * as v from 'valibot';

export interface Config {
  readonly iamport: { readonly apiKey: string; readonly apiSecret: string; readonly apiUrl: string; readonly timeoutMs: number };
  readonly grantSecret: string;
  readonly database: { readonly kind: 'sqlite'; readonly dataDir: string } | { readonly kind: 'postgres'; readonly url: string };
  readonly allowedOrigins: readonly string[];
  readonly port: number;
  readonly host: string;
  /** Take the client IP from X-Forwarded-For (only behind a reverse proxy that sets it). */
  readonly trustProxy: boolean;
  /** Requests per minute per client IP and per order on the payment routes; 0 turns a limit off. */
  readonly rateLimit: { readonly perIp: number; readonly perOrder: number };
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
  DATABASE_URL: { schema: v.pipe(v.string(), v.trim(), v.regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// URL')) },
  DATA_DIR: { schema: text('DATA_DIR'), fallback: './.data' },
  ALLOWED_ORIGINS: { schema: v.string(), fallback: '' },
  PORT: { schema: int(0, 65_535), fallback: '8787' },
  HOST: { schema: text('HOST'), fallback: '127.0.0.1' },
  TRUST_PROXY: { schema: bool, fallback: 'false' },
  RATE_LIMIT_PER_IP: { schema: int(0, 1_000_000), fallback: '120' },
  RATE_LIMIT_PER_ORDER: { schema: int(0, 1_000_000), fallback: '30' },
} as const;

type VarName = keyof typeof VARS;

/** Reads and validates the configuration; throws ConfigError naming every bad or missing variable. */
export const parseConfig = (env: Env): Config => {
  const problems: string[] = [];
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
  const config = {
    apiKey: read('IMP_KEY'),
    apiSecret: read('IMP_SECRET'),
    apiUrl: read('IAMPORT_API_URL'),
    timeoutMs: read('IAMPORT_TIMEOUT_MS'),
    grantSecret: read('REFUND_TOKEN_SECRET'),
    databaseUrl: read('DATABASE_URL'),
    dataDir: read('DATA_DIR'),
    port: read('PORT'),
    host: read('HOST'),
    trustProxy: read('TRUST_PROXY'),
    perIp: read('RATE_LIMIT_PER_IP'),
    perOrder: read('RATE_LIMIT_PER_ORDER'),
  };
  const { apiKey, apiSecret, apiUrl, timeoutMs, grantSecret, databaseUrl, dataDir, port, host, trustProxy, perIp, perOrder } = config;
  if (
    problems.length > 0 ||
    apiKey === undefined ||
    apiSecret === undefined ||
    apiUrl === undefined ||
    timeoutMs === undefined ||
    grantSecret === undefined ||
    dataDir === undefined ||
    port === undefined ||
    host === undefined ||
    trustProxy === undefined ||
    perIp === undefined ||
    perOrder === undefined
  ) {
    throw new ConfigError(problems);
  }
  return {
    iamport: { apiKey, apiSecret, apiUrl, timeoutMs },
    grantSecret,
    database: databaseUrl ? { kind: 'postgres', url: databaseUrl } : { kind: 'sqlite', dataDir },
    allowedOrigins: origins,
    port,
    host,
    trustProxy: ['1', 'true', 'yes'].includes(trustProxy),
    rateLimit: { perIp, perOrder },
  };
};
