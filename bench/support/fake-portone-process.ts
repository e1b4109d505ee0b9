/**
 * @module Child process: the fake PortOne V2 served over HTTP on loopback (`serveFakePortOne`), standing in for
 * api.portone.io. Command: seed orders (in process: thousands of control-route calls would only slow the set-up).
 */
import { createFakePortOne } from '../../proxy/gateways/portone/fake/fake-portone.ts';
import { serveFakePortOne } from '../../proxy/gateways/portone/fake/serve-node.ts';
import { serveCommands } from './children.ts';
import { PORTONE_API_SECRET, portoneSeedOf } from './orders.ts';

const fake = createFakePortOne({ apiSecret: PORTONE_API_SECRET });
const served = await serveFakePortOne(fake);

serveCommands(
  served.url,
  {
    seed: ({ prefix, count }: { prefix: string; count: number }) => {
      for (let i = 0; i < count; i++) fake.addPayment(portoneSeedOf(prefix, i));
      return count;
    },
  },
  () => served.close(),
);
