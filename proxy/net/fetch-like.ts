/** @module FetchLike: the HTTP client the proxy is given (a gateway's calls, webhook forwards, merchant webhooks). */

/** What the proxy asks of an HTTP request. */
export interface FetchInit {
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly signal: AbortSignal;
}

/** What the proxy reads of an HTTP answer; a Web `Response` is one. */
export interface FetchedResponse {
  readonly status: number;
  text(): Promise<string>;
  /** The body as a stream, where the client has one (a Web `Response`); read through answerText(), which caps it. */
  readonly body?: ReadableStream<Uint8Array> | null;
}

/** The Web `fetch` fits; so does the Node entry's own client over node:http (entries/node-fetch.ts). */
export type FetchLike = (url: string, init: FetchInit) => Promise<FetchedResponse>;
