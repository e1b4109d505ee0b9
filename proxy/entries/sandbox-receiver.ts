/**
 * @module Merchant webhooks in the Node sandbox: unless MERCHANT_WEBHOOK_URL and its secret are set, the outbox
 * delivers to the sandbox's own receiver (sandbox/webhook-receiver.ts), served here over loopback HTTP so each event
 * goes the real way: the dispatcher, its signature, its timeout and its retries.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Config } from '../config.ts';
import { consoleLog, type Log } from '../log-line.ts';
import type { SandboxWebhooks } from '../sandbox/routes.ts';
import { createSandboxReceiver, loadStandardWebhooks, type SandboxReceiver } from '../sandbox/webhook-receiver.ts';

export interface ServedReceiver {
  /** Where the outbox posts, e.g. `http://127.0.0.1:54321/webhooks`. */
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `receiver` on an ephemeral loopback port; it answers POST /webhooks only. */
export const serveSandboxReceiver = (receiver: SandboxReceiver): Promise<ServedReceiver> =>
  new Promise((resolve, reject) => {
    const server = serve(
      {
        port: 0,
        hostname: '127.0.0.1',
        fetch: (request) =>
          request.method === 'POST' && new URL(request.url).pathname === '/webhooks'
            ? receiver.fetch(request)
            : new Response('Not found', { status: 404 }),
      },
      (info: AddressInfo) => {
        server.off('error', reject);
        resolve({
          url: `http://127.0.0.1:${info.port}/webhooks`,
          close: () =>
            new Promise<void>((done) => {
              server.close(() => done());
              if ('closeAllConnections' in server) server.closeAllConnections();
            }),
        });
      },
    );
    server.once('error', reject);
  });

export interface SandboxWebhookSetup {
  /** The configuration with the outbox pointed at the receiver (or left as the merchant set it, or off). */
  readonly config: Config;
  /** What the demo page shows. */
  readonly webhooks: SandboxWebhooks;
  /** The sandbox receiver's URL, for the banner; null when events go elsewhere or nowhere. */
  readonly url: string | null;
  close(): Promise<void>;
}

/**
 * config.ts gives the sandbox a fresh `whsec_` secret and no URL when MERCHANT_WEBHOOK_URL is unset: the receiver
 * started here verifies with that secret, and its URL is filled in. Without the `standardwebhooks` package (a
 * production install) the sandbox runs without webhooks, and says so.
 */
export const startSandboxWebhooks = async (config: Config, log: Log = consoleLog): Promise<SandboxWebhookSetup> => {
  const webhooks = config.merchantWebhooks;
  const none = async () => undefined;
  if (webhooks && webhooks.urls.length > 0) {
    return { config, webhooks: { kind: 'merchant' }, url: null, close: none };
  }
  const verify = webhooks ? await loadStandardWebhooks(webhooks.secret) : null;
  if (!webhooks || !verify) {
    log({
      level: 'warn',
      msg:
        'sandbox: the standardwebhooks package is not installed (a production install), so merchant webhooks are ' +
        'off; run npm install for the sandbox receiver',
    });
    return { config: { ...config, merchantWebhooks: null }, webhooks: { kind: 'off' }, url: null, close: none };
  }
  const receiver = createSandboxReceiver({ verify, now: Date.now });
  const served = await serveSandboxReceiver(receiver);
  return {
    config: { ...config, merchantWebhooks: { ...webhooks, urls: [served.url] } },
    webhooks: { kind: 'receiver', receiver },
    url: served.url,
    close: served.close,
  };
};
