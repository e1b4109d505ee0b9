/**
 * @module parseConfig(env, runtime): the only reader of the configuration. Each entry hands it its runtime's
 * environment once (process.env, Deno.env.toObject(), Bun.env, the Workers bindings); it decides sandbox or live and
 * validates every variable (config-vars.ts). A missing or bad value stops start-up with a message naming it.
 */
import * as v from 'valibot';
import { origin, VARS, type VarName, type VarSpec } from './config-vars.ts';
import { isLoopbackHost, isLoopbackUrl } from './net/ip.ts';
import { type DataKeys, decodeDataKey, randomDataKey } from './requests/account-crypto.ts';
import { type MerchantWebhooks, merchantWebhooksOf } from './webhooks/config.ts';
import { newSecret } from './webhooks/signing.ts';

/** Where the proxy runs. Only Node has a disk for the SQLite ledger, and only Node runs the sandbox. */
export type Runtime = 'Node' | 'Deno' | 'Bun' | 'Cloudflare Workers';

export interface Config {
  /** The built-in sandbox runs (fake i'mport, demo shop); see deploymentOf. */
  readonly sandbox: boolean;
  /** NODE_ENV names production (anything but unset, development or test). */
  readonly production: boolean;
  /** In the sandbox, the fake's keys, and an empty apiUrl until the entry's fake i'mport listens. */
  readonly iamport: {
    readonly apiKey: string;
    readonly apiSecret: string;
    readonly apiUrl: string;
    readonly timeoutMs: number;
    /**
     * KG Inicis's API key (IAMPORT_INICIS_PG_API_KEY), without which i'mport revokes no Inicis virtual account: such
     * an account is then not offered for revocation. The sandbox's fake takes its own.
     */
    readonly inicisPgApiKey?: string;
  };
  /**
   * PortOne V2, when PORTONE_API_SECRET chooses it over i'mport V1 (whose `iamport` keys are then empty); its timeout
   * is PORTONE_TIMEOUT_MS.
   */
  readonly portone?: PortOneConfig;
  /** REFUND_TOKEN_SECRET; in the sandbox, SANDBOX_TOKEN_SECRET or a random secret new at each start. */
  readonly grantSecret: string;
  /**
   * REFUND_TOKEN_SECRET_PREVIOUS, during a rotation: grants signed with it still pass, and an Idempotency-Key's record
   * hashed under it still matches its request. Never used to sign anything.
   */
  readonly previousGrantSecret?: string;
  /** The longest lifetime a grant may have, in seconds (MAX_GRANT_TTL). */
  readonly maxGrantTtlSeconds: number;
  readonly database: SqliteDatabase | PostgresDatabase;
  readonly allowedOrigins: readonly string[];
  /** The proxy's own origin as the public reaches it (PUBLIC_ORIGIN); never taken from a Host header. */
  readonly publicOrigin: string | null;
  readonly port: number;
  readonly host: string;
  /** The platform chooses the listening address (Deno Deploy, which sets DENO_DEPLOYMENT_ID): HOST, PORT unused. */
  readonly addressFromPlatform: boolean;
  /** How many reverse proxies in front append to X-Forwarded-For (TRUST_PROXY); 0 means use the socket's peer. */
  readonly trustProxyHops: number;
  /** Requests per minute per client IP and per order on the payment routes, and per IP on the webhook; 0 is off. */
  readonly rateLimit: { readonly perIp: number; readonly perOrder: number; readonly webhookPerIp: number };
  /** Client IPs allowed to send i'mport webhooks (IAMPORT_WEBHOOK_IPS, canonical form); empty means any. */
  readonly webhookIps: readonly string[];
  /** The shop's own webhook handler, which gets each i'mport webhook after the proxy (IAMPORT_WEBHOOK_FORWARD_URL). */
  readonly webhookForwardUrl: string | null;
  /** /health also shows the i'mport base URL and the mode (HEALTH_DETAILS). */
  readonly healthDetails: boolean;
  readonly admin: AdminConfig;
  /** Requests per minute per staff member on the /staff/ routes (RATE_LIMIT_STAFF_PER_SUB); 0 is off. */
  readonly staffPerSubPerMinute: number;
  /**
   * Signed events to the merchant's servers (MERCHANT_WEBHOOK_URL, …); null when not configured. In the sandbox
   * without MERCHANT_WEBHOOK_URL: a fresh secret and no URL until the entry's own receiver listens.
   */
  readonly merchantWebhooks: MerchantWebhooks | null;
  /** Seconds a refund attempt may stay unsettled before `attention.needed` is sent and logged (ATTENTION_AFTER). */
  readonly attentionAfterSeconds: number;
  /** DATA_ENCRYPTION_KEY(_PREVIOUS): seal refund requests' accounts; without a current key request mode is off. */
  readonly dataKeys: DataKeys;
  /** The account-holder check before a virtual-account refund (VERIFY_REFUND_HOLDER, IAMPORT_HOLDER_LOOKUP). */
  readonly holderCheck: HolderCheckConfig;
  /** Things worth saying at start-up that do not stop it (a deprecated spelling, say). */
  readonly warnings: readonly string[];
}

