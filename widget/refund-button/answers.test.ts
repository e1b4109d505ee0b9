/**
 * @module The widget's answer readers against the shared valibot schemas the proxy answers by: on generated answers,
 * valid and mutated (fields missing, of the wrong type, NaN and infinities, extra fields), a reader accepts exactly
 * what its schema accepts and returns what the schema outputs, or the widget would show what the proxy never meant.
 */
import { expect } from '@open-wc/testing';
import fc from 'fast-check';
import * as v from 'valibot';
import { codeForBareStatus, ERROR_CODES, ERRORS, isErrorCode } from '../../shared/errors.ts';
import { REQUEST_STATUSES, RequestCreatedSchema, RequestViewSchema } from '../../shared/refund-requests.ts';
import { CancelSuccessSchema, ErrorAnswerSchema } from '../../shared/schemas/answers.ts';
import { NOT_REFUNDABLE_REASONS, RefundViewSchema } from '../../shared/schemas/refund-view.ts';
import { readCreated, readError, readMoved, readSuccess, readView } from './answers.ts';

const RUNS = 2_000;

/** A number valibot's `number()` takes: any but NaN, infinities and -0 included. */
const aNumber = fc.oneof(fc.double({ noNaN: true }), fc.integer(), fc.constantFrom(0, -0, Infinity, -Infinity));

/** Anything a field could hold instead: other types, NaN, numbers in strings, null, undefined, objects, arrays. */
const anyValue = fc.oneof(
  fc.anything(),
  fc.constantFrom(Number.NaN, Infinity, '1000', '', 'true', null, undefined, true, false, [], {}),
);

const REMOVE = Symbol('remove the field');

/**
 * A valid answer with one to three edits: a field (one of `keys`, or an extra one) removed, or set to any value.
 * Some edits leave it valid (a right-typed value, an extra field): the schema is the judge, not the edit.
 */
const mutated = <T extends Record<string, unknown>>(valid: fc.Arbitrary<T>, keys: readonly string[]) => {
  const key = fc.oneof(
    fc.constantFrom(...keys),
    fc.string().filter((k) => k !== '__proto__'),
  );
  const edit = fc.tuple(key, fc.oneof(fc.constant(REMOVE), anyValue));
  return fc.tuple(valid, fc.array(edit, { minLength: 1, maxLength: 3 })).map(([answer, edits]) => {
    const out: Record<string, unknown> = { ...answer };
    for (const [k, value] of edits) {
      if (value === REMOVE) delete out[k];
      else out[k] = value;
    }
    return out;
  });
};

const validBank = fc.record({ code: fc.string(), name_ko: fc.string(), name_en: fc.string() });
const bank = fc.oneof(validBank, mutated(validBank, ['code', 'name_ko', 'name_en']));

const validPayout = fc.record({ min_business_days: aNumber, max_business_days: fc.option(aNumber, { nil: null }) });
const PAYOUT_KEYS = ['min_business_days', 'max_business_days'];

const REQUEST_KEYS = Object.keys(RequestViewSchema.entries);
const validRequest = fc.record({
  id: fc.string(),
  status: fc.constantFrom(...REQUEST_STATUSES),
  amount: aNumber,
  reason: fc.string(),
  created_at: aNumber,
  decided_at: fc.option(aNumber, { nil: null }),
  reject_reason: fc.option(fc.string(), { nil: null }),
  allow_new_request: fc.boolean(),
});
const request = fc.oneof(validRequest, mutated(validRequest, REQUEST_KEYS));

const VIEW_KEYS = Object.keys(RefundViewSchema.entries);
const validView = fc.record(
  {
    merchant_uid: fc.string(),
    imp_uid: fc.string(),
    name: fc.option(fc.string(), { nil: null }),
    amount: aNumber,
    cancel_amount: aNumber,
    cancelable_amount: aNumber,
    currency: fc.constantFrom('KRW', 'USD', 'JPY'),
    pay_method: fc.string(),
    pg_provider: fc.string(),
    status: fc.constantFrom('paid', 'ready', 'cancelled'),
    paid_at: fc.option(aNumber, { nil: null }),
    refundable: fc.boolean(),
    reason: fc.constantFrom(...NOT_REFUNDABLE_REASONS),
    revocable: fc.boolean(),
    refund_account_required: fc.boolean(),
    refund_tel_required: fc.boolean(),
    banks: fc.array(validBank, { maxLength: 3 }),
    payout_estimate: fc.option(fc.oneof(validPayout, mutated(validPayout, PAYOUT_KEYS)), { nil: null }),
    grant_remaining: aNumber,
    grant_minimum: aNumber,
    cancelable_tax_free_amount: fc.option(aNumber, { nil: null }),
    request_mode: fc.boolean(),
    request: fc.option(request, { nil: null }),
  },
  {
    requiredKeys: VIEW_KEYS.filter(
      (k) =>
        ![
          'imp_uid',
          'reason',
          'banks',
          'grant_remaining',
          'grant_minimum',
          'request_mode',
          'request',
          'cancelable_tax_free_amount',
        ].includes(k),
    ) as never[],
  },
);

