/** @module The filter form above a list: status, a date range and a search by merchant_uid. */
import { html, type TemplateResult } from 'lit';
import type { Filters } from './controller.ts';
import type { DeskStrings } from './strings.ts';

export interface FilterOptions {
  readonly id: string;
  readonly filters: Filters;
  /** [value, label] for the status select; '' is "all". */
  readonly statuses: readonly (readonly [string, string])[];
  readonly s: DeskStrings;
  readonly apply: () => void;
}

export const filterForm = ({ id, filters, statuses, s, apply }: FilterOptions): TemplateResult => {
  const set = (key: keyof Filters) => (e: Event) => {
    filters[key] = (e.target as HTMLInputElement | HTMLSelectElement).value;
  };
  const submit = (e: Event) => {
    e.preventDefault();
    apply();
  };
  return html`<form part="filters" class="filters" aria-label=${s.filters} @submit=${submit}>
    <label part="field"
      ><span part="label">${s.status}</span>
      <select part="input" name="status" id="${id}-status" @change=${set('status')}>
        ${statuses.map(([value, label]) => html`<option value=${value} ?selected=${value === filters.status}>${label}</option>`)}
      </select></label
    >
    <label part="field"
      ><span part="label">${s.from}</span>
      <input part="input" type="date" name="from" .value=${filters.from} @change=${set('from')}
    /></label>
    <label part="field"
      ><span part="label">${s.to}</span> <input part="input" type="date" name="to" .value=${filters.to} @change=${set('to')}
    /></label>
    <label part="field"
      ><span part="label">${s.search}</span>
      <input part="input" type="search" name="merchant_uid" .value=${filters.merchant_uid} @input=${set('merchant_uid')}
    /></label>
    <button part="button" type="submit">${s.apply}</button>
  </form>`;
};

/**
 * "Load more" under a list while the API has a next page; kept (inert) while a page loads, so the keyboard stays on it
 * until the first row the page brought takes it, or, when the page fails, to try again.
 */
export const loadMore = (cursor: string | null, loading: boolean, s: DeskStrings, more: () => void) =>
  html`${loading ? html`<p part="note">${s.loading}</p>` : ''}
  ${
    cursor
      ? html`<button part="button" class="more" type="button" aria-disabled=${loading ? 'true' : 'false'} @click=${() => loading || more()}>
        ${s.loadMore}
      </button>`
      : ''
  }`;
