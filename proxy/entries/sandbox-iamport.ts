/**
 * @module Sandbox mode for the Node entry: with no i'mport credentials (and not in production) the project's fake
 * i'mport runs in this process on loopback, and the proxy talks to it over HTTP exactly as it would to i'mport.
 */
import { randomBytes } from 'node:crypto';
import { createFakeIamport, type FakeIamport } from '../iamport/fake/fake-iamport.ts';
import { serveFakeIamport, type ServedFake } from '../iamport/fake/serve-node.ts';
import type { Env } from '../config.ts';

/** The sandbox runs when neither credential is set and NODE_ENV is not production. */
export const wantsSandbox = (env: Env): boolean => !env.IMP_KEY && !env.IMP_SECRET && env.NODE_ENV !== 'production';

export interface SandboxIamport {
  readonly fake: FakeIamport;
  readonly served: ServedFake;
  /** The environment the proxy should read: the fake's URL and keys, and a grant secret if none was given. */
  readonly env: Env;
}

export const startSandboxIamport = async (env: Env): Promise<SandboxIamport> => {
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
      // Grants are minted by the demo page itself, so a throwaway secret is enough.
      REFUND_TOKEN_SECRET: env.REFUND_TOKEN_SECRET || randomBytes(32).toString('base64url'),
    },
  };
};
