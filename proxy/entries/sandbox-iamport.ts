/**
 * @module Sandbox mode for the Node entry (config.ts decides when it runs): the project's fake i'mport runs in this
 * process on loopback, and the proxy talks to it over HTTP exactly as it would to i'mport, with the keys and the
 * grant secret the configuration chose for the sandbox (never a live one). Its payments are kept in DATA_DIR beside
 * the sandbox's ledger, so a restart finds the orders, and their refunds, the ledger remembers.
 */
import { Hono } from 'hono';
import type { Config } from '../config.ts';
import { createFakeIamport, type FakeIamport, type FakePayment } from '../gateways/iamport/fake/fake-iamport.ts';
import { type ServedFake, serveFakeIamport } from '../gateways/iamport/fake/serve-node.ts';
import { consoleLog, type Log } from '../log-line.ts';
import { demoOrders } from '../sandbox/seed.ts';
import { readSandboxState, sandboxStatePath, writeSandboxState } from './sandbox-state-file.ts';

export interface SandboxIamport {
  readonly fake: FakeIamport;
  readonly served: ServedFake;
  /** The configuration with i'mport's base URL pointing at the fake. */
  readonly config: Config;
  /** The demo generation the last run on this DATA_DIR left, its payments restored; null for fresh demo orders. */
  readonly keptGeneration: string | null;
  /** Saves the fake's payments with the demo generation now shown (the sandbox's onChange). */
  readonly remember: (generation: string) => void;
}

const paymentsOf = async (fake: FakeIamport): Promise<FakePayment[]> =>
  (await (await fake.app.request('/__fake/payments')).json()) as FakePayment[];

export const startSandboxIamport = async (config: Config, log: Log = consoleLog): Promise<SandboxIamport> => {
  const fake = createFakeIamport({ apiKey: config.iamport.apiKey, apiSecret: config.iamport.apiSecret });
  // The sandbox's ledger is always SQLite (DATABASE_URL makes the proxy live); its payments sit in the same directory.
  const path = config.database.kind === 'sqlite' ? sandboxStatePath(config.database.dataDir) : null;
  const { saved, problem } = path ? readSandboxState(path) : { saved: null, problem: null };
  if (problem) log({ level: 'warn', msg: `sandbox: ${problem}; starting with fresh demo orders` });
  for (const payment of saved?.payments ?? []) fake.addPayment(payment);
  const has = (merchantUid: string) => saved?.payments.some((p) => p.merchant_uid === merchantUid) ?? false;
  const keptGeneration = saved?.demo && demoOrders(saved.demo).every((o) => has(o.merchant_uid)) ? saved.demo : null;

  let generation = keptGeneration;
  let saving = Promise.resolve();
  // One save at a time, each reading the payments when its turn comes: the last one written is the latest state.
  const save = (): Promise<void> =>
    (saving = saving.then(async () => {
      if (!path) return;
      try {
        writeSandboxState(path, { version: 1, demo: generation, payments: await paymentsOf(fake) });
      } catch (error) {
        log({
          level: 'warn',
          msg: 'sandbox: could not save its payments; a restart will not find them',
          error: String(error),
        });
      }
    }));
  // Saved before the answer goes back: whatever the proxy learns (and writes to its ledger) is on disk first, as at a
  // real i'mport. A lost answer (a fault) is saved too, since the change it carried was applied.
  const persisting = new Hono().all('*', async (c) => {
    const response = await fake.app.fetch(c.req.raw, c.env);
    if (c.req.method !== 'GET') await save();
    return response;
  });
  const served = await serveFakeIamport({ ...fake, app: persisting });
  return {
    fake,
    served,
    config: { ...config, iamport: { ...config.iamport, apiUrl: served.url } },
    keptGeneration,
    remember: (next) => {
      generation = next;
      void save();
    },
  };
};

/** The origins a browser uses for a server listening on `host:port`: the loopback names, or the host itself. */
export const listenOrigins = (host: string, port: number): string[] => {
  const loopback = [`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`];
  const own = host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
  return loopback.includes(own) ? loopback : [...loopback, own];
};
