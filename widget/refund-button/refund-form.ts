/**
 * @module The refund form's state as the customer fills it in: the values as typed, the fields marked invalid, and
 * what the bank said of the account's holder (checked 600 ms after the account's last change).
 */
import {
  buildRequest,
  emptyForm,
  type Field,
  type FormContext,
  fieldsOf,
  halfWidth,
  isFieldValid,
  needsAccount,
} from './form.ts';
import { fieldOf } from './form-template.ts';
import type { HolderCheck } from './refund-flow.ts';

const ACCOUNT_FIELDS = ['holder', 'bank', 'account'] as const;

export class RefundForm {
  values = emptyForm();
  /**
   * The fields marked invalid, each with whether its error is announced as it appears: Continue announces only the
   * first one it marks (where focus goes), so that one thing is said; a field marked on its own is announced.
   */
  invalid = new Map<Field, boolean>();
  /** What the bank said of the account as it now stands; a mismatch marks the holder's field. */
  check?: HolderCheck;
  /** The payment, presets and fixed amount the form works with; undefined before the payment is loaded. */
  readonly #context: () => FormContext | undefined;
  /** Asks the bank; `changed` re-renders once it answered. */
  readonly #verify: (body: object) => Promise<HolderCheck | undefined>;
  readonly #changed: () => void;
  /** The account last checked (or being checked), as sent. */
  #account = '';
  #timer?: ReturnType<typeof setTimeout>;

  constructor(
    context: () => FormContext | undefined,
    verify: (body: object) => Promise<HolderCheck | undefined>,
    changed: () => void,
  ) {
    this.#context = context;
    this.#verify = verify;
    this.#changed = changed;
  }

  /** A new dialog: nothing typed, nothing checked. */
  clear(): void {
    this.values = emptyForm();
    this.#watch();
  }

  /**
   * A control changed: keeps its value and re-checks its field if marked. Focus stays where it is, on a field it
   * reveals too ("other" reason's text): arrow keys change a select's value and a radio group's as they move through
   * it (WCAG 3.2.2), and must be able to go on, or back to "full".
   */
  input(control: HTMLInputElement): void {
    const { name, value } = control;
    // Full-width digits are digits: a Korean IME in full-width mode types them, and dropped, nothing would appear.
    if (name === 'account' || name === 'phone') control.value = halfWidth(value).replace(/[^\d\s-]/g, '');
    const change = name === 'scope' ? { partial: value === 'partial' } : { [name]: control.value };
    this.values = { ...this.values, ...change };
    this.#check(name, false);
    this.#watch();
  }

  /**
   * Focus left a control: a text field is checked as it is left (selects are fine once chosen; an empty one is caught
   * on Continue). Returns whether a mark changed.
   */
  left(control: HTMLInputElement): boolean {
    const text = control.localName === 'input' && control.type !== 'radio';
    return text && !!control.value && this.#check(control.name, true);
  }

  /**
   * Marks every field that is not acceptable yet (a holder the bank refused included), announcing the first; true when
   * none is.
   */
  validate(): boolean {
    const ctx = this.#context()!; // Continue is only offered on a loaded form
    const marked = fieldsOf(ctx).filter((field) => this.#bad(field, ctx));
    this.invalid = new Map(marked.map((field, i) => [field, !i]));
    return !this.invalid.size;
  }

  /** What the bank said of the account as it stands (the check's answer, or the refund's own mismatch). */
  found(check?: HolderCheck): void {
    this.check = check;
    // A mismatch marks the holder's field; otherwise only a fresh check of the holder itself unmarks it.
    this.#check('holder', check === 'mismatch');
  }

  /** The account changed: forgets what the bank said of the last one, and checks this one 600 ms from now. */
  #watch(): void {
    const ctx = this.#context();
    const complete = ctx && needsAccount(ctx) && ACCOUNT_FIELDS.every((f) => isFieldValid(f, this.values, ctx));
    const r = complete && buildRequest(this.values, ctx);
    const body = r && { refund_holder: r.refund_holder, refund_bank: r.refund_bank, refund_account: r.refund_account };
    const id = JSON.stringify(body);
    if (id === this.#account) return;
    this.#account = id;
    clearTimeout(this.#timer);
    if (this.check) this.found();
    if (!body) return;
    this.#timer = setTimeout(async () => {
      const check = await this.#verify(body);
      if (id !== this.#account) return; // the account changed meanwhile
      this.found(check);
      this.#changed();
    }, 600);
  }

  /** True when a field is to be marked: its value is not acceptable, or it is the holder the bank refused. */
  #bad(field: Field, ctx: FormContext): boolean {
    return !isFieldValid(field, this.values, ctx) || (field === 'holder' && this.check === 'mismatch');
  }

  /**
   * Marks a field valid or not; a field is checked as it is left, and on every keystroke while it is marked.
   * Returns whether its mark changed.
   */
  #check(name: string, always: boolean): boolean {
    const field = fieldOf(name);
    const was = this.invalid.has(field);
    const ctx = this.#context();
    if (!ctx || (!always && !was)) return false; // no payment: the form is being taken down
    if (!this.#bad(field, ctx)) this.invalid.delete(field);
    else if (!was) this.invalid.set(field, true); // marked on its own: announced
    return was !== this.invalid.has(field);
  }
}
