/**
 * @module Test support: the `required` and `properties` of the V2 OpenAPI schemas the fake answers with, copied from
 * `components.schemas` of `src/schema/v2.openapi.json` (portone-io/developers.portone.io), and a check that an
 * answer has every required field and no field its schema lacks.
 */
import assert from 'node:assert/strict';

// biome-ignore format: one line per list, as copied from the OpenAPI
export const OPENAPI = {
  ReadyPayment: {
    required: ['status', 'id', 'transactionId', 'merchantId', 'storeId', 'version', 'requestedAt', 'updatedAt', 'statusChangedAt', 'orderName', 'amount', 'currency', 'customer', 'origin'],
    properties: ['status', 'id', 'transactionId', 'merchantId', 'storeId', 'method', 'channel', 'channelGroup', 'version', 'scheduleId', 'billingKey', 'webhooks', 'requestedAt', 'updatedAt', 'statusChangedAt', 'orderName', 'amount', 'currency', 'customer', 'origin', 'promotionId', 'isCulturalExpense', 'escrow', 'products', 'productCount', 'customData', 'country'],
  },
  PayPendingPayment: {
    required: ['status', 'id', 'transactionId', 'merchantId', 'storeId', 'channel', 'version', 'requestedAt', 'updatedAt', 'statusChangedAt', 'orderName', 'amount', 'currency', 'customer', 'origin'],
    properties: ['status', 'id', 'transactionId', 'merchantId', 'storeId', 'method', 'channel', 'channelGroup', 'version', 'scheduleId', 'billingKey', 'webhooks', 'requestedAt', 'updatedAt', 'statusChangedAt', 'orderName', 'amount', 'currency', 'customer', 'origin', 'promotionId', 'isCulturalExpense', 'escrow', 'products', 'productCount', 'customData', 'country', 'pgTxId'],
  },
  VirtualAccountIssuedPayment: {
    required: ['status', 'id', 'transactionId', 'merchantId', 'storeId', 'channel', 'version', 'requestedAt', 'updatedAt', 'statusChangedAt', 'orderName', 'amount', 'currency', 'customer', 'origin'],
    properties: ['status', 'id', 'transactionId', 'merchantId', 'storeId', 'method', 'channel', 'channelGroup', 'version', 'scheduleId', 'billingKey', 'webhooks', 'requestedAt', 'updatedAt', 'statusChangedAt', 'orderName', 'amount', 'currency', 'customer', 'origin', 'promotionId', 'isCulturalExpense', 'escrow', 'products', 'productCount', 'customData', 'country', 'pgTxId'],
  },
  PaidPayment: {
    required: ['status', 'id', 'transactionId', 'merchantId', 'storeId', 'channel', 'version', 'requestedAt', 'updatedAt', 'statusChangedAt', 'orderName', 'amount', 'currency', 'customer', 'origin', 'paidAt', 'disputes'],
    properties: ['status', 'id', 'transactionId', 'merchantId', 'storeId', 'method', 'channel', 'channelGroup', 'version', 'scheduleId', 'billingKey', 'webhooks', 'requestedAt', 'updatedAt', 'statusChangedAt', 'orderName', 'amount', 'currency', 'customer', 'origin', 'promotionId', 'isCulturalExpense', 'escrow', 'products', 'productCount', 'customData', 'country', 'paidAt', 'pgTxId', 'pgResponse', 'cashReceipt', 'cashReceiptIssuanceStatus', 'receiptUrl', 'disputes', 'cancellations'],
  },
  PartialCancelledPayment: {
    required: ['status', 'id', 'transactionId', 'merchantId', 'storeId', 'channel', 'version', 'requestedAt', 'updatedAt', 'statusChangedAt', 'orderName', 'amount', 'currency', 'customer', 'origin', 'cancellations', 'cancelledAt'],
    properties: ['status', 'id', 'transactionId', 'merchantId', 'storeId', 'method', 'channel', 'channelGroup', 'version', 'scheduleId', 'billingKey', 'webhooks', 'requestedAt', 'updatedAt', 'statusChangedAt', 'orderName', 'amount', 'currency', 'customer', 'origin', 'promotionId', 'isCulturalExpense', 'escrow', 'products', 'productCount', 'customData', 'country', 'paidAt', 'pgTxId', 'cashReceipt', 'cashReceiptIssuanceStatus', 'receiptUrl', 'cancellations', 'cancelledAt'],
  },
  CancelledPayment: {
    required: ['status', 'id', 'transactionId', 'merchantId', 'storeId', 'channel', 'version', 'requestedAt', 'updatedAt', 'statusChangedAt', 'orderName', 'amount', 'currency', 'customer', 'origin', 'cancellations', 'cancelledAt'],
    properties: ['status', 'id', 'transactionId', 'merchantId', 'storeId', 'method', 'channel', 'channelGroup', 'version', 'scheduleId', 'billingKey', 'webhooks', 'requestedAt', 'updatedAt', 'statusChangedAt', 'orderName', 'amount', 'currency', 'customer', 'origin', 'promotionId', 'isCulturalExpense', 'escrow', 'products', 'productCount', 'customData', 'country', 'paidAt', 'pgTxId', 'cashReceipt', 'cashReceiptIssuanceStatus', 'receiptUrl', 'cancellations', 'cancelledAt'],
  },
  FailedPayment: {
    required: ['status', 'id', 'transactionId', 'merchantId', 'storeId', 'version', 'requestedAt', 'updatedAt', 'statusChangedAt', 'orderName', 'amount', 'currency', 'customer', 'origin', 'failedAt', 'failure'],
    properties: ['status', 'id', 'transactionId', 'merchantId', 'storeId', 'method', 'channel', 'channelGroup', 'version', 'scheduleId', 'billingKey', 'webhooks', 'requestedAt', 'updatedAt', 'statusChangedAt', 'orderName', 'amount', 'currency', 'customer', 'origin', 'promotionId', 'isCulturalExpense', 'escrow', 'products', 'productCount', 'customData', 'country', 'failedAt', 'failure'],
  },
  PaymentAmount: {
    required: ['total', 'taxFree', 'discount', 'paid', 'cancelled', 'cancelledTaxFree'],
    properties: ['total', 'taxFree', 'vat', 'supply', 'discount', 'paid', 'cancelled', 'cancelledTaxFree'],
  },
  PaymentMethodCard: {
    required: ['type'],
    properties: ['type', 'card', 'approvalNumber', 'installment', 'pointUsed'],
  },
  PaymentMethodVirtualAccount: {
    required: ['type', 'accountNumber'],
    properties: ['type', 'bank', 'accountNumber', 'accountType', 'remitteeName', 'remitterName', 'expiredAt', 'issuedAt', 'refundStatus'],
  },
  SelectedChannel: {
    required: ['type', 'pgProvider', 'pgMerchantId'],
    properties: ['type', 'id', 'key', 'name', 'pgProvider', 'pgMerchantId'],
  },
  PaymentOrigin: {
    required: ['platformType', 'ipAddress'],
    properties: ['platformType', 'userAgent', 'url', 'ipAddress'],
  },
  PaymentFailure: {
    required: [],
    properties: ['reason', 'pgCode', 'pgMessage'],
  },
  RequestedPaymentCancellation: {
    required: ['status', 'id', 'totalAmount', 'taxFreeAmount', 'vatAmount', 'reason', 'requestedAt'],
    properties: ['status', 'id', 'pgCancellationId', 'totalAmount', 'taxFreeAmount', 'vatAmount', 'easyPayDiscountAmount', 'reason', 'cancelledAt', 'requestedAt', 'trigger'],
  },
  SucceededPaymentCancellation: {
    required: ['status', 'id', 'totalAmount', 'taxFreeAmount', 'vatAmount', 'reason', 'requestedAt'],
    properties: ['status', 'id', 'pgCancellationId', 'totalAmount', 'taxFreeAmount', 'vatAmount', 'easyPayDiscountAmount', 'reason', 'cancelledAt', 'requestedAt', 'receiptUrl', 'trigger'],
  },
  FailedPaymentCancellation: {
    required: ['status', 'id', 'totalAmount', 'taxFreeAmount', 'vatAmount', 'reason', 'requestedAt'],
    properties: ['status', 'id', 'pgCancellationId', 'totalAmount', 'taxFreeAmount', 'vatAmount', 'easyPayDiscountAmount', 'reason', 'cancelledAt', 'requestedAt', 'trigger'],
  },
  CancelPaymentResponse: {
    required: ['cancellation'],
    properties: ['cancellation'],
  },
  CloseVirtualAccountResponse: {
    required: ['closedAt'],
    properties: ['closedAt'],
  },
  PlatformAccountHolder: {
    required: ['holderName', 'accountVerificationId'],
    properties: ['holderName', 'accountVerificationId'],
  },
  PgProviderError: {
    required: ['type', 'pgCode', 'pgMessage'],
    properties: ['type', 'message', 'pgCode', 'pgMessage'],
  },
  InvalidRequestError: {
    required: ['type'],
    properties: ['type', 'message'],
  },
} as const satisfies Record<string, { required: readonly string[]; properties: readonly string[] }>;

