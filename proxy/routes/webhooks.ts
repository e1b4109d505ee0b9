/**
 * @module POST <the gateway's webhook path> (/webhooks/iamport for i'mport V1): the gateway's notification. The
 * gateway reads it (Gateway.readWebhook: its shape, its signature where it has one) and names the payment to
 * re-fetch; the body is trusted for nothing else, and the ledger is updated from the gateway's own answer. Anyone can
 * call it, so it is cheap to refuse (sender allow-list, a limit per client IP, the gateway's reading before any call),
 * shares a payment's lookups among the notifications that arrive while one waits its turn (a burst for one payment costs
 * two lookups, not one each: refunds/coalescer.ts), and answers nothing about the payment.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import type { AppDeps } from '../app-deps.ts';
import { AppError } from '../errors.ts';
import { rateLimit } from '../middleware/rate-limit.ts';
import { parseIp, rateGroupOf } from '../net/ip.ts';
import { createWebhookSync } from '../refunds/index.ts';

/**
 * With IAMPORT_WEBHOOK_IPS set (i'mport V1 only: config.ts refuses it on PortOne V2, whose webhooks are signed), only
 * those senders get past; refused before any count, parse or call.
 */
const senderAllowList = ({ webhookIps, clientIp }: Pick<AppDeps, 'webhookIps' | 'clientIp'>): MiddlewareHandler => {
  const allowed = new Set(webhookIps.map((ip) => parseIp(ip)?.address ?? ip));
  return async function senderAllowList(c, next) {
    if (allowed.size > 0 && !allowed.has(parseIp(clientIp(c))?.address ?? '')) {
      throw new AppError('FORBIDDEN', 'This sender may not call the webhook.');
    }
    await next();
  };
};

/** The gateway's signature headers the webhook came with, to go on with it (the shop verifies them, not us). */
const signatureHeadersOf = (names: readonly string[], sent: Record<string, string>): Record<string, string> =>
  Object.fromEntries(names.flatMap((name) => (sent[name] === undefined ? [] : [[name, sent[name]]])));

export const webhookRoutes = (deps: AppDeps) => {
  // A payment's notifications share the lookup waiting its turn, however many name it (sync-from-webhook.ts).
  const sync = createWebhookSync(deps);
  const path = deps.gateway.webhookPath;

  return new Hono()
    .use(path, senderAllowList(deps))
    .use(
      path,
      rateLimit({
        // With IAMPORT_WEBHOOK_IPS set, every sender that gets here is i'mport itself, which never sends again a
        // webhook answered 4xx (iamport-v1.md §6: re-delivery only after a network error or a 5xx): a limit would
        // only lose its notifications in a busy hour. The limit is for senders nobody vouched for.
        limit: deps.webhookIps.length > 0 ? 0 : deps.rateLimit.webhookPerIp,
        windowMs: 60_000,
        now: deps.now,
        key: (c) => `webhook:${rateGroupOf(deps.clientIp(c))}`,
      }),
    )
    .post(path, async (c) => {
      const text = await c.req.text();
      const type = c.req.header('Content-Type');
      const reading = await deps.gateway.readWebhook({ headers: c.req.header(), body: text });
      if (reading.kind === 'rejected') {
        throw new AppError(reading.reason === 'unverified' ? 'UNAUTHORIZED' : 'INVALID_REQUEST', reading.message);
      }
      // Whatever the proxy made of it, the shop's own handler gets the webhook as the gateway sent it, after the
      // answer: one of a type the proxy has no use for (PortOne V2's BillingKey.*) too, which the gateway, answered
      // 200, never sends again.
      const forward = (impUid: string) => {
        if (!deps.forwardWebhook) return;
        const headers = signatureHeadersOf(deps.gateway.signatureHeaders, c.req.header());
        deps.background.keep(deps.forwardWebhook({ body: text, contentType: type ?? '', headers, impUid }));
      };
      if (reading.kind === 'ignored') {
        forward('');
        return c.json({ ok: true });
      }
      // The gateway's own id for the payment (i'mport's imp_uid).
      const impUid = reading.paymentId;
      try {
        const outcome = await sync(impUid);
        // UPSTREAM_UNAVAILABLE is a 503, which makes i'mport deliver again (when the merchant asked it to retry).
        if (outcome.kind === 'failed') throw new AppError(outcome.code, outcome.message);
        return c.json({ ok: true });
      } finally {
        forward(impUid);
      }
    });
};
