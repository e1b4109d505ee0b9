/**
 * @module nodeFetch(): the i'mport client's HTTP for Node, over node:http(s) with keep-alive connections.
 * Node's built-in `fetch` does more per call than node:http (streams, a full Response, AbortSignal plumbing), on every
 * refund: switching took 0.2 ms off the proxy's overhead (`npm run bench -- overhead`, PostgreSQL, concurrency 1; see
 * docs/BENCHMARKS.md). Edge runtimes keep their own `fetch`.
 * It reads the whole answer before resolving, so a connection lost mid-answer rejects, as `fetch` does when its
 * body is read, and the client treats both alike (an outcome it must check). An answer longer than MAX_ANSWER_BYTES
 * resolves with its status and a text() that rejects (AnswerTooLarge), its connection dropped.
 */
import http from 'node:http';
import https from 'node:https';
import { AnswerTooLarge, MAX_ANSWER_BYTES } from '../net/answer-text.ts';
import type { FetchedResponse, FetchInit, FetchLike } from '../net/fetch-like.ts';

export interface NodeFetch extends FetchLike {
  /** Closes idle keep-alive connections (at shutdown). */
  close(): void;
}

/** How long an idle keep-alive connection is kept when the server gives no hint: under nginx's default (75 s). */
const IDLE_MS = 30_000;

export const createNodeFetch = (): NodeFetch => {
  // Keep-alive, as `fetch` does: a new TCP (and TLS) connection per call would cost far more than it saves. An idle
  // connection is let go a second before the server's own keep-alive timeout (its `Keep-Alive: timeout=` hint) or
  // after IDLE_MS: a call sent on a connection the server is closing fails ("socket hang up"), a webhook attempt lost
  // or a cancel whose outcome is then unknown. Node's agent reads the hint only when it has a timeout of its own.
  const options = { keepAlive: true, timeout: IDLE_MS };
  const agents = { http: new http.Agent(options), https: new https.Agent(options) };

  const request = (url: string, init: FetchInit): Promise<FetchedResponse> =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      const secure = target.protocol === 'https:';
      if (!secure && target.protocol !== 'http:') throw new TypeError(`nodeFetch: unsupported URL ${target.protocol}`);
      const headers: Record<string, string | number> = { ...init.headers };
      if (init.body !== undefined) headers['Content-Length'] = Buffer.byteLength(init.body);
      const options = { method: init.method, headers, signal: init.signal, agent: secure ? agents.https : agents.http };
      const onAnswer = (res: http.IncomingMessage): void => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          // Past the cap the connection is dropped, not read on (answer-text.ts says why). The status stands, as where
          // a Web Response is read through answerText(): only the text is refused.
          if (size > MAX_ANSWER_BYTES) {
            resolve({ status: res.statusCode ?? 0, text: () => Promise.reject(new AnswerTooLarge()) });
            req.destroy();
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, text: async () => text });
        });
        res.on('error', reject);
        res.on('close', () => {
          if (!res.complete) reject(new Error('the connection closed before the whole answer arrived'));
        });
      };
      const req = secure ? https.request(target, options, onAnswer) : http.request(target, options, onAnswer);
      // An aborted signal surfaces here as an AbortError, which the client reads as a timeout.
      req.on('error', reject);
      req.end(init.body);
    });

  return Object.assign(request, {
    close: () => {
      agents.http.destroy();
      agents.https.destroy();
    },
  });
};