export type SchemaName = keyof typeof OPENAPI;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Fails unless `value` is an object with every field `name` requires and only fields `name` has. */
export const assertSchema = (name: SchemaName, value: unknown): Record<string, unknown> => {
  assert.ok(isRecord(value), `${name}: not an object`);
  const { required, properties } = OPENAPI[name];
  for (const field of required) assert.ok(field in value, `${name}: required field ${field} missing`);
  const known: readonly string[] = properties;
  for (const field of Object.keys(value)) assert.ok(known.includes(field), `${name}: field ${field} is not in it`);
  return value;
};

const VARIANT_OF_STATUS: Record<string, SchemaName> = {
  READY: 'ReadyPayment',
  PAY_PENDING: 'PayPendingPayment',
  VIRTUAL_ACCOUNT_ISSUED: 'VirtualAccountIssuedPayment',
  PAID: 'PaidPayment',
  PARTIAL_CANCELLED: 'PartialCancelledPayment',
  CANCELLED: 'CancelledPayment',
  FAILED: 'FailedPayment',
};

const CANCELLATION_OF_STATUS: Record<string, SchemaName> = {
  REQUESTED: 'RequestedPaymentCancellation',
  SUCCEEDED: 'SucceededPaymentCancellation',
  FAILED: 'FailedPaymentCancellation',
};

