/**
 * @module startWebhookReceiver(): a merchant's webhook endpoint on loopback (node:http) for tests. It checks each
 * request with the `standardwebhooks` package (never with the proxy's own signing code) and answers what the test
 * tells it to: up, down (HTTP 503) for the next N requests, or not listening at all.
 */

import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { flood } from './flood.ts';

export interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** What `new Webhook(secret).verify(body, headers)` returned, or null when it threw. */
  readonly verified: unknown;
  readonly verifyError: string | null;
  /** The status the receiver answered. */
  readonly answered: number;
}

export interface WebhookReceiver {
  readonly url: string;
  readonly received: Received[];
  /** Answer 503 to the next `n` requests. */
  failNext(n: number): void;
  /** Answer every request after `ms` (0: at once). */
  slow(ms: number): void;
  /** The most requests for one webhook-id it was answering at the same time. */
  maxConcurrentPerId(): number;
  /** Never answer the next `n` requests (their status is recorded as 0): a delivery in flight. */
  holdNext(n: number): void;
  /** Answer the next `n` requests `status` (200 unless told) with a body of `bytes`: a receiver that says far too much. */
  floodNext(n: number, bytes: number, status?: number): void;
  /** Answer 503 to every request until told otherwise. */
  down(): void;
  up(): void;
  close(): Promise<void>;
}

const headerRecord = (headers: IncomingHttpHeaders): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v]] : [])));

export const startWebhookReceiver = async (secret: string): Promise<WebhookReceiver> => {
  const received: Received[] = [];
  const verifier = new Webhook(secret);
  let failures = 0;
  let holds = 0;
  let floods = 0;
  let floodBytes = 0;
  let floodStatus = 200;
  let delayMs = 0;
  let maxConcurrent = 0;
  const inFlight = new Map<string, number>();
  let alwaysDown = false;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let verified: unknown = null;
      let verifyError: string | null = null;
      try {
        verified = verifier.verify(body, headerRecord(req.headers));
      } catch (error) {
        verifyError = String(error);
      }
      if (holds > 0) {
        holds -= 1;
        received.push({ headers: req.headers, body, verified, verifyError, answered: 0 });
        return;
      }
      if (floods > 0) {
        floods -= 1;
        received.push({ headers: req.headers, body, verified, verifyError, answered: floodStatus });
        return flood(res, floodBytes, floodStatus);
      }
      const failing = alwaysDown || failures > 0;
      if (failures > 0) failures -= 1;
      const answered = failing ? 503 : verifyError ? 400 : 204;
      received.push({ headers: req.headers, body, verified, verifyError, answered });
      const id = String(req.headers['webhook-id']);
      inFlight.set(id, (inFlight.get(id) ?? 0) + 1);
      maxConcurrent = Math.max(maxConcurrent, inFlight.get(id) ?? 0);
      setTimeout(() => {
        inFlight.set(id, (inFlight.get(id) ?? 1) - 1);
        res.writeHead(answered).end();
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/refunds`,
    received,
    failNext: (n) => {
      failures = n;
    },
    slow: (ms) => {
      delayMs = ms;
    },
    maxConcurrentPerId: () => maxConcurrent,
    holdNext: (n) => {
      holds = n;
    },
    floodNext: (n, bytes, status = 200) => {
      floods = n;
      floodBytes = bytes;
      floodStatus = status;
    },
    down: () => {
      alwaysDown = true;
    },
    up: () => {
      alwaysDown = false;
      failures = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
