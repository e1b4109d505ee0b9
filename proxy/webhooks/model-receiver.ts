/**
 * @module startModelReceiver(): the merchant's endpoint for model.test.ts, on loopback (node:http). Each request is
 * answered as the next behaviour in a list the test draws says (cycled): 200, 204, a redirect, 4xx, 5xx, an answer
 * after the proxy's timeout, no answer at all, a reset connection, or 200 after reading the body slowly; or, for a
 * while, every request one way (503 while it is down). It records what it saw (on the test's clock), which secrets
 * each signature was made with (checked with the `standardwebhooks` package's signing, not the proxy's, against the
 * header's own timestamp: the test's clock runs days ahead of the library's 5-minute window), and how many requests
 * for one webhook-id it held at once.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export const BEHAVIOURS = [
  'ok200',
  'ok204',
  'redirect',
  'client4xx',
  'server5xx',
  'slow',
  'silent',
  'reset',
  'slowRead',
] as const;
export type Behaviour = (typeof BEHAVIOURS)[number];

export interface Seen {
  /** Which of the receiver's URLs (the last part of its path: `a` or `b`). */
  readonly path: string;
  readonly id: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The test clock when the request arrived (epoch ms). */
  readonly at: number;
  readonly behaviour: Behaviour;
  /** What the proxy should have recorded: the status answered in time, or null (timeout, reset, no answer). */
  readonly status: number | null;
  /** Per `v1,` entry of webhook-signature: the index (in `secrets`) of the secret that made it, or -1. */
  readonly signedWith: readonly number[];
}

export interface ModelReceiver {
  /** Its URLs: this with `a` or `b` appended. */
  readonly base: string;
  readonly seen: Seen[];
  /** Requests that reached anything but the webhook path (a followed redirect, say). */
  readonly strays: string[];
  /** The most requests for one webhook-id to one of its URLs it held at the same time. */
  maxConcurrentPerId(): number;
  /** Every request answered as `behaviour` (503 while it is down, say), the list not moved on, until set to null. */
  answerAll(behaviour: Behaviour | null): void;
  close(): Promise<void>;
}

export interface ModelReceiverOptions {
  /** Every secret the test ever configured; signatures are checked against each. */
  readonly secrets: readonly string[];
  readonly behaviours: readonly Behaviour[];
  /** The proxy's delivery timeout: 'slow' answers well after it, 'slowRead' well before it. */
  readonly timeoutMs: number;
  readonly now: () => number;
}

const headerRecord = (headers: IncomingHttpHeaders): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v]] : [])));

export const startModelReceiver = async (options: ModelReceiverOptions): Promise<ModelReceiver> => {
  const seen: Seen[] = [];
  const strays: string[] = [];
  const signers = options.secrets.map((secret) => new Webhook(secret));
  const behaviours = options.behaviours.length > 0 ? options.behaviours : (['ok204'] as const);
  let next = 0;
  let all: Behaviour | null = null;
  const inFlight = new Map<string, number>();
  let maxConcurrent = 0;
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };

  const signedWith = (headers: Record<string, string>, body: string): number[] => {
    const id = headers['webhook-id'] ?? '';
    const timestamp = new Date(Number(headers['webhook-timestamp']) * 1000);
    const expected = signers.map((signer) => signer.sign(id, timestamp, body));
    return (headers['webhook-signature'] ?? '').split(' ').map((entry) => expected.indexOf(entry));
  };

  const answer = (res: ServerResponse, status: number, extra: Record<string, string> = {}) => {
    if (!res.destroyed && !res.writableEnded) res.writeHead(status, extra).end();
  };

  const server = createServer((req, res) => {
    const path = /^\/hooks\/refunds\/([ab])$/.exec(req.url ?? '')?.[1];
    if (path === undefined) {
      strays.push(`${req.method} ${req.url}`);
      req.resume();
      answer(res, 204);
      return;
    }
    const at = options.now();
    const behaviour = all ?? behaviours[next % behaviours.length]!;
    if (all === null) next += 1;
    const headers = headerRecord(req.headers);
    const id = headers['webhook-id'] ?? '';
    // Per URL: a round POSTs an event to each URL at once.
    const key = `${path} ${id}`;
    inFlight.set(key, (inFlight.get(key) ?? 0) + 1);
    maxConcurrent = Math.max(maxConcurrent, inFlight.get(key) ?? 0);
    let open = true;
    // Held until the answer is written or the proxy lets go (its timeout, or our reset).
    const release = () => {
      if (!open) return;
      open = false;
      inFlight.set(key, (inFlight.get(key) ?? 1) - 1);
    };
    res.on('close', release);
    res.on('finish', release);
    const read = (then: (body: string) => void) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => then(Buffer.concat(chunks).toString('utf8')));
    };
    const record = (body: string, status: number | null) =>
      seen.push({ path, id, body, headers, at, behaviour, status, signedWith: signedWith(headers, body) });
    const slowReadMs = Math.round(options.timeoutMs / 8);
    if (behaviour === 'slowRead') {
      // Nothing read for a while (the proxy's body waits in the socket), then read and answered 200, in time.
      req.pause();
      later(slowReadMs, () => {
        read((body) => {
          record(body, 200);
          answer(res, 200);
        });
        req.resume();
      });
      return;
    }
    read((body) => {
      switch (behaviour) {
        case 'ok200':
          record(body, 200);
          return answer(res, 200);
        case 'ok204':
          record(body, 204);
          return answer(res, 204);
        case 'redirect': {
          const { port } = server.address() as AddressInfo;
          record(body, 307);
          return answer(res, 307, { Location: `http://127.0.0.1:${port}/elsewhere` });
        }
        case 'client4xx':
          record(body, 400);
          return answer(res, 400);
        case 'server5xx':
          record(body, 503);
          return answer(res, 503);
        case 'slow':
          // A 200 the proxy no longer waits for: its POST timed out long before.
          record(body, null);
          return later(options.timeoutMs * 3, () => answer(res, 200));
        case 'silent':
          record(body, null);
          return;
        case 'reset':
          record(body, null);
          req.socket.destroy();
          return;
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}/hooks/refunds/`,
    seen,
    strays,
    maxConcurrentPerId: () => maxConcurrent,
    answerAll: (behaviour) => {
      all = behaviour;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
