/**
 * @module readPortOneWebhook(): a V2 webhook, verified by the Standard Webhooks scheme PortOne signs with (webhook
 * guide `opi/ko/integration/webhook/readme-v2.mdx`): `webhook-signature` holds one or more `v1,<base64>` HMAC-SHA256
 * of `<webhook-id>.<webhook-timestamp>.<body>`, keyed by the bytes of the `whsec_` secret, and the timestamp must be
 * within 5 minutes of our clock (a replayed capture is stale). Only then is the body read, and only for the paymentId
 * of a `Transaction.*` event to re-fetch; its figures are never believed.
 */
import * as v from 'valibot';
import { sameBytes } from '../../webhooks/signing.ts';
import type { InboundWebhook, WebhookReading } from '../gateway.ts';

const TOLERANCE_SECONDS = 5 * 60;

const BodySchema = v.object({
  type: v.string(),
  data: v.optional(v.object({ paymentId: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(200))) })),
});

const unverified = (message: string): WebhookReading => ({ kind: 'rejected', reason: 'unverified', message });

const base64ToBytes = (base64: string): Uint8Array<ArrayBuffer> | null => {
  try {
    return Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
  } catch {
    return null;
  }
};

/** The key from the secret, `whsec_<base64>` or the base64 alone; null when it is not base64 (config.ts refuses it). */
export const webhookKeyOf = (secret: string): Uint8Array<ArrayBuffer> | null =>
  base64ToBytes(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret);

export const createPortOneWebhookReader = (options: { readonly secret: string; readonly now: () => number }) => {
  const raw = webhookKeyOf(options.secret);
  const key = raw
    ? crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
    : Promise.resolve(null);

  return async ({ headers, body }: InboundWebhook): Promise<WebhookReading> => {
    const id = headers['webhook-id'];
    const timestamp = headers['webhook-timestamp'];
    const signatures = headers['webhook-signature'];
    if (!id || !timestamp || !signatures)
      return unverified('The webhook is not signed (webhook-id, -timestamp, -signature).');
    if (!/^\d{1,12}$/.test(timestamp)) return unverified('webhook-timestamp is not UNIX seconds.');
    const skew = Math.abs(options.now() / 1000 - Number(timestamp));
    if (skew > TOLERANCE_SECONDS) return unverified('webhook-timestamp is more than 5 minutes from now.');
    const hmacKey = await key;
    if (!hmacKey) return unverified('No usable PORTONE_WEBHOOK_SECRET to verify with.');
    const mac = new Uint8Array(
      await crypto.subtle.sign('HMAC', hmacKey, new TextEncoder().encode(`${id}.${timestamp}.${body}`)),
    );
    const signed = signatures
      .split(' ')
      .filter((part) => part.startsWith('v1,'))
      .some((part) => {
        const given = base64ToBytes(part.slice(3));
        return given !== null && sameBytes(given, mac);
      });
    if (!signed) return unverified('webhook-signature does not match PORTONE_WEBHOOK_SECRET.');
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      return { kind: 'rejected', reason: 'malformed', message: 'The webhook body is not JSON.' };
    }
    const parsed = v.safeParse(BodySchema, json);
    if (!parsed.success) return { kind: 'rejected', reason: 'malformed', message: 'The webhook has no type.' };
    // Billing keys and the rest concern no refund: acknowledged, so PortOne does not send them again.
    if (!parsed.output.type.startsWith('Transaction.')) return { kind: 'ignored' };
    const paymentId = parsed.output.data?.paymentId;
    if (!paymentId) return { kind: 'rejected', reason: 'malformed', message: 'The webhook names no paymentId.' };
    return { kind: 'refetch', paymentId };
  };
};
