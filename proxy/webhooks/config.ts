/**
 * @module merchantWebhooksOf(): MERCHANT_WEBHOOK_URL, MERCHANT_WEBHOOK_SECRET, MERCHANT_WEBHOOK_SECRET_PREVIOUS and
 * WEBHOOK_RETRY_SCHEDULE as parseConfig (config.ts) read them, checked together: URL and secret both or neither, https
 * except loopback http outside production, secrets that decode to enough bytes, a previous secret only beside a
 * current one. The environment itself is read only by config.ts.
 */
import { isLoopbackUrl } from '../net/ip.ts';
import { decodeSecret, sameBytes } from './signing.ts';

export interface MerchantWebhooks {
  readonly urls: readonly string[];
  /** `whsec_` + base64; webhooks/signing.ts decodes it. */
  readonly secret: string;
  /** The secret before a rotation: every event is signed with it too, until it is unset. */
  readonly previousSecret?: string;
  /** The waits before the 2nd, 3rd, … delivery rounds; after the last round the event is failed. */
  readonly retryDelaysMs: readonly number[];
  /** How long a POST may take (15 s unless set); no variable sets it, tests shorten it to see a timeout. */
  readonly timeoutMs?: number;
}

export interface MerchantWebhookVars {
  readonly urls: readonly string[] | undefined;
  readonly secret: string | undefined;
  readonly previousSecret: string | undefined;
  readonly scheduleSeconds: readonly number[] | undefined;
}

/** The webhooks' configuration, or null when neither variable is set; adds a line to `problems` for each mistake. */
export const merchantWebhooksOf = (
  vars: MerchantWebhookVars,
  present: { readonly url: boolean; readonly secret: boolean; readonly previousSecret: boolean },
  production: boolean,
  problems: string[],
): MerchantWebhooks | null => {
  if (present.previousSecret && !present.secret) {
    problems.push(
      'MERCHANT_WEBHOOK_SECRET_PREVIOUS is set, but MERCHANT_WEBHOOK_SECRET is not: set the new secret beside the old one',
    );
  }
  if (!present.url && !present.secret) return null;
  if (!present.secret) {
    problems.push('MERCHANT_WEBHOOK_SECRET is not set, but MERCHANT_WEBHOOK_URL is: set both (npm run webhook-secret)');
  }
  if (!present.url) problems.push('MERCHANT_WEBHOOK_URL is not set, but MERCHANT_WEBHOOK_SECRET is: set both');
  const current = vars.secret !== undefined && present.secret ? decodeSecret(vars.secret.trim()) : undefined;
  if (current && 'problem' in current) {
    problems.push(`MERCHANT_WEBHOOK_SECRET ${current.problem} (npm run webhook-secret)`);
  }
  const previous = present.previousSecret ? vars.previousSecret?.trim() : undefined;
  if (previous !== undefined) {
    const decoded = decodeSecret(previous);
    if ('problem' in decoded) problems.push(`MERCHANT_WEBHOOK_SECRET_PREVIOUS ${decoded.problem}`);
    // Compared as keys: the same bytes spelt another way in base64 (padding, say) are the same secret.
    else if (current && 'key' in current && sameBytes(decoded.key, current.key)) {
      problems.push(
        'MERCHANT_WEBHOOK_SECRET_PREVIOUS is the same as MERCHANT_WEBHOOK_SECRET: set it to the old secret',
      );
    }
  }
  for (const [i, url] of (vars.urls ?? []).entries()) {
    // Named without its query: a receiver's token may be in it, and start-up messages land in logs.
    const named = url.split(/[?#]/)[0];
    // Listed twice, every event would be POSTed to it twice at once: compared as URLs (host case, a default port).
    const same = (other: string) =>
      URL.canParse(other) && URL.canParse(url) && new URL(other).href === new URL(url).href;
    if ((vars.urls ?? []).findIndex((other) => other === url || same(other)) !== i) {
      problems.push(`MERCHANT_WEBHOOK_URL lists ${named} twice`);
    }
    if (url.startsWith('https://')) continue;
    if (!isLoopbackUrl(url)) {
      problems.push(`MERCHANT_WEBHOOK_URL ${named} must start with https:// (http:// only to a loopback address)`);
    } else if (production) {
      problems.push(`MERCHANT_WEBHOOK_URL ${named} must start with https:// in production`);
    }
  }
  if (!vars.urls || !vars.secret || !vars.scheduleSeconds) return null;
  return {
    urls: vars.urls,
    secret: vars.secret.trim(),
    ...(previous === undefined ? {} : { previousSecret: previous }),
    retryDelaysMs: vars.scheduleSeconds.map((seconds) => seconds * 1000),
  };
};