export interface HolderCheckConfig {
  /** `off`: no lookup; `when_available`: a mismatch refuses, no lookup goes on; `required`: no lookup refuses (503). */
  readonly verify: 'off' | 'when_available' | 'required';
  /** i'mport V1's hidden GET /vbanks/holder answers for this merchant (IAMPORT_HOLDER_LOOKUP). */
  readonly iamportLookup: boolean;
}

/** PortOne V2's credentials and address. */
export interface PortOneConfig {
  readonly apiSecret: string;
  /** A sub-store to act on (PORTONE_STORE_ID); the secret's own store when unset. */
  readonly storeId?: string;
  /** `whsec_…`: verifies PortOne's webhooks. */
  readonly webhookSecret: string;
  readonly apiUrl: string;
  readonly timeoutMs: number;
}

/** The admin API for the merchant's servers. */
export interface AdminConfig {
  /** ADMIN_API_KEYS; none means every /admin route answers 404, as an unknown route does. */
  readonly keys: readonly string[];
  /** Requests per minute per key (RATE_LIMIT_ADMIN_PER_KEY); 0 is off. */
  readonly perKeyPerMinute: number;
  /** The sandbox made the one key itself (ADMIN_API_KEYS unset), so its banner prints it. */
  readonly generated: boolean;
}

export interface SqliteDatabase {
  readonly kind: 'sqlite';
  readonly dataDir: string;
}

export interface PostgresDatabase {
  readonly kind: 'postgres';
  readonly url: string;
}

/** The configuration outside Node, where the ledger is always PostgreSQL. */
export type PostgresConfig = Config & { readonly database: PostgresDatabase };

export type Env = Readonly<Record<string, string | undefined>>;

