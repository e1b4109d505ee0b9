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
import { withLease } from '../refunds/lease.ts';
import { refreshPayment } from '../refunds/ledger-sync.ts';
import { isUnsettled, settleAttempts } from '../refunds/settle.ts';
import { createCoalescer } from './coalescer.ts';

const PATH = '/webhooks/iamport';

// i'mport's imp_uid is `imp_` and 12 digits; more alphanumerics are allowed, to 40 characters in all. Nothing else
// (`.`, `..`, a slash, a query) ever reaches i'mport as a path segment.
const ImpUidSchema = v.pipe(v.string(), v.trim(), v.maxLength(40), v.regex(/^imp_[0-9A-Za-z]{12,}$/));
const WebhookSchema = v.object({ imp_uid: ImpUidSchema });

/** Notifications for one payment within this long share one lookup (i'mport may deliver twice; a caller may flood). */
const COALESCE_MS = 2_000;
const COALESCE_MAX_KEYS = 10_000;

const readBody = async (req: Request): Promise<unknown> => {
  const type = req.headers.get('Content-Type');
  if (mediaTypeOf(type) === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(await req.text()));
  if (isJsonContentType(type)) {
    try {
      return JSON.parse(await req.text());
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

type Synced = 'ok' | 'not_found' | 'unavailable';

export const webhookRoutes = (deps: AppDeps) => {
  const coalescer = createCoalescer<Synced>({ windowMs: COALESCE_MS, maxKeys: COALESCE_MAX_KEYS, now: deps.now });

  /** Re-fetches the payment, stores it, and settles attempts a crash left unknown; shared by coalesced callers. */
  const sync = async (impUid: string): Promise<Synced> => {
    const fresh = await refreshPayment(deps, impUid);
    if (fresh.kind === 'unavailable') {
      // The detail (hosts, ports, i'mport's text) is for the operator, never for the caller.
      deps.log({ level: 'warn', msg: 'webhook: i\'mport lookup failed', imp_uid: impUid, reason: fresh.reason ?? null, detail: fresh.detail });
      return 'unavailable';
    }
    if (fresh.kind === 'not_found') return 'not_found';
    const payment = fresh.payment;
    // Only a webhook brings a payment the order is not tied to (a retried checkout, a second attempt): the ledger keeps
    // it beside the order's own (store.upsertPayment), never in its place; the shop hears of it here.
    const tied = await deps.store.tiedImpUid(payment.merchant_uid);
    if (tied !== null && tied !== payment.imp_uid) {
      deps.log({
        level: 'warn',
        msg: 'another payment for an order tied to an earlier one; recorded, not shown',
        merchant_uid: payment.merchant_uid,
        imp_uid: payment.imp_uid,
        tied_imp_uid: tied,
      });
    }
    // Settle attempts left unknown (e.g. by a crash), unless a refund of this order is running right now.
    await withLease({ ...deps, leaseWaitMs: 0 }, `order:${payment.merchant_uid}`, async () => {
      const attempts = await deps.store.listAttempts(payment.merchant_uid);
      if (attempts.some(isUnsettled)) await settleAttempts(deps, payment, attempts);
      return { value: undefined };
    });
    return 'ok';
  };

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
      const body = v.safeParse(WebhookSchema, await readBody(c.req.raw));
      if (!body.success) throw new AppError('INVALID_REQUEST', 'Expected a JSON or form body with an i\'mport imp_uid.');
      const impUid = body.output.imp_uid;
      const synced = await coalescer.run(impUid, () => sync(impUid));
      // A 5xx makes i'mport deliver again (when the merchant asked it to retry).
      if (synced === 'unavailable') throw new AppError('UPSTREAM_UNAVAILABLE', 'i\'mport could not be reached; try again later.');
      if (synced === 'not_found') throw new AppError('PAYMENT_NOT_FOUND');
      return c.json({ ok: true });
    });
};
