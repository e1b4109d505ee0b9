/**
 * @module Sandbox mode on PortOne V2 (SANDBOX_GATEWAY=portone): the project's fake PortOne V2 runs in this process on
 * loopback, with the API secret and `whsec_` webhook secret the configuration made for this start, and the proxy talks
 * to it over HTTP as it would to PortOne. Once the proxy listens, the fake's signed webhooks go to the proxy's own
 * `POST /webhooks/portone`. Unlike the i'mport sandbox, its payments are not kept across restarts: each start seeds a
 * fresh demo generation (the ledger keeps the earlier ones' records, whose payments are then gone).
 */
import type { Config, PortOneConfig } from '../config.ts';
import { createFakePortOne, type FakePortOne } from '../gateways/portone/fake/fake-portone.ts';
import { type ServedFake, serveFakePortOne } from '../gateways/portone/fake/serve-node.ts';

export interface SandboxPortOne {
  readonly fake: FakePortOne;
  readonly served: ServedFake;
  /** The configuration with PortOne's base URL pointing at the fake. */
  readonly config: Config;
  /** Sends the fake's webhooks to this proxy, once its origin is known (its port may be chosen by the system). */
  readonly sendWebhooksTo: (proxyOrigin: string) => void;
}

export const startSandboxPortOne = async (
  config: Config & { readonly portone: PortOneConfig },
): Promise<SandboxPortOne> => {
  const { apiSecret, webhookSecret } = config.portone;
  const fake = createFakePortOne({ apiSecret });
  const served = await serveFakePortOne(fake);
  return {
    fake,
    served,
    config: { ...config, portone: { ...config.portone, apiUrl: served.url } },
    sendWebhooksTo: (proxyOrigin) =>
      fake.setWebhookTarget({ url: `${proxyOrigin}/webhooks/portone`, secret: webhookSecret }),
  };
};
