/** @module The refund form's state as the customer fills it in: the values as typed and the fields marked invalid. */
import { emptyForm, type Field, type FormContext, invalidFields, isFieldValid } from './form.ts';
import { fieldOf } from './form-template.ts';

export class RefundForm {
  values = emptyForm();
  invalid = new Set<Field>();
  /** The payment, presets and fixed amount the form works with; undefined before the payment is loaded. */
  readonly #context: () => FormContext | undefined;

  constructor(context: () => FormContext | undefined) {
    this.#context = context;
  }

  /** A control changed: keeps its value and re-checks its field if marked. Returns a control it revealed, to focus. */
  input(control: HTMLInputElement): string | undefined {
    const { name, value } = control;
    if (name === 'account' || name === 'phone') control.value = value.replace(/[^\d\s-]/g, '');
    const change = name === 'scope' ? { partial: value === 'partial' } : { [name]: control.value };
    this.values = { ...this.values, ...change };
    this.#check(name, false);
    if (name === 'preset' && value === 'other') return '[name=other]';
    if (name === 'scope' && this.values.partial) return '[name=amount]';
    return undefined;
  }

  /**
   * Focus left a control: a text field is checked as it is left (selects are fine once chosen; an empty one is caught
   * on Continue). Returns whether a mark changed.
   */
  left(control: HTMLInputElement): boolean {
    const text = control.localName === 'input' && control.type !== 'radio';
    return text && !!control.value && this.#check(control.name, true);
  }

  /** Marks every field that is not acceptable yet; true when none is. */
  validate(): boolean {
    this.invalid = new Set(invalidFields(this.values, this.#context()!)); // Continue is only offered on a loaded form
    return !this.invalid.size;
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
    if (isFieldValid(field, this.values, ctx)) this.invalid.delete(field);
    else this.invalid.add(field);
    return was !== this.invalid.has(field);
  }
}