/** A `PaymentCancellation` union member, checked against the variant its `status` names. */
export const assertCancellation = (value: unknown): Record<string, unknown> => {
  assert.ok(isRecord(value));
  const variant = CANCELLATION_OF_STATUS[String(value.status)];
  assert.ok(variant, `PaymentCancellation: unknown status ${String(value.status)}`);
  return assertSchema(variant, value);
};

/** A `Payment` union member, checked (with its amount, method and cancellations) against its status's variant. */
export const assertPayment = (value: unknown): Record<string, unknown> => {
  assert.ok(isRecord(value));
  const variant = VARIANT_OF_STATUS[String(value.status)];
  assert.ok(variant, `Payment: unknown status ${String(value.status)}`);
  const payment = assertSchema(variant, value);
  assertSchema('PaymentAmount', payment.amount);
  assertSchema('PaymentOrigin', payment.origin);
  if (payment.channel !== undefined) assertSchema('SelectedChannel', payment.channel);
  if (payment.failure !== undefined) assertSchema('PaymentFailure', payment.failure);
  if (isRecord(payment.method)) {
    assertSchema(
      payment.method.type === 'PaymentMethodCard' ? 'PaymentMethodCard' : 'PaymentMethodVirtualAccount',
      payment.method,
    );
  }
  if (Array.isArray(payment.cancellations)) for (const entry of payment.cancellations) assertCancellation(entry);
  return payment;
};
