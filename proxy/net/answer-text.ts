/**
 * @module answerText(): an HTTP answer's body as text, read no further than MAX_ANSWER_BYTES. A gateway's answers and
 * a merchant receiver's are a few kilobytes; one that sends hundreds of megabytes (a misconfigured receiver) must not
 * take the proxy's memory with it, and with it every refund running there (each instance that picked the event up
 * again would die in turn).
 */
import type { FetchedResponse } from './fetch-like.ts';

/** The most of an answer the proxy reads: 1 MiB. */
export const MAX_ANSWER_BYTES = 1024 * 1024;

/** Thrown by answerText() past MAX_ANSWER_BYTES, once it has stopped reading. */
export class AnswerTooLarge extends Error {
  constructor() {
    super(`the answer was longer than ${MAX_ANSWER_BYTES} bytes; the proxy stopped reading it`);
    this.name = 'AnswerTooLarge';
  }
}

const utf8 = new TextDecoder();

export const answerText = async (answer: FetchedResponse): Promise<string> => {
  // The Node entry's own client has no stream: it caps what it reads off the socket itself (node-fetch.ts).
  if (!answer.body) return answer.text();
  const reader = answer.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_ANSWER_BYTES) {
      await reader.cancel().catch(() => undefined);
      throw new AnswerTooLarge();
    }
    chunks.push(value);
  }
  const whole = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    whole.set(chunk, at);
    at += chunk.byteLength;
  }
  return utf8.decode(whole);
};
