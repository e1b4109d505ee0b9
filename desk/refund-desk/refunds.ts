/** @module Screen 3: every refund across orders (the refunds feed), with filters, "load more" and a CSV export. */
import { html, type TemplateResult } from 'lit';
import type { DeskController } from './controller.ts';
import { filterForm, loadMore } from './filters.ts';
import { attemptCells, dateTime } from './format.ts';
import { type DeskStrings, type Lang, OTHER_STATUS_NAMES } from './strings.ts';

const STATUSES = ['succeeded', 'rejected', 'failed', 'unknown', 'in_progress'];

export const refundsScreen = (d: DeskController, s: DeskStrings, lang: Lang): TemplateResult => {
  const statuses = [
    ['', s.allStatuses] as const,
    ...STATUSES.map((st) => [st, OTHER_STATUS_NAMES[lang][st] ?? st] as const),
  ];
  return html`<section part="screen" aria-labelledby="h-refunds">
    <h2 part="heading" id="h-refunds" tabindex="-1">${s.refundsHeading}</h2>
    ${filterForm({ id: 'refunds', filters: d.refunds.filters, statuses, s, apply: () => void d.loadRefunds() })}
    <button part="button" class="export" type="button" @click=${() => void d.exportCsv()}>${s.exportCsv}</button>
    ${!d.refunds.rows.length && !d.refunds.loading && !d.refunds.failed ? html`<p part="note">${s.empty}</p>` : ''}
    <ul part="list" class="list">
      ${d.refunds.rows.map((row) => {
        const { status, amount } = attemptCells(row, lang, row.currency);
        return html`<li part="row" class="row" data-id=${row.id}>
          <span class="main"
            ><button part="link" class="link" type="button" @click=${() => void d.openOrder(row.merchant_uid)}>
              ${row.merchant_uid}
            </button>
            <span part="status" class="status">${status}</span></span
          >
          <span>${amount}</span>
          <span>${dateTime(row.created_at, lang)}</span>
          ${row.error_code ? html`<span class="code">${row.error_code}</span>` : ''}
        </li>`;
      })}
    </ul>
    ${loadMore(d.refunds.cursor, d.refunds.loading, s, () => void d.loadRefunds(true))}
  </section>`;
};
