// The widget's checks (checkText, checkAmount) and the proxy's valibot schemas read the same rules: generated values
// must get the same answer from both, and the same cleaned text, or the widget could send what the proxy refuses.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import * as v from 'valibot';
import { checkAmount, checkText, isPlainText, TEXT_RULES, type TextRule } from './field-rules.ts';
import {
  AccountNumberSchema,
  AmountSchema,
  BankCodeSchema,
  HolderSchema,
  MerchantUidSchema,
  PhoneSchema,
  ReasonSchema,
} from './fields.ts';

const SCHEMAS = {
  merchant_uid: MerchantUidSchema,
  reason: ReasonSchema,
  refund_holder: HolderSchema,
  refund_bank: BankCodeSchema,
  refund_account: AccountNumberSchema,
  refund_tel: PhoneSchema,
} satisfies Record<keyof typeof TEXT_RULES, unknown>;

/** Text of any kind: digits with separators and other blanks, bank-code letters, Korean, any character. */
const anyText = fc.oneof(
  fc.stringMatching(/^[\s0-9-]{0,22}$/),
  fc.stringMatching(/^\s{0,2}[A-Za-z0-9]{0,9}\s{0,2}$/),
  fc.string({ unit: fc.constantFrom('a', '홍', ' ', '\t', '\u00a0', '\u3000', '-', '0', '\n'), maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  // Controls, bidi overrides and lone surrogates inside otherwise fine text.
  fc.string({
    unit: fc.constantFrom('a', '홍', '\u202e', '\u2066', '\u200f', '\u0000', '\u0085', '\ud800', '\udc00', '😀'),
    maxLength: 20,
  }),
);

/** Text around a rule's length limits (one character either side), with blanks around it sometimes. */
const edgeText = ({ min = 0, max = 0 }: TextRule) =>
  fc
    .tuple(
      fc.constantFrom(min - 1, min, max, max + 1).filter((n) => n >= 0),
      fc.constantFrom('', ' ', '\t', '- '),
      fc.constantFrom('a', '홍', '0', '-', ' '),
    )
    .map(([length, blank, unit]) => blank + unit.repeat(length) + blank);

describe('shared field rules', () => {
  for (const [name, schema] of Object.entries(SCHEMAS)) {
    it(`${name}: checkText and the schema agree`, () => {
      const rule = TEXT_RULES[name as keyof typeof TEXT_RULES]; // a key of SCHEMAS, which has exactly these keys
      fc.assert(
        fc.property(fc.oneof(anyText, edgeText(rule)), (text) => {
          const parsed = v.safeParse(schema, text);
          assert.equal(checkText(rule, text), parsed.success ? parsed.output : undefined);
        }),
        { numRuns: 3_000 },
      );
    });
  }

  it('amount: checkAmount and the schema agree', () => {
    const amountArbitrary = fc.oneof(
      fc.double(),
      fc.double({ min: -1, max: 1 }),
      fc.constantFrom(0, 0.01, 0.009, 1e12, 1e12 + 1, Number.NaN, Infinity, -Infinity),
    );
    fc.assert(
      fc.property(amountArbitrary, (amount) => {
        assert.equal(checkAmount(amount), v.safeParse(AmountSchema, amount).success);
      }),
      { numRuns: 3_000 },
    );
  });

  it('reason and refund_holder refuse control characters, bidi overrides and unpaired surrogates; emoji pass', () => {
    for (const bad of [
      'a\u202eb',
      'a\u2066b\u2069',
      'a\u0000b',
      'a\nb',
      'a\u0085b',
      'a\ud800b',
      'a\udc00b',
      'a\u200fb',
      // Line and paragraph separators break a log line or a PG console's line; a zero-width space hides text.
      'a\u2028b',
      'a\u2029b',
      'a\u200bb',
      '\u200b',
      'a\u2060b',
      'a\ufeffb',
      // Nothing visible: joiners, a combining mark alone.
      '\u200d',
      '\u200c\u200d',
      '\u0301',
    ]) {
      assert.equal(isPlainText(bad), false, JSON.stringify(bad));
      assert.equal(checkText(TEXT_RULES.reason, bad), undefined);
      assert.equal(v.safeParse(ReasonSchema, bad).success, false);
      assert.equal(v.safeParse(HolderSchema, bad).success, false);
    }
    // A family emoji is joined with U+200D; a dot alone is visible.
    for (const good of ['단순 변심', 'Hong Gildong', '상품 불량 😀', '(주)홍길동', '👨\u200d👩\u200d👧', '.']) {
      assert.equal(checkText(TEXT_RULES.reason, good), good);
      assert.equal(v.safeParse(ReasonSchema, good).success, true);
    }
  });
});
