/** @module Serves a fake gateway's Hono app over HTTP on loopback (sandbox, process tests); the kit's one node:* user. */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';

export interface ServeFakeOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Default '127.0.0.1'. */
  hostname?: string;
}

export interface ServedFake {
  /** Base URL, e.g. `http://127.0.0.1:54321`. */
  readonly url: string;
  close(): Promise<void>;
}

/** What is served: the fake's app, and the header its drop fault marks an answer with. */
export interface ServableFake {
  readonly app: { fetch(request: Request, env: unknown): Response | Promise<Response> };
  readonly dropHeader: string;
}

export const serveFake = (
  { app, dropHeader }: ServableFake,
  { port = 0, hostname = '127.0.0.1' }: ServeFakeOptions = {},
): Promise<ServedFake> =>
  new Promise((resolve, reject) => {
    const server = serve(
      {
        port,
        hostname,
        fetch: async (request, env) => {
          const response = await app.fetch(request, env);
          // A drop fault must look like one on the wire: kill the socket instead of answering.
          if (response.headers.has(dropHeader)) env.incoming.socket.destroy();
          return response;
        },
      },
      (info: AddressInfo) => {
        server.off('error', reject);
        const host = info.address.includes(':') ? `[${info.address}]` : info.address;
        resolve({
          url: `http://${host}:${info.port}`,
          close: () =>
            new Promise<void>((done, fail) => {
              server.close((error) => (error ? fail(error) : done()));
              // Keep-alive sockets of the client would otherwise hold close() open.
              if ('closeAllConnections' in server) server.closeAllConnections();
            }),
        });
      },
    );
    server.once('error', reject);
  });
