/**
 * @module POST /webhooks/iamport: i'mport's notification. V1 webhooks are unsigned, so the body is trusted for
 * nothing but the imp_uid to re-fetch; the ledger is updated from i'mport's own answer. Anyone can call it, so it is
 * cheap to refuse (sender allow-list, a limit per client IP, an imp_uid of i'mport's shape before any call), costs at
 * most one i'mport lookup per payment every 2 s, and answers nothing about the payment.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import * as v from 'valibot';
import type { AppDeps } from '../app-deps.ts';
import { AppError } from '../errors.ts';
import { isJsonContentType, mediaTypeOf } from '../http/content-type.ts';
import { rateLimit } from '../middleware/rate-limit.ts';
import { parseIp, rateGroupOf } from '../net/ip.ts';
import { createWebhookSync } from '../refunds/index.ts';

const PATH = '/webhooks/iamport';

// i'mport's imp_uid is `imp_` and 12 digits; more alphanumerics are allowed, to 40 characters in all. Nothing else
// (`.`, `..`, a slash, a query) ever reaches i'mport as a path segment.
const ImpUidSchema = v.pipe(v.string(), v.trim(), v.maxLength(40), v.regex(/^imp_[0-9A-Za-z]{12,}$/));
const WebhookSchema = v.object({ imp_uid: ImpUidSchema });

const parseBody = (text: string, type: string | undefined): unknown => {
  if (mediaTypeOf(type) === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(text));
  if (isJsonContentType(type)) {
    try {
      return JSON.parse(text);
    } catch {
      return null;
    }
  }
  return null;
};

/** With IAMPORT_WEBHOOK_IPS set, only those senders get past; refused before any count, parse or call. */
const senderAllowList = ({ webhookIps, clientIp }: Pick<AppDeps, 'webhookIps' | 'clientIp'>): MiddlewareHandler => {
  const allowed = new Set(webhookIps.map((ip) => parseIp(ip)?.address ?? ip));
  return async function senderAllowList(c, next) {
    if (allowed.size > 0 && !allowed.has(parseIp(clientIp(c))?.address ?? '')) {
      throw new AppError('FORBIDDEN', 'This sender may not call the webhook.');
    }
    await next();
  };
};

export const webhookRoutes = (deps: AppDeps) => {
  // One i'mport lookup per payment every 2 s, however many notifications name it.
  const sync = createWebhookSync(deps);

  return new Hono()
    .use(PATH, senderAllowList(deps))
    .use(
      PATH,
      rateLimit({
        limit: deps.rateLimit.webhookPerIp,
        windowMs: 60_000,
        now: deps.now,
        key: (c) => `webhook:${rateGroupOf(deps.clientIp(c))}`,
      }),
    )
    .post(PATH, async (c) => {
      const text = await c.req.text();
      const type = c.req.header('Content-Type');
      const body = v.safeParse(WebhookSchema, parseBody(text, type));
      if (!body.success) throw new AppError('INVALID_REQUEST', "Expected a JSON or form body with an i'mport imp_uid.");
      const impUid = body.output.imp_uid;
      try {
        const outcome = await sync(impUid);
        // UPSTREAM_UNAVAILABLE is a 503, which makes i'mport deliver again (when the merchant asked it to retry).
        if (outcome.kind === 'failed') throw new AppError(outcome.code, outcome.message);
        return c.json({ ok: true });
      } finally {
        // Whatever the proxy made of it, the shop's own handler gets the webhook as i'mport sent it, after the answer.
        if (deps.forwardWebhook)
          deps.background.keep(deps.forwardWebhook({ body: text, contentType: type ?? '', impUid }));
      }
    });
};