/** Thrown when the environment cannot run the proxy; the message lists every bad variable. */
export class ConfigError extends Error {
  /** `sandbox`: the environment asked for the sandbox; the problem is then in its own few variables. */
  constructor(
    readonly problems: readonly string[],
    readonly sandbox = false,
  ) {
    super(`Configuration error:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** The variables whose presence means a live deployment: any one of them set and the sandbox never runs. */
export const LIVE_VARIABLES = [
  'IMP_KEY',
  'IMP_SECRET',
  'PORTONE_API_SECRET',
  'REFUND_TOKEN_SECRET',
  'DATABASE_URL',
] as const;

/** The keys the sandbox's fake i'mport accepts; nothing live is configured when it runs, so there are no others. */
export const SANDBOX_IAMPORT_KEYS = {
  apiKey: 'test_imp_key',
  apiSecret: 'test_imp_secret',
  inicisPgApiKey: 'test_inicis_pg_key',
} as const;

export interface Deployment {
  /** The built-in sandbox (fake i'mport, demo shop) runs; otherwise the proxy is live. */
  readonly sandbox: boolean;
  /**
   * NODE_ENV names anything but development or test (compared without case); on Workers, Deno and Bun an unset one
   * counts as production too.
   */
  readonly production: boolean;
}

/**
 * Which mode the environment asks for. The sandbox runs only on Node, when nothing live is configured (none of
 * LIVE_VARIABLES is set, even empty) and NODE_ENV is unset, `development` or `test`; every other NODE_ENV value counts
 * as production. A half-configured live proxy (a misspelt IMP_SECRET, say) is therefore a start-up error, never a
 * sandbox holding the real grant secret and the real ledger. On Workers, Deno and Bun the proxy is only ever deployed
 * (no sandbox there) and nothing sets NODE_ENV, so unset means production: a gateway URL mistyped as http:// would send
 * the API secret in clear. Only `development` or `test`, said, relaxes it.
 */
export const deploymentOf = (env: Env, runtime: Runtime = 'Node'): Deployment => {
  const nodeEnv = (env.NODE_ENV ?? '').trim().toLowerCase();
  const notProduction = runtime === 'Node' ? ['', 'development', 'test'] : ['development', 'test'];
  const production = !notProduction.includes(nodeEnv);
  const live = LIVE_VARIABLES.some((name) => env[name] !== undefined);
  return { sandbox: runtime === 'Node' && !production && !live, production };
};

type Value<N extends VarName> = v.InferOutput<(typeof VARS)[N]['schema']>;

/** Reads variables from `env`, adding a line to `problems` for each missing required or invalid one. */
const readerOf = (env: Env, problems: string[]) => {
  return <N extends VarName>(name: N): Value<N> | undefined => {
    const spec: VarSpec = VARS[name];
    const raw = env[name] === '' && !spec.emptyIsSet ? undefined : env[name];
    const value = raw ?? spec.fallback;
    if (value === undefined) {
      if (spec.required) problems.push(`${name} is not set: ${spec.required}`);
      return undefined;
    }
    const result = v.safeParse(spec.schema, value);
    if (!result.success) {
      problems.push(`${name} ${result.issues[0].message}`);
      return undefined;
    }
    return result.output as Value<N>;
  };
};

const originsOf = (list: string, problems: string[]): string[] => {
  const origins: string[] = [];
  for (const item of list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const result = v.safeParse(origin, item);
    if (result.success) origins.push(result.output);
    else problems.push(`ALLOWED_ORIGINS: "${item}" ${result.issues[0].message}`);
  }
  return origins;
};

/** The shortest admin key accepted: a key is a password that a script sends, so it must not be guessable. */
const MIN_ADMIN_KEY_LENGTH = 32;

/** ADMIN_API_KEYS as a list; a short key is named by its place in the list, never quoted. */
const adminKeysOf = (list: string | undefined, problems: string[]): string[] => {
  const keys = (list ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  // Commas and nothing else: a list whose keys went missing (a template left unfilled), not the API turned off.
  if (keys.length === 0 && (list ?? '').trim() !== '') {
    problems.push(
      'ADMIN_API_KEYS lists no key (only commas): give at least one, or unset it to turn the admin API off',
    );
  }
  keys.forEach((key, i) => {
    // A key travels in an Authorization header: printable ASCII without blanks, or it could never be sent as written.
    if (!/^[\x21-\x7e]+$/.test(key)) {
      problems.push(
        `ADMIN_API_KEYS: key ${i + 1} of ${keys.length} has a character a header cannot carry as written (a blank, ` +
          'a control character or one outside ASCII); use letters, digits and punctuation (openssl rand -hex 32)',
      );
    }
    if (key.length < MIN_ADMIN_KEY_LENGTH) {
      problems.push(
        `ADMIN_API_KEYS: key ${i + 1} of ${keys.length} is ${key.length} characters long; each key must be at least ` +
          `${MIN_ADMIN_KEY_LENGTH} (for example: openssl rand -hex 32)`,
      );
    }
  });
  return keys;
};

/** TRUST_PROXY as a hop count; the old boolean spelling `true` reads as one hop, with a warning. */
const hopsOf = (trustProxy: string | undefined, warnings: string[]): number => {
  if (trustProxy === undefined) return 0; // invalid: a problem is already noted
  if (/^\d+$/.test(trustProxy)) return Number(trustProxy);
  if (trustProxy !== 'true' && trustProxy !== 'yes') return 0;
  warnings.push(
    'TRUST_PROXY=true is read as TRUST_PROXY=1 (one reverse proxy in front, which appends the client to ' +
      'X-Forwarded-For). Set the number of proxies instead; see README.md, "Configuration".',
  );
  return 1;
};

/**
 * Live with ALLOWED_ORIGINS empty: a shop page on another origin gets a preflight without Access-Control-Allow-Origin,
 * the browser blocks the call and the customer sees only a network error, so it is said once at start.
 */
const noAllowedOrigins = (publicOrigin: string | undefined): string =>
  (publicOrigin
    ? `ALLOWED_ORIGINS is empty: only pages on PUBLIC_ORIGIN (${publicOrigin}) may call the payment routes, so a ` +
      'shop page on another origin is refused (the browser blocks its calls) and its customers cannot refund.'
    : 'ALLOWED_ORIGINS is empty and PUBLIC_ORIGIN is not set: no web page may call the payment routes, so every ' +
      "shop page's calls are refused (the browser blocks them) and its customers cannot refund.") +
  " List the shop's origins in ALLOWED_ORIGINS (https://shop.example.com,https://m.shop.example.com).";

/**
 * IAMPORT_WEBHOOK_FORWARD_URL carries i'mport's notifications to the shop: https only, except plain http to this
 * machine (a handler on loopback, a test) outside production.
 */
const forwardUrlOf = (url: string | undefined, production: boolean, problems: string[]): string | undefined => {
  if (url === undefined || url.startsWith('https://')) return url;
  if (!isLoopbackUrl(url)) {
    problems.push(`IAMPORT_WEBHOOK_FORWARD_URL must start with https:// (http:// only to a loopback address)`);
  } else if (production) {
    problems.push('IAMPORT_WEBHOOK_FORWARD_URL must start with https:// in production');
  }
  return url;
};

/**
 * The gateway's credentials: i'mport V1's (IMP_KEY, IMP_SECRET) or PortOne V2's (PORTONE_API_SECRET, with its webhook
 * secret), never both, since the proxy would not know which one the shop's payments are in.
 */
const gatewayOf = (env: Env, read: ReturnType<typeof readerOf>, problems: string[]) => {
  const set = (name: string) => (env[name] ?? '') !== '';
  if (!set('PORTONE_API_SECRET')) {
    const inicisPgApiKey = read('IAMPORT_INICIS_PG_API_KEY');
    return {
      iamport: {
        apiKey: read('IMP_KEY'),
        apiSecret: read('IMP_SECRET'),
        apiUrl: read('IAMPORT_API_URL'),
        ...(inicisPgApiKey === undefined ? {} : { inicisPgApiKey }),
      },
    };
  }
  const v1 = ['IMP_KEY', 'IMP_SECRET'].filter(set);
  if (v1.length > 0) {
    problems.push(
      `${v1.join(' and ')} (i'mport V1) and PORTONE_API_SECRET (PortOne V2) are both set: the proxy talks to one ` +
        "gateway. Keep the credentials of the one the shop's payments are made through and unset the other.",
    );
  }
  const webhookSecret = read('PORTONE_WEBHOOK_SECRET');
  if (webhookSecret === undefined) {
    problems.push(
      'PORTONE_WEBHOOK_SECRET is not set: the secret PortOne signs its webhooks with (whsec_…, console → ' +
        'Integration → webhooks), required with PORTONE_API_SECRET',
    );
  } else if (!/^(whsec_)?[A-Za-z0-9+/]+={0,2}$/.test(webhookSecret.trim())) {
    // With or without whsec_, as PortOne's own SDK takes it (it strips the prefix when there is one).
    problems.push(
      'PORTONE_WEBHOOK_SECRET must be the secret PortOne shows for the webhook (base64, with or without whsec_)',
    );
  }
  const storeId = read('PORTONE_STORE_ID');
  return {
    iamport: { apiKey: '', apiSecret: '', apiUrl: read('IAMPORT_API_URL') },
    portone: {
      apiSecret: read('PORTONE_API_SECRET'),
      webhookSecret: webhookSecret?.trim(),
      apiUrl: read('PORTONE_API_URL'),
      ...(storeId === undefined ? {} : { storeId }),
    },
  };
};

/**
 * The sandbox's fake gateway (SANDBOX_GATEWAY): i'mport V1 with its fixed keys, or PortOne V2 with an API secret and a
 * `whsec_` webhook secret new at each start. Either base URL stays empty until the entry's fake listens.
 */
const sandboxGatewayOf = (gateway: 'iamport' | 'portone' | undefined) =>
  gateway === 'portone'
    ? {
        iamport: { apiKey: '', apiSecret: '', apiUrl: '' },
        portone: { apiSecret: `sandbox_${randomSecret()}`, webhookSecret: newSecret(), apiUrl: '' },
      }
    : { iamport: { ...SANDBOX_IAMPORT_KEYS, apiUrl: '' }, portone: undefined };

/** The sandbox retries a webhook after 5, 15 and 30 s unless WEBHOOK_RETRY_SCHEDULE is set: a visitor sees them. */
export const SANDBOX_WEBHOOK_RETRY_SECONDS: readonly number[] = [5, 15, 30];

/**
 * The sandbox's webhooks when MERCHANT_WEBHOOK_URL is unset: a `whsec_` secret new at each start, for the receiver the
 * Node entry starts (entries/sandbox-receiver.ts), which fills in the URL.
 */
const sandboxWebhooksOf = (sandbox: boolean, merchant: MerchantWebhooks | null, scheduleSeconds: readonly number[]) =>
  merchant ?? (sandbox ? { urls: [], secret: newSecret(), retryDelaysMs: scheduleSeconds.map((s) => s * 1000) } : null);

/** A secret for the sandbox's grants, so that none signed by an earlier run (or by a live secret) passes. */
const randomSecret = (): string =>
  Array.from(crypto.getRandomValues(new Uint8Array(32)), (byte) => byte.toString(16).padStart(2, '0')).join('');

/**
 * DATA_ENCRYPTION_KEY and its predecessor: each set one must be base64 of 32 bytes. The sandbox makes a key per start
 * unless one is set, so it can show request mode; live, a missing key turns request mode off (parseConfig warns).
 */
const dataKeysOf = (
  keys: { current: string | undefined; previous: string | undefined },
  sandbox: boolean,
  problems: string[],
): DataKeys => {
  for (const [name, value] of [
    ['DATA_ENCRYPTION_KEY', keys.current],
    ['DATA_ENCRYPTION_KEY_PREVIOUS', keys.previous],
  ] as const) {
    if (value !== undefined && value !== '' && !decodeDataKey(value)) {
      problems.push(`${name} must be base64 of exactly 32 bytes (e.g. the output of \`openssl rand -base64 32\`)`);
    }
  }
  if (keys.previous && !keys.current && !sandbox) {
    // A rotation whose new key's name was misspelt: old rows would be read, and nothing new could be sealed.
    problems.push('DATA_ENCRYPTION_KEY_PREVIOUS is set, but DATA_ENCRYPTION_KEY is not: set the current key beside it');
  }
  return { current: keys.current || (sandbox ? randomDataKey() : null), previous: keys.previous || null };
};

/** The sandbox's admin key when ADMIN_API_KEYS is unset: new at each start, printed in its banner. */
const adminOf = (sandbox: boolean, keys: string[], perKeyPerMinute: number | undefined): AdminConfig => {
  const generated = sandbox && keys.length === 0;
  return { keys: generated ? [`sandbox_${randomSecret()}`] : keys, perKeyPerMinute: perKeyPerMinute!, generated };
};

/**
 * Reads and validates the configuration for `runtime`; throws ConfigError naming every bad or missing variable.
 * Outside Node the ledger is PostgreSQL, so DATABASE_URL is required there.
 */
export function parseConfig(env: Env, runtime?: 'Node'): Config;
export function parseConfig(env: Env, runtime: Exclude<Runtime, 'Node'>): PostgresConfig;
export function parseConfig(env: Env, runtime: Runtime = 'Node'): Config {
  const { sandbox, production } = deploymentOf(env, runtime);
  const problems: string[] = [];
  const warnings: string[] = [];
  const read = readerOf(env, problems);
  const allowedOrigins = originsOf(read('ALLOWED_ORIGINS') ?? '', problems);
  const trustProxyHops = hopsOf(read('TRUST_PROXY'), warnings);
  const host = read('HOST');
  const sandboxPublic = read('SANDBOX_PUBLIC');
  if (sandbox && host !== undefined && !isLoopbackHost(host) && sandboxPublic !== true) {
    problems.push(
      `HOST=${host} is not a loopback address, and the sandbox hands grants to anyone who asks: it listens on ` +
        '127.0.0.1 only. Set SANDBOX_PUBLIC=true for a deliberate public demo, or configure the proxy for live use.',
    );
  }
  const { iamport, portone } = sandbox ? sandboxGatewayOf(read('SANDBOX_GATEWAY')) : gatewayOf(env, read, problems);
  // The gateway's secret goes with every call (i'mport's token request, PortOne's Authorization): never in clear over
  // a network in production (plain http to this machine, a local stand-in or egress proxy, keeps it here).
  for (const [name, url] of [
    ['IAMPORT_API_URL', iamport?.apiUrl],
    ['PORTONE_API_URL', portone?.apiUrl],
  ] as const) {
    if (!production || !url?.startsWith('http://')) continue;
    if (!isLoopbackUrl(url)) {
      problems.push(`${name} must start with https:// in production (http:// only to a loopback address)`);
    }
  }
  const grantSecret = sandbox ? (read('SANDBOX_TOKEN_SECRET') ?? randomSecret()) : read('REFUND_TOKEN_SECRET');
  const previousGrantSecret = read('REFUND_TOKEN_SECRET_PREVIOUS');
  if (previousGrantSecret !== undefined && (env.REFUND_TOKEN_SECRET ?? '') === '') {
    problems.push(
      'REFUND_TOKEN_SECRET_PREVIOUS is set, but REFUND_TOKEN_SECRET is not: set the new secret beside the old one',
    );
  } else if (previousGrantSecret !== undefined && previousGrantSecret.trim() === grantSecret?.trim()) {
    // Compared without the blanks around them, which both may carry (a value from a file): the same secret twice.
    problems.push('REFUND_TOKEN_SECRET_PREVIOUS is the same as REFUND_TOKEN_SECRET: set it to the old secret');
  }
  const databaseUrl = read('DATABASE_URL');
  const retrySchedule =
    sandbox && (env.WEBHOOK_RETRY_SCHEDULE ?? '') === ''
      ? SANDBOX_WEBHOOK_RETRY_SECONDS
      : read('WEBHOOK_RETRY_SCHEDULE');
  if (runtime !== 'Node' && (env.DATABASE_URL ?? '') === '') {
    problems.push(
      `DATABASE_URL is not set: on ${runtime} the ledger is PostgreSQL (postgres://user:password@host:5432/db); ` +
        'the SQLite ledger is for Node only',
    );
  }
  const values = {
    timeoutMs: read('IAMPORT_TIMEOUT_MS'),
    portoneTimeoutMs: read('PORTONE_TIMEOUT_MS'),
    maxGrantTtl: read('MAX_GRANT_TTL'),
    dataDir: read('DATA_DIR'),
    publicOrigin: read('PUBLIC_ORIGIN'),
    port: read('PORT'),
    perIp: read('RATE_LIMIT_PER_IP'),
    perOrder: read('RATE_LIMIT_PER_ORDER'),
    webhookPerIp: read('RATE_LIMIT_WEBHOOK_PER_IP'),
    webhookIps: read('IAMPORT_WEBHOOK_IPS'),
    webhookForwardUrl: forwardUrlOf(read('IAMPORT_WEBHOOK_FORWARD_URL'), production, problems),
    healthDetails: read('HEALTH_DETAILS'),
    verifyHolder: read('VERIFY_REFUND_HOLDER'),
    iamportHolderLookup: read('IAMPORT_HOLDER_LOOKUP'),
    attentionAfter: read('ATTENTION_AFTER'),
    deployment: read('DENO_DEPLOYMENT_ID'),
    adminKeys: adminKeysOf(read('ADMIN_API_KEYS'), problems),
    adminPerKey: read('RATE_LIMIT_ADMIN_PER_KEY'),
    staffPerSub: read('RATE_LIMIT_STAFF_PER_SUB'),
    merchantWebhooks: merchantWebhooksOf(
      {
        urls: read('MERCHANT_WEBHOOK_URL'),
        secret: read('MERCHANT_WEBHOOK_SECRET'),
        previousSecret: read('MERCHANT_WEBHOOK_SECRET_PREVIOUS'),
        scheduleSeconds: retrySchedule,
      },
      {
        url: (env.MERCHANT_WEBHOOK_URL ?? '') !== '',
        secret: (env.MERCHANT_WEBHOOK_SECRET ?? '') !== '',
        previousSecret: (env.MERCHANT_WEBHOOK_SECRET_PREVIOUS ?? '') !== '',
      },
      production,
      problems,
    ),
  };
  const dataKeys = dataKeysOf(
    { current: read('DATA_ENCRYPTION_KEY'), previous: read('DATA_ENCRYPTION_KEY_PREVIOUS') },
    sandbox,
    problems,
  );
  if (portone && values.webhookIps && values.webhookIps.length > 0) {
    problems.push(
      "IAMPORT_WEBHOOK_IPS lists i'mport V1's webhook senders, and PortOne V2 sends from others: every V2 webhook " +
        'would be refused. V2 signs its webhooks (checked with PORTONE_WEBHOOK_SECRET); unset IAMPORT_WEBHOOK_IPS.',
    );
  }
  if (problems.length > 0) throw new ConfigError(problems, sandbox);
  if (!sandbox && allowedOrigins.length === 0) warnings.push(noAllowedOrigins(values.publicOrigin));
  if (!dataKeys.current) {
    warnings.push(
      'request mode is off: DATA_ENCRYPTION_KEY is not set, so POST /refund-requests answers REFUND_NOT_ALLOWED',
    );
  }
  if (values.verifyHolder === 'required' && !values.iamportHolderLookup && !env.PORTONE_API_SECRET) {
    warnings.push(
      "VERIFY_REFUND_HOLDER=required, and i'mport V1 offers no holder lookup unless IAMPORT_HOLDER_LOOKUP=true: " +
        'every virtual-account refund answers 503 UPSTREAM_UNAVAILABLE until it is set.',
    );
  }
  // Past this point every required or defaulted value is set: each read that came back empty added a problem.
  return {
    sandbox,
    production,
    iamport: {
      apiKey: iamport.apiKey!,
      apiSecret: iamport.apiSecret!,
      apiUrl: iamport.apiUrl!,
      timeoutMs: values.timeoutMs!,
      ...('inicisPgApiKey' in iamport && iamport.inicisPgApiKey ? { inicisPgApiKey: iamport.inicisPgApiKey } : {}),
    },
    ...(portone
      ? {
          portone: {
            ...portone,
            apiSecret: portone.apiSecret!,
            webhookSecret: portone.webhookSecret!,
            apiUrl: portone.apiUrl!,
            timeoutMs: values.portoneTimeoutMs!,
          },
        }
      : {}),
    grantSecret: grantSecret!,
    ...(previousGrantSecret === undefined ? {} : { previousGrantSecret }),
    maxGrantTtlSeconds: values.maxGrantTtl!,
    database: databaseUrl ? { kind: 'postgres', url: databaseUrl } : { kind: 'sqlite', dataDir: values.dataDir! },
    allowedOrigins,
    publicOrigin: values.publicOrigin ?? null,
    port: values.port!,
    host: host!,
    addressFromPlatform: values.deployment !== undefined,
    trustProxyHops,
    rateLimit: { perIp: values.perIp!, perOrder: values.perOrder!, webhookPerIp: values.webhookPerIp! },
    webhookIps: values.webhookIps!,
    webhookForwardUrl: values.webhookForwardUrl ?? null,
    healthDetails: values.healthDetails!,
    admin: adminOf(sandbox, values.adminKeys, values.adminPerKey),
    staffPerSubPerMinute: values.staffPerSub!,
    merchantWebhooks: sandboxWebhooksOf(sandbox, values.merchantWebhooks, retrySchedule!),
    attentionAfterSeconds: values.attentionAfter!,
    dataKeys,
    holderCheck: { verify: values.verifyHolder!, iamportLookup: values.iamportHolderLookup! },
    warnings,
  };
}

/** The secret `npm run grant` signs with, and the variable it came from; or why there is none. */
export type GrantSecret =
  | { readonly ok: true; readonly secret: string; readonly from: 'REFUND_TOKEN_SECRET' | 'SANDBOX_TOKEN_SECRET' }
  | { readonly ok: false; readonly problem: string };

/** For the grant CLI: MAX_GRANT_TTL as the proxy reads it (its schema and fallback); null when it is not valid. */
export const maxGrantTtlOf = (env: Env): number | null => {
  const result = v.safeParse(VARS.MAX_GRANT_TTL.schema, env.MAX_GRANT_TTL ?? VARS.MAX_GRANT_TTL.fallback);
  return result.success ? result.output : null;
};

/**
 * For the grant CLI: REFUND_TOKEN_SECRET when it is set (even empty, as for the live/sandbox choice), else
 * SANDBOX_TOKEN_SECRET, so a grant minted at the command line works against the proxy or the sandbox. The one chosen
 * must pass the proxy's own rule (at least 32 characters): a shorter one is refused, never replaced by the other.
 */
export const grantSecretOf = (env: Env): GrantSecret => {
  const name =
    env.REFUND_TOKEN_SECRET !== undefined
      ? 'REFUND_TOKEN_SECRET'
      : env.SANDBOX_TOKEN_SECRET !== undefined
        ? 'SANDBOX_TOKEN_SECRET'
        : null;
  if (name === null) {
    return { ok: false, problem: 'REFUND_TOKEN_SECRET (or, against the sandbox, SANDBOX_TOKEN_SECRET) is not set' };
  }
  const result = v.safeParse(VARS[name].schema, env[name]);
  return result.success
    ? { ok: true, secret: result.output, from: name }
    : { ok: false, problem: `${name} ${result.issues[0].message}` };
};
