/**
 * @module exchangeText(): one HTTP exchange with a gateway, its whole answer read as text, within a timeout. It never
 * throws: no answer is a typed `unavailable` (timeout, or the network), so a gateway client only decides what an
 * answer's status and body mean to it.
 */
import { answerText } from './answer-text.ts';
import { withDeadline } from './deadline.ts';
import type { FetchedResponse, FetchLike } from './fetch-like.ts';

export type ExchangedText =
  | { readonly kind: 'answered'; readonly status: number; readonly text: string }
  | { readonly kind: 'unavailable'; readonly reason: 'timeout' | 'network' | 'refused'; readonly detail: string };

export const describeError = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

/**
 * Whether nothing was listening (Node's `fetch failed` caused by ECONNREFUSED): the request never left, so a change
 * sent this way was certainly not made. Anything else that ends without an answer may have reached the gateway.
 */
const wasRefused = (error: unknown): boolean => {
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  return cause?.code === 'ECONNREFUSED';
};

export const exchangeText = (
  fetch: FetchLike,
  url: string,
  request: { readonly method: string; readonly headers: Record<string, string>; readonly body?: string },
  timeoutMs: number,
): Promise<ExchangedText> =>
  // The deadline covers the body too: a gateway that sends its headers and then stalls is as unavailable.
  withDeadline(timeoutMs, async (signal): Promise<ExchangedText> => {
    let response: FetchedResponse;
    try {
      response = await fetch(url, { ...request, signal });
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      const timedOut = name === 'TimeoutError' || name === 'AbortError';
      const reason = timedOut ? 'timeout' : wasRefused(error) ? 'refused' : 'network';
      return { kind: 'unavailable', reason, detail: describeError(error) };
    }
    try {
      return { kind: 'answered', status: response.status, text: await answerText(response) };
    } catch (error) {
      return { kind: 'unavailable', reason: 'network', detail: `body lost: ${describeError(error)}` };
    }
  });
