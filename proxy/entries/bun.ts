/**
 * @module The Bun entry: hands Bun.env to the configuration, opens the PostgreSQL ledger, serves the proxy with
 * Bun.serve and keeps its housekeeping. The client IP is server.requestIP(). Run the bundle built by
 * scripts/build-runtimes.mjs: `bun run dist/bun.js`.
 */
import { closeWhenSettled } from '../background.ts';
import { consoleLog } from '../log-line.ts';
import { scheduleHousekeeping } from './housekeeping-timer.ts';
import { scheduleOutbox } from './outbox-timer.ts';
import { buildServedProxy, listeningLine, openPortableLedger, type PeerEnv } from './portable.ts';
import { exitAfterGrace } from './shutdown-grace.ts';

interface BunServer {
  readonly url: URL;
  requestIP(request: Request): { readonly address: string } | null;
  stop(closeActiveConnections?: boolean): Promise<void>;
}

/** The little of the Bun namespace this entry uses (the project's types are Node's). */
declare const Bun: {
  readonly version: string;
  readonly env: Record<string, string | undefined>;
  serve(options: {
    hostname: string;
    port: number;
    fetch: (request: Request, server: BunServer) => Response | Promise<Response>;
  }): BunServer;
};

const runtime = `Bun ${Bun.version}`;
const { config, store } = await openPortableLedger(Bun.env, 'Bun', (message) => {
  console.error(message);
  return process.exit(1);
});
const { app, outbox, background, retries } = buildServedProxy(config, store);

const server = Bun.serve({
  hostname: config.host,
  port: config.port,
  fetch: (request, bun) =>
    app.fetch(request, { peerAddress: bun.requestIP(request)?.address ?? null } satisfies PeerEnv),
});
console.log(listeningLine(server.url.origin, runtime, config));
const housekeeping = scheduleHousekeeping({ store, now: Date.now, log: consoleLog });
const deliveries = scheduleOutbox(outbox);

const stop = (): void => {
  // Forwards waiting to try again give up now (each with its warn line) rather than hold shutdown.
  retries.stop();
  void server
    .stop()
    .then(() => Promise.all([housekeeping.stop(), deliveries.stop()]))
    .then(() => closeWhenSettled(background, store))
    .finally(() => process.exit(0));
  // Work in flight ends first (shutdown-grace.ts); only what outlives the grace is cut.
  exitAfterGrace(config, (code) => process.exit(code)).unref();
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
