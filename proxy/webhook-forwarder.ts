/**
 * @module createWebhookForwarder(): hands each gateway webhook the proxy has handled on to the shop's own handler
 * (IAMPORT_WEBHOOK_FORWARD_URL), unchanged: the same body with the same Content-Type and, for PortOne V2, the same
 * signature headers. A gateway has one notification URL per mode, and a shop often already uses it (virtual-account
 * deposits); forwarding lets it point that URL at the proxy without losing its handler. The forward runs after the answer, retries after 5 s, 1 min and 10 min, and never
 * changes what i'mport is answered.
 */

import type { Log } from './log-line.ts';
import { answerText } from './net/answer-text.ts';
import { withDeadline } from './net/deadline.ts';
import type { FetchLike } from './net/fetch-like.ts';

/** The waits before the second, third and fourth tries. */
export const FORWARD_RETRY_DELAYS_MS = [5_000, 60_000, 600_000] as const;

/** One try may take this long before it counts as failed. */
const ATTEMPT_TIMEOUT_MS = 10_000;

/**
 * The most forwards waiting for their next try at once (each holds its body, up to 16 KB, for up to 11 minutes): about
 * 20 MB at most. V1 webhooks are unsigned, so their number is the senders' to choose; past it, a failed forward gives
 * up at once, with its warn line.
 */
export const MAX_WAITING_FORWARDS = 1_000;

/** Waits `ms`; true once waited, false when the entry is shutting down (the forward then gives up at once). */
export type RetryWait = (ms: number) => Promise<boolean>;

export interface WebhookForwarderOptions {
  /** IAMPORT_WEBHOOK_FORWARD_URL. */
  readonly url: string;
  readonly fetch: FetchLike;
  readonly wait: RetryWait;
  readonly log: Log;
}

export interface ForwardedWebhook {
  /** The body exactly as the gateway sent it. */
  readonly body: string;
  readonly contentType: string;
  /** The gateway's signature headers as it sent them (PortOne V2's Standard Webhooks headers), none for i'mport V1. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Only for the log, which never holds a body. */
  readonly impUid: string;
}

/** Why one try failed, or null when the shop's handler took it (any 2xx). */
const tryOnce = async (options: WebhookForwarderOptions, webhook: ForwardedWebhook): Promise<string | null> => {
  try {
    const res = await withDeadline(ATTEMPT_TIMEOUT_MS, async (signal) => {
      const answer = await options.fetch(options.url, {
        method: 'POST',
        headers: { ...webhook.headers, 'Content-Type': webhook.contentType },
        body: webhook.body,
        signal,
      });
      // Read to the end so the connection can be reused; what it says is not ours to interpret.
      await answerText(answer).catch(() => undefined);
      return answer;
    });
    return res.status >= 200 && res.status < 300 ? null : `HTTP ${res.status}`;
  } catch (error) {
    return String(error);
  }
};

/** Forwards one webhook until the shop's handler takes it or the retries are spent; never rejects. */
export const createWebhookForwarder = (options: WebhookForwarderOptions) => {
  let waiting = 0;
  return async (webhook: ForwardedWebhook): Promise<void> => {
    const { log } = options;
    let failure = await tryOnce(options, webhook);
    let attempts = 1;
    for (const delay of FORWARD_RETRY_DELAYS_MS) {
      if (failure === null) return;
      if (waiting >= MAX_WAITING_FORWARDS) {
        failure = `${failure}; ${MAX_WAITING_FORWARDS} forwards were waiting to try again already`;
        break;
      }
      log({
        level: 'info',
        msg: 'webhook forward failed; retrying',
        imp_uid: webhook.impUid,
        attempts,
        failure,
        retry_in_ms: delay,
      });
      waiting += 1;
      const waited = await options.wait(delay).finally(() => {
        waiting -= 1;
      });
      if (!waited) {
        failure = `${failure}; the proxy stopped before the next try`;
        break;
      }
      failure = await tryOnce(options, webhook);
      attempts += 1;
    }
    if (failure === null) return;
    log({
      level: 'warn',
      msg: "webhook forward gave up: the shop's handler at IAMPORT_WEBHOOK_FORWARD_URL did not take it",
      imp_uid: webhook.impUid,
      attempts,
      failure,
    });
  };
};

/**
 * The waits of a long-lived server: plain timers, which stop() ends at once so that shutdown is not held by a forward
 * due to try again in ten minutes (those forwards give up, each with its warn line).
 */
export const createRetryTimer = (): { readonly wait: RetryWait; stop(): void } => {
  const waiting = new Set<() => void>();
  let stopped = false;
  return {
    wait: (ms) =>
      new Promise<boolean>((resolve) => {
        if (stopped) return resolve(false);
        const finish = (waited: boolean): void => {
          clearTimeout(timer);
          waiting.delete(cancel);
          resolve(waited);
        };
        const cancel = (): void => finish(false);
        const timer = setTimeout(() => finish(true), ms);
        waiting.add(cancel);
      }),
    stop: () => {
      stopped = true;
      for (const cancel of [...waiting]) cancel();
    },
  };
};
