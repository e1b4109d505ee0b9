/**
 * @module The rule of each refund form field as plain data, and the checks the widget runs with them. The proxy's
 * valibot schemas (fields.ts) are built from the same rules, so a value the widget accepts is a value the proxy accepts;
 * the widget checks without valibot, whose runtime would add ~1 KB to its 18 KB gzipped budget. field-rules.test.ts
 * holds the checks and the schemas to the same answers.
 */

/** Removes the spaces and hyphens people type into account and phone numbers. */
export const stripSeparators = (s: string): string => s.replace(/[\s-]/g, '');

// C0 and C1 controls, and the bidi marks, embeddings, overrides and isolates that make text display in another order
// than it is stored (an audit line or a PG's console showing something else than was sent). The line and paragraph
// separators (U+2028, U+2029) break a line as \n does, where a reader of logs or a PG's console expects one line; the
// zero-width space, word joiner and BOM hide text in text. The zero-width joiners (U+200C, U+200D) stay: emoji and some
// scripts are written with them. With the `u` flag a surrogate pair is one code point, so the surrogate range matches
// only an unpaired half.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this pattern's purpose.
const NOT_PLAIN = /[\0-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u2028-\u202e\u2060\u2066-\u2069\ufeff\ud800-\udfff]/u;

// Something a reader can see: a letter, digit, punctuation or symbol (emoji included). Text of only joiners, combining
// marks or spaces other than the ones trim() removes looks empty on every screen it reaches.
const VISIBLE = /[\p{L}\p{N}\p{P}\p{S}]/u;

/**
 * True for text a person types: no control characters, line separators, zero-width spaces, bidi overrides or unpaired
 * surrogates, and (unless empty) something visible.
 */
export const isPlainText = (text: string): boolean => !NOT_PLAIN.test(text) && (text === '' || VISIBLE.test(text));

/** A text field's rule: its text is trimmed (with `strip`, loses all spaces and hyphens), then must fit these. */
export interface TextRule {
  readonly strip?: true;
  /** Refuses control characters, line separators, zero-width spaces, bidi overrides, unpaired surrogates and text with
   * nothing visible (isPlainText). */
  readonly plain?: true;
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: RegExp;
}

/** The text fields of a refund request, by their name in it. */
export const TEXT_RULES = {
  /**
   * The merchant's order id (plain text: PostgreSQL cannot even store a NUL): i'mport's merchant_uid (at most 40) or
   * PortOne V2's paymentId, for which V2 sets no limit and whose own guide makes 44-character ones
   * (`payment-${crypto.randomUUID()}`). An id longer than i'mport keeps is simply not found there.
   */
  merchant_uid: { min: 1, max: 128, plain: true },
  /** Why the customer wants the refund; i'mport keeps at most 256 characters. */
  reason: { min: 1, max: 256, plain: true },
  /** The name on the refund account. */
  refund_holder: { min: 1, max: 30, plain: true },
  /**
   * A PG's bank code (KCP `BK88`, Inicis `88`, KFTC `088` …) or a PortOne V2 `Bank` (`SHINHAN`, `STANDARD_CHARTERED`,
   * `KAKAO_PAY_SECURITIES`: capitals joined by one to three underscores); checked against the payment's banks by the proxy.
   */
  refund_bank: { pattern: /^(?:[A-Z0-9]{2,8}|[A-Z]+(?:_[A-Z]+){1,3})$/ },
  /** A Korean bank account number: digits only once spaces and hyphens are removed, 8 to 16 of them. */
  refund_account: { strip: true, pattern: /^\d{8,16}$/ },
  /** A Korean phone number: digits only once spaces and hyphens are removed, 9 to 11 of them, starting with 0. */
  refund_tel: { strip: true, pattern: /^0\d{8,10}$/ },
} as const satisfies Record<string, TextRule>;

/** A refund amount: positive and finite. Whole numbers for KRW are checked once the payment's currency is known. */
export const AMOUNT_RULE = { min: 0.01, max: 1e12 } as const;

/** The text a field sends (trimmed, or without separators), or undefined when its rule refuses it. */
export const checkText = (rule: TextRule, input: string): string | undefined => {
  const text = rule.strip ? stripSeparators(input) : input.trim();
  const { min = 0, max = Infinity, pattern, plain } = rule;
  const fits =
    text.length >= min && text.length <= max && (pattern?.test(text) ?? true) && (!plain || isPlainText(text));
  return fits ? text : undefined;
};

/** True for an amount the amount rule allows. */
export const checkAmount = (amount: number): boolean =>
  Number.isFinite(amount) && amount >= AMOUNT_RULE.min && amount <= AMOUNT_RULE.max;
