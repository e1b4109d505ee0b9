/** @module Screen 3: every refund across orders (the refunds feed), with filters, "load more" and a CSV export. */
import { html, type TemplateResult } from 'lit';
import type { RefundRow } from './api.ts';
import type { DeskController } from './controller.ts';
import { filterForm, loadMore } from './filters.ts';
import { dateTime, money } from './format.ts';
import { type DeskStrings, type Lang, OTHER_STATUS_NAMES } from './strings.ts';

const STATUSES = ['succeeded', 'rejected', 'failed', 'unknown', 'in_progress'];

/**
 * A refund attempt's status and amount, as staff read them. An unpaid virtual account's revocation (no checksum) moved
 * no money: it is said so, not "refunded 0".
 */
export const attemptCells = (row: RefundRow, lang: Lang, currency: string | null): [string, string] => {
  const revoked = row.status === 'succeeded' && row.checksum === null;
  const status = revoked ? 'revoked' : row.status;
  const amount = revoked ? null : (row.amount ?? row.requested_amount ?? null);
  return [OTHER_STATUS_NAMES[lang][status] ?? status, money(amount, lang, currency)];
};

export const refundsScreen = (d: DeskController, s: DeskStrings, lang: Lang): TemplateResult => {
  const statuses = [
    ['', s.allStatuses] as const,
    ...STATUSES.map((st) => [st, OTHER_STATUS_NAMES[lang][st] ?? st] as const),
  ];
  return html`<section part="screen" aria-labelledby="h-refunds">
    <h2 part="heading" id="h-refunds" tabindex="-1">${s.refundsHeading}</h2>
    ${filterForm({ id: 'refunds', filters: d.refunds.filters, statuses, s, apply: () => void d.loadRefunds() })}
    <button part="button" class="export" type="button" @click=${() => void d.exportCsv()}>${s.exportCsv}</button>
    ${!d.refunds.rows.length && !d.refunds.loading ? html`<p part="note">${s.empty}</p>` : ''}
    <ul part="list" class="list">
      ${d.refunds.rows.map(
        (row) => html`<li part="row" class="row" data-id=${row.id}>
          <span class="main"
            ><button part="link" class="link" type="button" @click=${() => void d.openOrder(row.merchant_uid)}>
              ${row.merchant_uid}
            </button>
            <span part="status" class="status">${attemptCells(row, lang, row.currency)[0]}</span></span
          >
          <span>${attemptCells(row, lang, row.currency)[1]}</span>
          <span>${dateTime(row.created_at, lang)}</span>
          ${row.error_code ? html`<span class="code">${row.error_code}</span>` : ''}
        </li>`,
      )}
    </ul>
    ${loadMore(d.refunds.cursor, d.refunds.loading, s, () => void d.loadRefunds(true))}
  </section>`;
};
