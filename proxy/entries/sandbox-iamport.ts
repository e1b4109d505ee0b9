/**
 * @module Sandbox mode for the Node entry (see deploymentOf in config.ts for when it runs): the project's fake i'mport
 * runs in this process on loopback, and the proxy talks to it over HTTP exactly as it would to i'mport. The sandbox
 * never sees a live secret: it signs grants with a random secret of its own, new at each start, unless the developer
 * sets SANDBOX_TOKEN_SECRET to mint grants for it.
 */
import { randomBytes } from 'node:crypto';
import { ConfigError, type Env } from '../config.ts';
import { createFakeIamport, type FakeIamport } from '../iamport/fake/fake-iamport.ts';
import { serveFakeIamport, type ServedFake } from '../iamport/fake/serve-node.ts';

export interface SandboxIamport {
  readonly fake: FakeIamport;
  readonly served: ServedFake;
  /** The environment the proxy should read: the fake's URL and keys, and the sandbox's own grant secret. */
  readonly env: Env;
}

export const startSandboxIamport = async (env: Env): Promise<SandboxIamport> => {
  const chosen = env.SANDBOX_TOKEN_SECRET;
  if (chosen !== undefined && chosen.length < 32) {
    throw new ConfigError(['SANDBOX_TOKEN_SECRET must be at least 32 characters']);
  }
  const fake = createFakeIamport();
  const served = await serveFakeIamport(fake);
  return {
    fake,
    served,
    env: {
      ...env,
      IMP_KEY: 'test_imp_key',
      IMP_SECRET: 'test_imp_secret',
      IAMPORT_API_URL: served.url,
      REFUND_TOKEN_SECRET: chosen || randomBytes(32).toString('base64url'),
    },
  };
};

/** The origins a browser uses for a server listening on `host:port`: the loopback names, or the host itself. */
export const listenOrigins = (host: string, port: number): string[] => {
  const loopback = [`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`];
  const own = host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
  return loopback.includes(own) ? loopback : [...loopback, own];
};
