/** @module Screen 1: the open requests, oldest first, with their age, filters and "load more". */
import { html, type TemplateResult } from 'lit';
import { REQUEST_STATUSES } from '../../shared/refund-requests.ts';
import type { RequestRow } from './api.ts';
import type { DeskController } from './controller.ts';
import { filterForm, loadMore } from './filters.ts';
import { age, money } from './format.ts';
import { type DeskStrings, type Lang, STATUS_NAMES } from './strings.ts';

export const queueScreen = (d: DeskController, s: DeskStrings, lang: Lang, now: number): TemplateResult => {
  const statuses = [
    ['', s.allStatuses] as const,
    ...REQUEST_STATUSES.map((st) => [st, STATUS_NAMES[lang][st]] as const),
  ];
  const rows = d.queueRows;
  return html`<section part="screen" aria-labelledby="h-queue">
    <h2 part="heading" id="h-queue" tabindex="-1">${s.queueHeading}</h2>
    ${filterForm({ id: 'queue', filters: d.queue.filters, statuses, s, apply: () => void d.loadQueue() })}
    ${
      d.failedWaiting && d.queue.filters.status === 'requested'
        ? html`<p part="notice" class="notice">${s.failedWaiting}
            <button part="button" type="button" @click=${d.showFailed}>${s.showFailed}</button></p>`
        : ''
    }
    ${!rows.length && !d.queue.loading && !d.queue.failed ? html`<p part="note">${s.empty}</p>` : ''}
    <ul part="list" class="list">
      ${rows.map(
        (row) => html`<li part="row" class="row" data-id=${row.id}>
          <span class="main"
            ><strong>${row.merchant_uid}</strong> <span part="status" class="status">${STATUS_NAMES[lang][row.status]}</span></span
          >
          <span>${money(decidedAmount(row), lang, row.currency)}</span>
          <span part="age" class="age">${age(row.created_at, now, lang)}</span>
          <span class="reason">${row.reason}</span>
          <button part="button" type="button" aria-label="${s.open}: ${row.merchant_uid}" @click=${() => void d.openRequest(row)}>
            ${s.open}
          </button>
        </li>`,
      )}
    </ul>
    ${loadMore(d.queue.cursor, d.queue.loading, s, () => void d.loadQueue(true))}
  </section>`;
};

/** What a row's amount says: approved or refunded, the amount staff approved (which may be lower); else what was asked. */
const decidedAmount = (row: RequestRow): number =>
  (row.status === 'approved' || row.status === 'refunded') && row.approved_amount !== null
    ? row.approved_amount
    : row.amount;
