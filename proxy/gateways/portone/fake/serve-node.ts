/** @module Serves a fake PortOne V2 over HTTP on loopback (sandbox, process tests), with the fake kit's server. */
import { type ServedFake, type ServeFakeOptions, serveFake } from '../../fake-kit/serve-node.ts';
import type { FakePortOne } from './fake-portone.ts';
import { DROP_HEADER } from './traffic.ts';

export type { ServedFake, ServeFakeOptions } from '../../fake-kit/serve-node.ts';

export const serveFakePortOne = (fake: FakePortOne, options: ServeFakeOptions = {}): Promise<ServedFake> =>
  serveFake({ app: fake.app, dropHeader: DROP_HEADER }, options);
