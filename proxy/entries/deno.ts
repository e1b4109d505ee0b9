/**
 * @module The Deno entry (Deno Deploy or `deno run`): hands Deno.env to the configuration, opens the PostgreSQL
 * ledger, serves the proxy with Deno.serve and keeps its housekeeping. The client IP is the connection's remote
 * address. Run the bundle built by scripts/build-runtimes.mjs: `deno run --allow-net --allow-env dist/deno.js`.
 */
import { closeWhenSettled } from '../background.ts';
import { consoleLog } from '../log-line.ts';
import { createDenoFetch } from './deno-fetch.ts';
import { scheduleHousekeeping, unrefdInterval } from './housekeeping-timer.ts';
import { scheduleOutbox } from './outbox-timer.ts';
import { buildServedProxy, listeningLine, openPortableLedger, type PeerEnv } from './portable.ts';
import { exitAfterGrace } from './shutdown-grace.ts';

/** The little of the Deno namespace this entry uses (the project's types are Node's). */
declare const Deno: {
  readonly version: { readonly deno: string };
  readonly env: { toObject(): Record<string, string> };
  exit(code: number): never;
  addSignalListener(signal: 'SIGINT' | 'SIGTERM', handler: () => void): void;
  unrefTimer(id: number): void;
  createHttpClient(options: { readonly poolMaxIdlePerHost: number }): unknown;
  serve(
    options: { hostname?: string; port?: number; onListen: (addr: { hostname: string; port: number }) => void },
    handler: (request: Request, info: { remoteAddr: { hostname: string } }) => Response | Promise<Response>,
  ): { shutdown(): Promise<void> };
};

const runtime = `Deno ${Deno.version.deno}`;
const { config, store } = await openPortableLedger(Deno.env.toObject(), 'Deno', (message) => {
  console.error(message);
  return Deno.exit(1);
});
// Deno's own fetch may send a request again on a kept-alive connection: deno-fetch.ts.
const { app, outbox, background, retries } = buildServedProxy(config, store, createDenoFetch(Deno));

const address = config.addressFromPlatform ? {} : { hostname: config.host, port: config.port };
const urlOf = ({ hostname, port }: { hostname: string; port: number }) =>
  `http://${hostname.includes(':') ? `[${hostname}]` : hostname}:${port}`;
const server = Deno.serve(
  { ...address, onListen: (listening) => console.log(listeningLine(urlOf(listening), runtime, config)) },
  (request, info) => app.fetch(request, { peerAddress: info.remoteAddr.hostname } satisfies PeerEnv),
);
const housekeeping = scheduleHousekeeping(
  { store, now: Date.now, log: consoleLog },
  unrefdInterval((id) => Deno.unrefTimer(id as number)),
);
const deliveries = scheduleOutbox(
  outbox,
  unrefdInterval((id) => Deno.unrefTimer(id as number)),
);

const stop = (): void => {
  // Forwards waiting to try again give up now (each with its warn line) rather than hold shutdown.
  retries.stop();
  void server
    .shutdown()
    .then(() => Promise.all([housekeeping.stop(), deliveries.stop()]))
    .then(() => closeWhenSettled(background, store))
    .finally(() => Deno.exit(0));
  // Work in flight ends first (shutdown-grace.ts); only what outlives the grace is cut.
  exitAfterGrace(config, (code) => Deno.exit(code));
};
Deno.addSignalListener('SIGINT', stop);
Deno.addSignalListener('SIGTERM', stop);