const SUCCESS_KEYS = Object.keys(CancelSuccessSchema.entries);
const validSuccess = fc.record(
  {
    ok: fc.constant(true as const),
    merchant_uid: fc.string(),
    imp_uid: fc.string(),
    refunded: aNumber,
    cancel_amount: aNumber,
    cancelable_amount: aNumber,
    status: fc.string(),
    pay_method: fc.string(),
    pending: fc.boolean(),
    accepted: fc.boolean(),
    revoked: fc.boolean(),
    receipt_url: fc.webUrl(),
  },
  { requiredKeys: SUCCESS_KEYS.filter((k) => !['accepted', 'revoked', 'receipt_url'].includes(k)) as never[] },
);

/** Holds `read` to `schema` on one input: undefined exactly when the schema refuses it, else the schema's output. */
const agrees = (read: (body: unknown) => unknown, schema: v.GenericSchema) => (input: unknown) => {
  const parsed = v.safeParse(schema, input);
  const out = read(input);
  if (parsed.success) expect(out, JSON.stringify(input)).to.deep.equal(parsed.output);
  else expect(out, JSON.stringify(input)).to.equal(undefined);
};

describe('answer readers and the shared schemas', () => {
  it('readView accepts exactly what RefundViewSchema accepts, and returns its output', () => {
    const banksMutated = fc
      .tuple(validView, fc.array(bank, { minLength: 1, maxLength: 3 }))
      .map(([view, banks]) => ({ ...view, banks }));
    const answers = fc.oneof(validView, mutated(validView, VIEW_KEYS), banksMutated, anyValue);
    fc.assert(fc.property(answers, agrees(readView, RefundViewSchema)), { numRuns: RUNS });
  });

  it('readSuccess accepts exactly what CancelSuccessSchema accepts, and returns its output', () => {
    const answers = fc.oneof(validSuccess, mutated(validSuccess, SUCCESS_KEYS), anyValue);
    fc.assert(fc.property(answers, agrees(readSuccess, CancelSuccessSchema)), { numRuns: RUNS });
  });

  it('readCreated accepts exactly what RequestCreatedSchema accepts, and returns its output', () => {
    const CREATED_KEYS = ['id', 'merchant_uid', 'status', 'amount', 'reason', 'created_at'];
    const created = fc.record({
      id: fc.string(),
      merchant_uid: fc.string(),
      status: fc.constantFrom('requested', 'approved'),
      amount: aNumber,
      reason: fc.string(),
      created_at: aNumber,
    });
    const validCreated = fc.record({ ok: fc.constant(true), request: created });
    const answers = fc.oneof(
      validCreated,
      mutated(validCreated, ['ok', 'request']),
      fc.record({ ok: fc.constant(true), request: mutated(created, CREATED_KEYS) }),
      anyValue,
    );
    fc.assert(fc.property(answers, agrees(readCreated, RequestCreatedSchema)), { numRuns: RUNS });
  });

  it("readMoved accepts exactly a withdrawal's answer { ok: true, request } (RequestViewSchema)", () => {
    const MovedSchema = v.object({ ok: v.literal(true), request: RequestViewSchema });
    const validMoved = fc.record({ ok: fc.constant(true), request: validRequest });
    const answers = fc.oneof(
      validMoved,
      mutated(validMoved, ['ok', 'request']),
      fc.record({ ok: fc.constant(true), request }),
      anyValue,
    );
    fc.assert(fc.property(answers, agrees(readMoved, MovedSchema)), { numRuns: RUNS });
  });

  it('readError reads what ErrorAnswerSchema accepts as the schema does, and anything else by its status', () => {
    const validError = fc.record(
      {
        ok: fc.constant(false as const),
        error: fc.record({ code: fc.constantFrom(...ERROR_CODES), message: fc.string() }),
        cancelable_amount: aNumber,
      },
      { requiredKeys: ['ok', 'error'] },
    );
    const errorEdits = fc
      .tuple(validError, fc.constantFrom('code', 'message'), fc.oneof(fc.constant(REMOVE), anyValue, fc.string()))
      .map(([answer, key, value]) => {
        const error: Record<string, unknown> = { ...answer.error };
        if (value === REMOVE) delete error[key];
        else error[key] = value;
        return { ...answer, error };
      });
    const mutatedError = mutated(validError, ['ok', 'error', 'cancelable_amount']);
    const answers = fc.oneof(validError, mutatedError, errorEdits, anyValue);
    const ourStatus = fc.constantFrom(...ERROR_CODES.map((code) => ERRORS[code].status));
    const status = fc.oneof(ourStatus, fc.integer({ min: 400, max: 599 }));
    fc.assert(
      fc.property(answers, status, (answer, status) => {
        const reading = readError(answer, status);
        const parsed = v.safeParse(ErrorAnswerSchema, answer);
        if (parsed.success) {
          const { error, cancelable_amount } = parsed.output;
          expect(reading).to.deep.equal({ ...error, cancelable_amount, bare: false });
        } else {
          // The proxy's answers always pass (its tests hold them to the schema); anything else is still shown.
          expect(isErrorCode(reading.code), reading.code).to.equal(true);
          expect(reading.message).to.be.a('string');
        }
        const code = (answer as { error?: { code?: unknown } } | null)?.error?.code;
        if (!isErrorCode(code)) expect(reading.code).to.equal(codeForBareStatus(status));
        expect(reading.bare).to.equal(!isErrorCode(code));
      }),
      { numRuns: RUNS },
    );
  });
});
