/**
 * @module Webhooks the fake sends, as V2 does (webhook guide `opi/ko/integration/webhook/readme-v2.mdx`, version
 * 2024-04-25): a `{ type, timestamp, data }` body signed by the Standard Webhooks scheme (`webhook-id`,
 * `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, keyed by the decoded
 * bytes of the `whsec_` secret). One attempt each: PortOne's retries are not modelled.
 */

export interface WebhookTarget {
  readonly url: string;
  /** `whsec_<base64>`. */
  readonly secret: string;
}

/** The `Transaction.*` types the fake sends (the guide lists more). */
export type WebhookType = 'Transaction.Cancelled' | 'Transaction.PartialCancelled' | 'Transaction.CancelPending';

export interface WebhookData {
  readonly paymentId: string;
  readonly storeId: string;
  readonly transactionId: string;
  readonly cancellationId: string;
}

export interface WebhookDelivery {
  readonly id: string;
  readonly type: WebhookType;
  /** The exact body sent (what was signed). */
  readonly body: string;
  readonly url: string;
  /** The receiver's HTTP status; 0 until it answers, or when the request failed. */
  status: number;
  error?: string;
}

export interface WebhookOutbox {
  target: WebhookTarget | undefined;
  /** Signs and sends in the background; nothing when no target is set. */
  send(type: WebhookType, data: WebhookData): void;
  readonly deliveries: readonly WebhookDelivery[];
  /** Resolves when every delivery started so far has finished. */
  flush(): Promise<void>;
  clear(): void;
}

const base64ToBytes = (base64: string): Uint8Array<ArrayBuffer> =>
  Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));

const bytesToBase64 = (bytes: ArrayBuffer): string => btoa(String.fromCharCode(...new Uint8Array(bytes)));

/** `v1,<signature>` for one message, as the `standardwebhooks` package computes it. */
export const signWebhook = async (secret: string, id: string, timestampSec: number, body: string): Promise<string> => {
  const key = await crypto.subtle.importKey(
    'raw',
    base64ToBytes(secret.replace(/^whsec_/, '')),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${id}.${timestampSec}.${body}`));
  return `v1,${bytesToBase64(mac)}`;
};

export const createWebhookOutbox = (options: {
  now: () => number;
  target: WebhookTarget | undefined;
  fetch: typeof fetch | undefined;
}): WebhookOutbox => {
  const deliveries: WebhookDelivery[] = [];
  const inFlight = new Set<Promise<void>>();
  // One after the other, in the order they happened (a request's CancelPending before its settling's PartialCancelled),
  // as they arrive from PortOne, seconds apart: sent at once, the async signing could let the later one overtake.
  let tail: Promise<void> = Promise.resolve();
  const deliver = async (delivery: WebhookDelivery, target: WebhookTarget, timestampSec: number) => {
    const send = options.fetch ?? fetch;
    try {
      const response = await send(target.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': delivery.id,
          'webhook-timestamp': String(timestampSec),
          'webhook-signature': await signWebhook(target.secret, delivery.id, timestampSec, delivery.body),
        },
        body: delivery.body,
        // PortOne gives a receiver 30 s (portone-v2.md, "Webhooks").
        signal: AbortSignal.timeout(30_000),
      });
      await response.body?.cancel();
      delivery.status = response.status;
    } catch (error) {
      delivery.error = error instanceof Error ? error.message : String(error);
    }
  };
  const outbox: WebhookOutbox = {
    target: options.target,
    send(type, data) {
      const target = outbox.target;
      if (!target) return;
      const nowMs = options.now();
      const body = JSON.stringify({ type, timestamp: new Date(nowMs).toISOString(), data });
      const delivery: WebhookDelivery = { id: `msg_${crypto.randomUUID()}`, type, body, url: target.url, status: 0 };
      deliveries.push(delivery);
      const job = tail
        .then(() => deliver(delivery, target, Math.floor(nowMs / 1000)))
        .finally(() => inFlight.delete(job));
      tail = job;
      inFlight.add(job);
    },
    deliveries,
    flush: async () => {
      while (inFlight.size > 0) await Promise.all(inFlight);
    },
    clear: () => void (deliveries.length = 0),
  };
  return outbox;
};
