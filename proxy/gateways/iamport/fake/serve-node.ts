/** @module Serves a fake i'mport over HTTP on loopback (sandbox, process tests), with the fake kit's server. */
import { type ServedFake, type ServeFakeOptions, serveFake } from '../../fake-kit/serve-node.ts';
import type { FakeIamport } from './fake-iamport.ts';
import { DROP_HEADER } from './traffic.ts';

export type { ServedFake, ServeFakeOptions } from '../../fake-kit/serve-node.ts';

export const serveFakeIamport = (fake: FakeIamport, options: ServeFakeOptions = {}): Promise<ServedFake> =>
  serveFake({ app: fake.app, dropHeader: DROP_HEADER }, options);
