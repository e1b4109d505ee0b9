/**
 * @module The V2 objects the fake answers with, named and shaped as in the OpenAPI (`src/schema/v2.openapi.json` of
 * portone-io/developers.portone.io): only the fields the fake fills; every optional field is left out, not nulled.
 */
import type { Bank } from './banks.ts';

/** `Payment.status` (the discriminator of the `Payment` union). */
export type PaymentStatus =
  | 'READY'
  | 'PAY_PENDING'
  | 'VIRTUAL_ACCOUNT_ISSUED'
  | 'PAID'
  | 'FAILED'
  | 'PARTIAL_CANCELLED'
  | 'CANCELLED';

/** `PaymentAmount` (`supply` is left out: the fake does not guess how PortOne splits it). */
export interface PaymentAmount {
  total: number;
  taxFree: number;
  vat: number;
  discount: number;
  paid: number;
  cancelled: number;
  cancelledTaxFree: number;
}

/** `PaymentMethodCard` and `PaymentMethodVirtualAccount`: the `PaymentMethod` union by `type`. */
export type PaymentMethod =
  | { type: 'PaymentMethodCard'; card: { publisher?: string; issuer?: string; name?: string }; approvalNumber: string }
  | {
      type: 'PaymentMethodVirtualAccount';
      bank: Bank;
      accountNumber: string;
      accountType: 'NORMAL' | 'FIXED';
      remitteeName: string;
      expiredAt: string;
      issuedAt: string;
    };

/** `SelectedChannel`. */
export interface SelectedChannel {
  type: 'LIVE' | 'TEST';
  id: string;
  key: string;
  name: string;
  pgProvider: string;
  pgMerchantId: string;
}

/** `PaymentCancellation`: the union by `status` of Requested/Succeeded/FailedPaymentCancellation. */
export interface PaymentCancellation {
  status: 'REQUESTED' | 'SUCCEEDED' | 'FAILED';
  id: string;
  pgCancellationId?: string;
  totalAmount: number;
  taxFreeAmount: number;
  vatAmount: number;
  reason: string;
  requestedAt: string;
  cancelledAt?: string;
  /** Only on SucceededPaymentCancellation. */
  receiptUrl?: string;
  /** `Trigger`: an API cancel is 'API'. */
  trigger?: 'CONSOLE' | 'API' | 'PORTONE_ADMIN' | 'CHARGEBACK';
}

/**
 * Everything the fake keeps about a payment, in wire names. `toWire()` in payments.ts answers only the fields the
 * variant of its status has (e.g. `cancellations` is not on VirtualAccountIssuedPayment).
 */
export interface FakeV2Payment {
  status: PaymentStatus;
  id: string;
  transactionId: string;
  merchantId: string;
  storeId: string;
  method?: PaymentMethod;
  channel: SelectedChannel;
  version: 'V2';
  requestedAt: string;
  updatedAt: string;
  statusChangedAt: string;
  orderName: string;
  amount: PaymentAmount;
  // Won, or a currency with cents (USD) or without (JPY): every amount in its minor unit, as V2 sends it.
  currency: 'KRW' | 'USD' | 'JPY';
  customer: { name?: string };
  origin: { platformType: 'PC' | 'MOBILE' | 'API'; ipAddress: string };
  paidAt?: string;
  failedAt?: string;
  cancelledAt?: string;
  failure?: { reason?: string; pgCode?: string; pgMessage?: string };
  pgTxId?: string;
  receiptUrl?: string;
  cancellations: PaymentCancellation[];
}

/** The V2 error body: `type` discriminates; PgProviderError adds `pgCode` and `pgMessage`. */
export interface PortOneErrorBody {
  type: string;
  message?: string;
  pgCode?: string;
  pgMessage?: string;
}
