/**
 * @module nodeDrain(): the @hono/node-server options under which an answer given before the request's body has all
 * arrived (a body over the limit, refused on its Content-Length or its first chunks) reaches the client. The server
 * reads and discards the rest of the body, up to a bound in bytes and time, before the connection may close.
 *
 * Why: closing a socket with unread data makes the kernel send a reset, and a client still sending (many send the
 * whole body before they read) then sees EPIPE or ECONNRESET and never the answer waiting in its buffer.
 * @hono/node-server drains too, but for half a second only, then closes: a 2 MB body on an ordinary uplink is
 * still arriving. And Node itself closes at once after an answer when the client asked for `Connection: close`.
 */
import { IncomingMessage } from 'node:http';
import type { Http2Bindings, HttpBindings } from '@hono/node-server';

export interface DrainLimits {
  /** Bytes read and thrown away after the answer at most; past them the connection is closed. */
  readonly maxBytes: number;
  /** How long to keep reading at most, in ms. */
  readonly maxMs: number;
}

/** 8 MB in 30 s covers a 2 MB upload on a slow uplink; 30 s is also how long nginx lingers after an early answer. */
export const DRAIN_LIMITS: DrainLimits = { maxBytes: 8 * 1024 * 1024, maxMs: 30_000 };

type Fetch = (request: Request, env: HttpBindings | Http2Bindings) => unknown;

/** Reads and discards the rest of `incoming` after its answer has gone; closes the connection past the limits. */
const drain = (incoming: IncomingMessage, { maxBytes, maxMs }: DrainLimits): void => {
  const socket = incoming.socket;
  if (incoming.complete || socket.destroyed) return; // all of it arrived (Node discards what is buffered), or too late
  // With `Connection: close` Node has just called socket.destroySoon(): its side is ended, and socket.destroy waits
  // on 'finish'. Destroy it ourselves instead, once the body is read; the client's half stays open till then.
  const closing = socket.writableEnded;
  if (closing) socket.removeListener('finish', socket.destroy);
  let read = 0;
  const done = (): void => {
    clearTimeout(timer);
    // The connection may carry many more requests: nothing of this one may stay on its socket.
    socket.off('close', onClose);
    incoming.off('data', onData);
    incoming.off('end', done);
    if (closing) socket.destroy();
  };
  const giveUp = (): void => {
    done();
    socket.destroy();
  };
  const onData = (chunk: Buffer): void => {
    read += chunk.length;
    if (read > maxBytes) giveUp();
  };
  const timer = setTimeout(giveUp, maxMs);
  timer.unref();
  const onClose = (): void => clearTimeout(timer);
  socket.once('close', onClose);
  // Whoever read the start of the body (a size check on a chunked one) is done with it.
  incoming.removeAllListeners('data');
  incoming.on('data', onData);
  incoming.once('end', done);
  incoming.resume();
};

/**
 * Options for serve(): `fetch` wrapped so that each request that may carry a body is drained after its answer, and
 * @hono/node-server's own shorter drain turned off.
 */
export const nodeDrain = (fetch: Fetch, limits: DrainLimits = DRAIN_LIMITS) => ({
  autoCleanupIncoming: false,
  fetch: (request: Request, env: HttpBindings | Http2Bindings): unknown => {
    const { incoming, outgoing } = env;
    // GET and HEAD carry no body the proxy waits for; HTTP/2 closes one stream, never the connection.
    if (incoming instanceof IncomingMessage && incoming.method !== 'GET' && incoming.method !== 'HEAD') {
      outgoing.once('finish', () => drain(incoming, limits));
    }
    return fetch(request, env);
  },
});
