/**
 * @module createIamportGateway(): i'mport V1 behind the gateway seam. The client (client.ts) speaks V1's wire; this
 * writes V1's cancel body from the proxy's command, takes the refund banks from the per-PG code tables (V1 wants the
 * PG's own bank codes) and reads V1's unsigned webhook. V1 has no idempotency key and no documented holder lookup: its
 * hidden `GET /vbanks/holder` is offered only when the merchant turns it on (IAMPORT_HOLDER_LOOKUP=true).
 */
import { banksFor } from '../../../shared/banks.ts';
import type { CancelCommand, Gateway } from '../gateway.ts';
import { createIamportClient, type IamportCallTiming, type IamportClient } from './client.ts';
import { REVOKING_PGS } from './revoking-pgs.ts';
import type { CancelParams } from './schemas.ts';
import type { IamportClientOptions } from './types.ts';
import { readIamportWebhook } from './webhook.ts';

/** V1's `POST /payments/cancel` body; the tax split goes only where the caller knows it, and who asked always. */
export const toCancelParams = (command: CancelCommand): CancelParams => {
  const account = command.refundAccount;
  return {
    imp_uid: command.payment.imp_uid,
    amount: command.amount,
    checksum: command.checksum,
    reason: command.reason,
    ...(command.taxFree === undefined ? {} : { tax_free: command.taxFree }),
    ...(command.vat === undefined ? {} : { vat_amount: command.vat }),
    ...(account
      ? {
          refund_holder: account.holder,
          refund_bank: account.bank,
          refund_account: account.number,
          ...(account.tel ? { refund_tel: account.tel } : {}),
        }
      : {}),
    extra: { requester: command.requester },
  };
};

/**
 * i'mport's cancel waits on the PG before it answers, and i'mport goes on with it when the client has gone (a timeout
 * here, a dropped connection, a 5xx from a proxy in front of it): an unanswered cancel may still apply. i'mport gives
 * no bound; PortOne advises 60 s for a PG's cancel, and this waits ten times that, as for PortOne V2, before a lookup
 * that shows nothing is taken as "not refunded". Until then the order is shown as being checked.
 */
const CHANGE_MAY_RUN_FOR_MS = 10 * 60_000;

/** Whether the gateway offers `lookupHolder` (IAMPORT_HOLDER_LOOKUP); without it the method is absent. */
export interface IamportGatewayOptions {
  readonly holderLookup?: boolean;
  /** KG Inicis's own API key, which i'mport requires to revoke an Inicis virtual account (iamport-v1.md §4.1). */
  readonly inicisPgApiKey?: string;
}

/** The seam over a client; `client` is given by the benchmarks' token-cache-off run, else made from the options. */
export const iamportGatewayOf = (
  client: IamportClient,
  { holderLookup = false, inicisPgApiKey }: IamportGatewayOptions = {},
): Gateway => ({
  name: 'iamport',
  baseUrl: client.baseUrl,
  label: "i'mport",
  changeMayRunForMs: CHANGE_MAY_RUN_FOR_MS,
  checksumOrdersCancels: true,
  webhookPath: '/webhooks/iamport',
  signatureHeaders: [],
  // i'mport names its payments itself (imp_…); a PortOne V2 payment's id is the merchant's own, its order's.
  owns: (payment) => payment.imp_uid !== payment.merchant_uid,
  findPayment: (merchantUid) => client.findPayment(merchantUid),
  getPayment: (impUid) => client.getPayment(impUid),
  cancel: (command) => client.cancelPayment(toCancelParams(command)),
  closeVirtualAccount: (payment) =>
    client.revokeVbank(payment.imp_uid, payment.pg_provider === 'html5_inicis' ? inicisPgApiKey : undefined),
  canCloseVirtualAccount: (payment) =>
    REVOKING_PGS.has(payment.pg_provider) && (payment.pg_provider !== 'html5_inicis' || !!inicisPgApiKey),
  refundBanks: (payment) => banksFor(payment.pg_provider),
  readWebhook: readIamportWebhook,
  ...(holderLookup ? { lookupHolder: ({ bank, number }) => client.lookupHolder(bank, number) } : {}),
});

export const createIamportGateway = (
  options: IamportClientOptions & IamportCallTiming & IamportGatewayOptions,
): Gateway => iamportGatewayOf(createIamportClient(options), options);
