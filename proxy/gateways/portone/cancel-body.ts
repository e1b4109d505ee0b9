/** @module cancelBodyOf(): V2's `CancelPaymentBody` from the proxy's CancelCommand. */
import { needsRefundTel } from '../../../shared/banks.ts';
import type { CancelCommand } from '../gateway.ts';
import { toMinor } from './minor-units.ts';
import type { CancelBody } from './wire.ts';

export const cancelBodyOf = (command: CancelCommand, storeId: string | undefined): CancelBody => {
  const account = command.refundAccount;
  const minor = (major: number) => toMinor(major, command.payment.currency);
  return {
    reason: command.reason,
    // Omitted, V2 cancels all that remains; currentCancellableAmount still guards it.
    ...(command.all ? {} : { amount: minor(command.amount) }),
    ...(command.taxFree === undefined ? {} : { taxFreeAmount: minor(command.taxFree) }),
    ...(command.vat === undefined ? {} : { vatAmount: minor(command.vat) }),
    requester: command.requester === 'admin' ? 'ADMIN' : 'CUSTOMER',
    currentCancellableAmount: minor(command.checksum),
    ...(account
      ? {
          refundAccount: {
            bank: account.bank,
            number: account.number,
            holderName: account.holder,
            // V2 takes it for Smartro only (its CancelPaymentBodyRefundAccount), whatever the caller sent.
            ...(account.tel && needsRefundTel(command.payment) ? { holderPhoneNumber: account.tel } : {}),
          },
        }
      : {}),
    ...(storeId === undefined ? {} : { storeId }),
  };
};
