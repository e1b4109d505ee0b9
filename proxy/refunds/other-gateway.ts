/**
 * @module The other gateway's payments: a ledger kept across a switch of gateway (i'mport V1 to PortOne V2, or back)
 * holds payments the gateway configured now never made (Gateway.owns). It cannot look them up (it knows no such id), so
 * it can neither refund them nor settle a refund of them whose outcome was not learned before the switch: they are
 * shown as the ledger last had them and refused before anything is sent, never taken for payments it does not find.
 */
import type { Gateway } from '../gateways/gateway.ts';
import { type Failure, fail } from './outcome.ts';

/** The answer to a change of such a payment (or a refund request for it); `what`: what this request did not do. */
export const notRefundableHere = (gateway: Pick<Gateway, 'label'>, what: string): Failure =>
  fail(
    'REFUND_NOT_ALLOWED',
    `This order's payment was not made through ${gateway.label}, which this proxy runs on now (its ledger was kept ` +
      `across a switch of gateway), so ${what}. Refund it with the gateway it was made through (its console, or a ` +
      'proxy configured for it).',
  );
