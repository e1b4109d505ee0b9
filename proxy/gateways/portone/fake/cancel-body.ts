/**
 * @module The `CancelPaymentBody` of `POST /payments/{paymentId}/cancel` as the OpenAPI defines it (`reason` required;
 * int64 amounts; `requester` a CancelRequester; `refundAccount` a CancelPaymentBodyRefundAccount with a `Bank`).
 * Fields it does not define are ignored.
 */
import * as v from 'valibot';
import { BankSchema } from './banks.ts';

const int = v.pipe(v.number(), v.integer(), v.safeInteger());
const nonNegative = v.pipe(int, v.minValue(0));

export const CancelPaymentBodySchema = v.object({
  storeId: v.optional(v.string()),
  amount: v.optional(v.pipe(int, v.minValue(1))),
  taxFreeAmount: v.optional(nonNegative),
  vatAmount: v.optional(nonNegative),
  reason: v.pipe(v.string(), v.minLength(1)),
  requester: v.optional(v.picklist(['CUSTOMER', 'ADMIN'])),
  promotionDiscountRetainOption: v.optional(v.picklist(['RETAIN', 'RELEASE'])),
  currentCancellableAmount: v.optional(nonNegative),
  refundAccount: v.optional(
    v.object({
      bank: BankSchema,
      number: v.pipe(v.string(), v.minLength(1)),
      holderName: v.pipe(v.string(), v.minLength(1)),
      holderPhoneNumber: v.optional(v.string()),
    }),
  ),
  refundEmail: v.optional(v.string()),
  skipWebhook: v.optional(v.boolean()),
});

export type CancelPaymentBody = v.InferOutput<typeof CancelPaymentBodySchema>;

/** The body, or the issues as one message for INVALID_REQUEST. */
export const readCancelBody = async (
  request: Request,
): Promise<{ ok: true; body: CancelPaymentBody } | { ok: false; message: string }> => {
  let json: unknown;
  try {
    json = await request.json();
  } catch {
    return { ok: false, message: '요청 본문을 해석할 수 없습니다.' };
  }
  const parsed = v.safeParse(CancelPaymentBodySchema, json);
  if (parsed.success) return { ok: true, body: parsed.output };
  const where = (issue: v.BaseIssue<unknown>) => issue.path?.map((item) => String(item.key)).join('.') ?? '';
  return { ok: false, message: parsed.issues.map((issue) => `${where(issue)}: ${issue.message}`).join('; ') };
};
