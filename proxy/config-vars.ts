/**
 * @module The environment variables the proxy reads (README.md, "Configuration"): each one's schema, and its
 * default or why it is required. parseConfig (config.ts) is their only reader.
 */
import * as v from 'valibot';
import { parseIp } from './net/ip.ts';

/** Any text but blanks. The variable's name is put before each message by config.ts (readerOf). */
const text = v.pipe(v.string(), v.trim(), v.minLength(1, 'is empty'));
const int = (min: number, max: number) =>
  v.pipe(
    v.string(),
    v.trim(),
    v.regex(/^\d+$/, `must be a whole number from ${min} to ${max}`),
    v.transform(Number),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );
const httpUrl = v.pipe(
  v.string(),
  v.trim(),
  v.url('must be a URL'),
  v.check((s) => /^https?:\/\//.test(s), 'must start with http:// or https://'),
  // Printed at start-up and in /health's details: a password in it would be logged and served.
  v.check(
    (s) => !URL.canParse(s) || (new URL(s).username === '' && new URL(s).password === ''),
    'must not carry a user or password (user:password@)',
  ),
  v.transform((s) => s.replace(/\/+$/, '')),
);
/** A URL used as given: a shop's handler may tell `/hook` from `/hook/`. */
const exactHttpUrl = v.pipe(
  v.string(),
  v.trim(),
  v.url('must be a URL'),
  v.check((s) => /^https?:\/\//.test(s), 'must start with https://'),
);
/** Whether decodeURIComponent takes `s` whole, as the PostgreSQL driver does its user and password. */
const decodes = (s: string): boolean => {
  try {
    decodeURIComponent(s);
    return true;
  } catch {
    return false;
  }
};

/**
 * Whether the PostgreSQL driver reads `s` as it is meant: it takes the host from after the user and password up to the
 * first / or ?, so a / ? or # left unescaped in the password moves the host into it (a TypeError that quotes the whole
 * URL, password and all, or another host), and it parses what it took with WHATWG's URL.
 */
const driverReads = (s: string): boolean => {
  if (s.includes('#')) return false; // a fragment is never part of a connection string: a password's own #
  const rest = s.slice(s.indexOf('://') + 3);
  const authority = rest.split(/[?/]/)[0] ?? '';
  // An @ past the first / or ?: that / or ? was the user's or the password's.
  if (rest.indexOf('@') > authority.length) return false;
  // The driver's own parse (postgres/src/index.js, parseUrl), which throws on what it cannot read.
  try {
    const host = decodeURIComponent(authority.slice(authority.indexOf('@') + 1));
    new URL(s.replace(host, host.split(',')[0] ?? ''));
    return true;
  } catch {
    return false;
  }
};

/** The origin of `s`, or null when it is no URL at all (the check below still runs after v.url refused it). */
const originOf = (s: string): string | null => {
  try {
    return new URL(s).origin;
  } catch {
    return null;
  }
};
export const origin = v.pipe(
  v.string(),
  v.url('is not an origin such as https://shop.example.com'),
  v.check((s) => originOf(s) === s.replace(/\/$/, ''), 'must be an origin (scheme, host and port only)'),
  v.transform((s) => new URL(s).origin),
);
const bool = v.pipe(
  v.string(),
  v.trim(),
  v.toLowerCase(),
  v.picklist(['1', '0', 'true', 'false', 'yes', 'no'], 'must be true or false'),
  v.transform((s) => ['1', 'true', 'yes'].includes(s)),
);
/** A hop count, or the old boolean spelling (true is one hop, with a warning). */
const hops = v.pipe(
  v.string(),
  v.trim(),
  v.toLowerCase(),
  v.regex(/^(\d{1,2}|true|false|yes|no)$/, 'must be the number of reverse proxies in front (0, 1, 2 …)'),
);
const ipList = v.pipe(
  v.string(),
  // Commas and nothing else: a list whose addresses went missing (a template left unfilled), not "any sender".
  v.check(
    (s) => s.trim() === '' || s.split(',').some((item) => item.trim() !== ''),
    'lists no address (only commas): give at least one, or unset it to take webhooks from any sender',
  ),
  v.transform((s) =>
    s
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  ),
  v.check((items) => items.every((item) => parseIp(item) !== null), 'must be a comma-separated list of IP addresses'),
  v.transform((items) => items.map((item) => parseIp(item)!.address)),
);
/** Comma-separated items, each trimmed; empty items dropped. */
const commaList = v.pipe(
  v.string(),
  v.transform((s) =>
    s
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  ),
);
const urlList = v.pipe(
  commaList,
  v.minLength(1, 'is empty'),
  v.check(
    (items) => items.every((item) => URL.canParse(item) && /^https?:\/\//.test(item)),
    'must be a comma-separated list of https:// URLs',
  ),
  // The URL parser drops a line break inside a URL and takes a space as %20: two URLs separated by either would be read
  // as one, to a path nobody serves.
  v.check(
    (items) => items.every((item) => !/\s/.test(item)),
    'must be a comma-separated list of https:// URLs (a space or line break is not a separator)',
  ),
  // The ledger records each delivery's URL, which the admin API and the staff console show: a password in it would
  // be shown too. The signature is what tells the receiver an event is ours.
  v.check(
    (items) =>
      items.every((item) => !URL.canParse(item) || (new URL(item).username === '' && new URL(item).password === '')),
    'must not carry a user or password (user:password@): the receiver checks the webhook-signature instead',
  ),
);
const secondsList = v.pipe(
  v.string(),
  // Every entry kept, empty ones too: `5,,300` is a mistake (a wait left out), not the schedule 5,300.
  v.transform((s) => s.split(',').map((item) => item.trim())),
  v.check(
    (items) => items.every((item) => /^\d{1,6}$/.test(item)),
    'must be comma-separated whole seconds, each at most 999999 (5,300,1800)',
  ),
  v.transform((items) => items.map(Number)),
);
/**
 * A signing secret: 32 characters or more, none of them blank (spaces would make a guessable key look long). Blanks at
 * its ends (a file's last newline) are not counted, yet kept: the secret is used as given, as it always was, so grants
 * signed with it still verify.
 */
const secret = v.pipe(
  v.string(),
  v.check((s) => s.trim().length >= 32, 'must be at least 32 characters'),
  v.check((s) => /^\S+$/.test(s.trim()), 'must not contain spaces or other blanks'),
);

/** Each variable: its schema, and its fallback when unset, or why it is required (neither: optional). */
export const VARS = {
  IMP_KEY: {
    schema: text,
    required: "the i'mport REST API key (console → V1 API keys); for PortOne V2 set PORTONE_API_SECRET instead",
  },
  IMP_SECRET: { schema: text, required: "the i'mport REST API secret" },
  IAMPORT_API_URL: { schema: httpUrl, fallback: 'https://api.iamport.kr' },
  // KG Inicis's own API key, which i'mport requires to revoke an Inicis virtual account (iamport-v1.md §4.1).
  IAMPORT_INICIS_PG_API_KEY: { schema: text },
  IAMPORT_TIMEOUT_MS: { schema: int(1000, 120_000), fallback: '15000' },
  // PortOne V2 instead of i'mport V1: the secret chooses the gateway (config.ts refuses both sets of credentials).
  PORTONE_API_SECRET: { schema: text },
  PORTONE_STORE_ID: { schema: text },
  // Its form (whsec_ + base64) and its pairing with PORTONE_API_SECRET are checked in config.ts.
  PORTONE_WEBHOOK_SECRET: { schema: v.string() },
  PORTONE_API_URL: { schema: httpUrl, fallback: 'https://api.portone.io' },
  // PortOne advises a read timeout of at least 60 s: a cancel may wait that long on the PG.
  PORTONE_TIMEOUT_MS: { schema: int(1000, 120_000), fallback: '60000' },
  REFUND_TOKEN_SECRET: {
    schema: secret,
    required: 'the secret your backend signs refund grants with (at least 32 characters)',
  },
  // The grant secret before a rotation (grants signed with it still pass); checked beside REFUND_TOKEN_SECRET in config.ts.
  REFUND_TOKEN_SECRET_PREVIOUS: { schema: secret },
  MAX_GRANT_TTL: { schema: int(60, 7 * 86_400), fallback: '3600' },
  DATABASE_URL: {
    schema: v.pipe(
      v.string(),
      v.trim(),
      v.regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// URL'),
      // The driver decodes the user and password; a stray % (or an escape that is not UTF-8, %a9) would stop start-up
      // with a URIError's stack trace.
      v.check(
        decodes,
        'has a % that does not decode (not two hex digits, or not UTF-8): write a % in the password as %25',
      ),
      v.check(
        driverReads,
        'cannot be read as a PostgreSQL URL: write a / ? or # in the user or password percent-encoded (%2F %3F %23)',
      ),
    ),
  },
  DATA_DIR: { schema: text, fallback: './.data' },
  ALLOWED_ORIGINS: { schema: v.string(), fallback: '' },
  PUBLIC_ORIGIN: { schema: origin },
  PORT: { schema: int(0, 65_535), fallback: '8787' },
  HOST: { schema: text, fallback: '127.0.0.1' },
  TRUST_PROXY: { schema: hops, fallback: '0' },
  RATE_LIMIT_PER_IP: { schema: int(0, 1_000_000), fallback: '120' },
  RATE_LIMIT_PER_ORDER: { schema: int(0, 1_000_000), fallback: '30' },
  RATE_LIMIT_WEBHOOK_PER_IP: { schema: int(0, 1_000_000), fallback: '120' },
  // Each key's length is checked in config.ts, which can say which one is short without quoting it.
  ADMIN_API_KEYS: { schema: v.string() },
  RATE_LIMIT_ADMIN_PER_KEY: { schema: int(0, 1_000_000), fallback: '600' },
  RATE_LIMIT_STAFF_PER_SUB: { schema: int(0, 1_000_000), fallback: '120' },
  IAMPORT_WEBHOOK_IPS: { schema: ipList, fallback: '' },
  // https:// only; http:// to a loopback host outside production is checked in config.ts, which knows the mode.
  IAMPORT_WEBHOOK_FORWARD_URL: { schema: exactHttpUrl },
  // The loopback-only http:// rule and the pairing with the secret are checked in webhooks/config.ts.
  MERCHANT_WEBHOOK_URL: { schema: urlList },
  // Its form (whsec_ + base64 of at least 24 bytes) is checked in webhooks/config.ts, which decodes it.
  MERCHANT_WEBHOOK_SECRET: { schema: v.string() },
  // The secret before a rotation, signed with too; checked beside MERCHANT_WEBHOOK_SECRET in webhooks/config.ts.
  MERCHANT_WEBHOOK_SECRET_PREVIOUS: { schema: v.string() },
  WEBHOOK_RETRY_SCHEDULE: { schema: secondsList, fallback: '5,300,1800,7200,18000,36000,36000' },
  // Seconds an attempt may stay unsettled before attention.needed is sent (and logged); up to 30 days.
  ATTENTION_AFTER: { schema: int(1, 30 * 86_400), fallback: '600' },
  // Their form (base64 of exactly 32 bytes) is checked in config.ts, which says which one is wrong without quoting it.
  DATA_ENCRYPTION_KEY: { schema: v.string() },
  DATA_ENCRYPTION_KEY_PREVIOUS: { schema: v.string() },
  HEALTH_DETAILS: { schema: bool, fallback: 'false' },
  // The account-holder check before a virtual-account refund (proxy/holders/holder-check.ts).
  VERIFY_REFUND_HOLDER: {
    schema: v.pipe(
      v.string(),
      v.trim(),
      v.toLowerCase(),
      v.picklist(['off', 'when_available', 'required'], 'must be off, when_available or required'),
    ),
    fallback: 'when_available',
  },
  // i'mport's GET /vbanks/holder, undocumented since 2024: used only when the merchant says it answers for them.
  IAMPORT_HOLDER_LOOKUP: { schema: bool, fallback: 'false' },
  SANDBOX_PUBLIC: { schema: bool, fallback: 'false' },
  // Which fake gateway the sandbox runs; read only in the sandbox (live, the credentials choose the gateway).
  SANDBOX_GATEWAY: {
    schema: v.pipe(
      v.string(),
      v.trim(),
      v.toLowerCase(),
      v.picklist(['iamport', 'portone'], "must be iamport (the fake i'mport V1) or portone (the fake PortOne V2)"),
    ),
    fallback: 'iamport',
  },
  // Set but empty is still a secret too short, not "unset": the sandbox never signs with an empty secret.
  SANDBOX_TOKEN_SECRET: { schema: secret, emptyIsSet: true },
  // Set by Deno Deploy, which chooses the listening address itself.
  DENO_DEPLOYMENT_ID: { schema: v.string() },
} as const;

export type VarName = keyof typeof VARS;

export interface VarSpec {
  readonly schema: v.GenericSchema<string, unknown>;
  readonly fallback?: string;
  readonly required?: string;
  readonly emptyIsSet?: boolean;
}
