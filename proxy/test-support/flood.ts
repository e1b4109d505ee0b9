/** @module flood(): an HTTP answer of `bytes` bytes, written 64 KiB at a time for as long as the client reads. */
import type { ServerResponse } from 'node:http';

export const flood = (res: ServerResponse, bytes: number, status = 200): void => {
  res.writeHead(status, { 'Content-Type': 'text/plain' });
  const chunk = Buffer.alloc(64 * 1024, 'x');
  let left = bytes;
  const more = (): void => {
    while (left > 0 && !res.destroyed) {
      left -= chunk.length;
      if (!res.write(chunk)) return void res.once('drain', more);
    }
    res.end();
  };
  // The client may stop reading part of the way and drop the connection: that is what is being tested.
  res.on('error', () => undefined);
  more();
};
