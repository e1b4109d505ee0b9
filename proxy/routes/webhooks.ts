/**
 * @module POST /webhooks/iamport: i'mport's notification. V1 webhooks are unsigned, so the body is trusted for
 * nothing but the imp_uid to re-fetch; the ledger is updated from i'mport's own answer.
 */
import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppDeps } from '../app-deps.ts';
import { AppError } from '../errors.ts';
import { withLease } from '../refunds/lease.ts';
import { refreshPayment } from '../refunds/ledger-sync.ts';
import { isUnsettled, settleAttempts } from '../refunds/settle.ts';

const WebhookSchema = v.object({ imp_uid: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(32)) });

const readBody = async (req: Request): Promise<unknown> => {
  const type = req.headers.get('Content-Type') ?? '';
  if (/^application\/x-www-form-urlencoded\b/i.test(type)) return Object.fromEntries(new URLSearchParams(await req.text()));
  if (/^application\/json\b/i.test(type)) {
    try {
      return JSON.parse(await req.text());
    } catch {
      return null;
    }
  }
  return null;
};

export const webhookRoutes = (deps: AppDeps) =>
  new Hono().post('/webhooks/iamport', async (c) => {
    const body = v.safeParse(WebhookSchema, await readBody(c.req.raw));
    if (!body.success) throw new AppError('INVALID_REQUEST', 'Expected a JSON or form body with imp_uid.');
    const fresh = await refreshPayment(deps, body.output.imp_uid);
    // A 5xx makes i'mport deliver again (when the merchant asked it to retry).
    if (fresh.kind === 'unavailable') throw new AppError('UPSTREAM_UNAVAILABLE', `i'mport could not be reached (${fresh.detail}).`);
    if (fresh.kind === 'not_found') throw new AppError('PAYMENT_NOT_FOUND', 'i\'mport knows no such payment.');
    const payment = fresh.payment;
    // Settle attempts left unknown (e.g. by a crash), unless a refund of this order is running right now.
    await withLease({ ...deps, leaseWaitMs: 0 }, `order:${payment.merchant_uid}`, async () => {
      const attempts = await deps.store.listAttempts(payment.merchant_uid);
      if (attempts.some(isUnsettled)) await settleAttempts(deps, payment, attempts);
      return { value: undefined };
    });
    return c.json({ ok: true, merchant_uid: payment.merchant_uid, imp_uid: payment.imp_uid, status: payment.status, cancel_amount: payment.cancel_amount });
  });
