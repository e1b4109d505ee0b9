/**
 * @module Sandbox mode for the Node entry (config.ts decides when it runs): the project's fake i'mport runs in this
 * process on loopback, and the proxy talks to it over HTTP exactly as it would to i'mport, with the keys and the
 * grant secret the configuration chose for the sandbox (never a live one).
 */
import type { Config } from '../config.ts';
import { createFakeIamport, type FakeIamport } from '../iamport/fake/fake-iamport.ts';
import { type ServedFake, serveFakeIamport } from '../iamport/fake/serve-node.ts';

export interface SandboxIamport {
  readonly fake: FakeIamport;
  readonly served: ServedFake;
  /** The configuration with i'mport's base URL pointing at the fake. */
  readonly config: Config;
}

export const startSandboxIamport = async (config: Config): Promise<SandboxIamport> => {
  const fake = createFakeIamport({ apiKey: config.iamport.apiKey, apiSecret: config.iamport.apiSecret });
  const served = await serveFakeIamport(fake);
  return { fake, served, config: { ...config, iamport: { ...config.iamport, apiUrl: served.url } } };
};

/** The origins a browser uses for a server listening on `host:port`: the loopback names, or the host itself. */
export const listenOrigins = (host: string, port: number): string[] => {
  const loopback = [`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`];
  const own = host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
  return loopback.includes(own) ? loopback : [...loopback, own];
};
