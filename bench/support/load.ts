/**
 * @module runLoad(): a bounded closed-loop load generator over node:http keep-alive sockets. `concurrency` workers
 * send requests back to back until `count` are done or `maxMs` has passed; each answer is checked, and only
 * checked answers are timed.
 */
import { Agent, request } from 'node:http';

export interface Exchange {
  readonly method?: 'GET' | 'POST';
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface Answer {
  readonly status: number;
  readonly body: string;
}

export interface LoadOptions {
  readonly count: number;
  readonly concurrency: number;
  /** Stop starting requests after this long, whatever `count` says. */
  readonly maxMs: number;
  /** The i-th request (0 ≤ i < count); built before its clock starts. */
  readonly exchange: (i: number) => Exchange;
  /** Null when the answer is the expected one, else why not. */
  readonly check: (answer: Answer, i: number) => string | null;
}

export interface LoadResult {
  /** Milliseconds per checked request, in completion order. */
  readonly latencies: number[];
  readonly wallMs: number;
  readonly failures: number;
  readonly firstFailure: string | null;
  /** True when `maxMs` ran out before `count` requests were sent. */
  readonly timedOut: boolean;
}

/** One HTTP exchange on the agent's sockets; rejects on a socket error or after 30 s. */
export const send = (agent: Agent, { method = 'GET', url, headers = {}, body }: Exchange): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(body);
    const req = request(
      url,
      {
        method,
        agent,
        timeout: 30_000,
        headers: payload ? { ...headers, 'Content-Length': String(payload.length) } : headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within 30 s`)));
    req.on('error', reject);
    req.end(payload);
  });

export const runLoad = async ({ count, concurrency, maxMs, exchange, check }: LoadOptions): Promise<LoadResult> => {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let failures = 0;
  let firstFailure: string | null = null;
  let next = 0;
  const started = performance.now();
  const deadline = started + maxMs;

  const worker = async (): Promise<void> => {
    while (next < count && performance.now() < deadline) {
      const i = next++;
      const ask = exchange(i);
      const sentAt = performance.now();
      let problem: string | null;
      try {
        problem = check(await send(agent, ask), i);
      } catch (error) {
        problem = error instanceof Error ? error.message : String(error);
      }
      if (problem === null) latencies.push(performance.now() - sentAt);
      else {
        failures += 1;
        firstFailure ??= `${ask.method ?? 'GET'} ${ask.url}: ${problem}`;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wallMs = performance.now() - started;
  agent.destroy();
  return { latencies, wallMs, failures, firstFailure, timedOut: next < count };
};

/** A JSON answer's field, or undefined when the body is not a JSON object. */
export const jsonField = (body: string, field: string): unknown => {
  try {
    const parsed: unknown = JSON.parse(body);
    // An object, checked just above; its fields stay unknown.
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>)[field] : undefined;
  } catch {
    return undefined;
  }
};
