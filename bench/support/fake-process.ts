/**
 * @module Child process: the fake i'mport served over HTTP on loopback (`serveFakeIamport`), standing in for
 * api.iamport.kr. Commands: seed orders, inject faults, count calls.
 */
import { createFakeIamport, type FakeRoute, type Fault } from '../../proxy/gateways/iamport/fake/fake-iamport.ts';
import { serveFakeIamport } from '../../proxy/gateways/iamport/fake/serve-node.ts';
import { serveCommands } from './children.ts';
import { fakeSeedOf, IMP_KEY, IMP_SECRET, type PayMethod } from './orders.ts';

const fake = createFakeIamport({ apiKey: IMP_KEY, apiSecret: IMP_SECRET });
const served = await serveFakeIamport(fake);

serveCommands(
  served.url,
  {
    seed: ({ prefix, count, payMethod }: { prefix: string; count: number; payMethod?: PayMethod }) => {
      for (let i = 0; i < count; i++) fake.addPayment(fakeSeedOf(prefix, i, payMethod));
      return count;
    },
    inject: (fault: Fault) => fake.inject(fault),
    clearFaults: () => fake.clearFaults(),
    count: (route: FakeRoute) => fake.count(route),
  },
  () => served.close(),
);
