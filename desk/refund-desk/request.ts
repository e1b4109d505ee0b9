/**
 * @module Screen 2: one request with its order (paid, refunded), the customer's reason and masked account, and the
 * actions the shared table allows from its status: approve (an amount no higher than asked, then a confirm step that
 * repeats it) and reject (a reason from the presets or typed, and whether the customer may ask again).
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { DeskController } from './controller.ts';
import { age, bankName, currencyDigits, dateTime, fill, money } from './format.ts';
import { paymentSummary } from './order.ts';
import { type DeskStrings, type Lang, STATUS_NAMES } from './strings.ts';

/**
 * Who decided, as staff read it: a staff member by name (the ledger keeps `staff:<sub>`), the merchant's server by its
 * admin key's id (`key:<id>`); anything else as stored.
 */
const deciderName = (by: string, s: DeskStrings): string =>
  by.startsWith('staff:') ? by.slice(6) : by.startsWith('key:') ? fill(s.byKey, { id: by.slice(4) }) : by;

export const requestScreen = (d: DeskController, s: DeskStrings, lang: Lang, now: number): TemplateResult => {
  const r = d.request!; // this screen is only shown with a request
  // The bank by name once the order (its PG) is known; a code no table knows is shown as it is, not dropped.
  const account = (bank: string | null, masked: string) => {
    const name = bank && (bankName(bank, d.order?.payment.pg_provider ?? null, lang) ?? (d.order ? bank : null));
    return name ? `${name} ${masked}` : masked;
  };
  return html`<section part="screen" aria-labelledby="h-request">
    <button part="button" class="back" type="button" @click=${d.showQueue}>← ${s.back}</button>
    <h2 part="heading" id="h-request" tabindex="-1">${fill(s.requestHeading, { uid: r.merchant_uid })}</h2>
    <p><span part="status" class="status">${STATUS_NAMES[lang][r.status]}</span></p>
    <dl part="summary" class="summary">
      <dt>${s.requested}</dt><dd class="amount">${money(r.amount, lang, d.currency)}</dd>
      ${
        r.approved_amount !== null && r.approved_amount !== r.amount
          ? html`<dt>${s.approvedAmount}</dt><dd class="amount">${money(r.approved_amount, lang, d.currency)}</dd>`
          : nothing
      }
      <dt>${s.requestedAt}</dt><dd>${dateTime(r.created_at, lang)} (${age(r.created_at, now, lang)})</dd>
      <dt>${s.reason}</dt><dd class="reason">${r.reason}</dd>
      ${r.refund_account_masked ? html`<dt>${s.account}</dt><dd>${account(r.refund_bank, r.refund_account_masked)}</dd>` : nothing}
    </dl>
    ${r.decided_by ? html`<p part="note">${fill(s.decided, { who: deciderName(r.decided_by, s) })}</p>` : nothing}
    ${
      r.status === 'failed'
        ? html`<p part="note">${fill(s.approvedRefundFailed, { code: r.error_code ?? 'INTERNAL' })}</p>`
        : nothing
    }
    ${r.reject_reason ? html`<p part="note">${fill(s.rejectReasonShown, { reason: r.reject_reason })}</p>` : nothing}
    ${paymentSummary(d.order, s, lang)}
    <div part="actions" class="actions">
      ${
        d.can('approve') && !d.approve.open && !d.reject.open
          ? html`<button part="submit" class="approve" type="button" @click=${() => open(d, 'approve')}>${s.approve}</button>`
          : nothing
      }
      ${
        d.can('reject') && !d.approve.open && !d.reject.open
          ? html`<button part="button" class="reject" type="button" @click=${() => open(d, 'reject')}>${s.reject}</button>`
          : nothing
      }
    </div>
    ${d.approve.open && d.can('approve') ? approveForm(d, s, lang) : nothing}
    ${d.reject.open && d.can('reject') ? rejectForm(d, s) : nothing}
  </section>`;
};

const open = (d: DeskController, which: 'approve' | 'reject'): void => {
  if (which === 'approve') d.approve = { ...d.approve, open: true };
  else d.reject = { ...d.reject, open: true };
  d.changed(which === 'approve' ? '#approve-amount' : '#reject-preset');
};

const approveForm = (d: DeskController, s: DeskStrings, lang: Lang): TemplateResult => {
  const a = d.approve;
  const max = money(d.request!.amount, lang, d.currency);
  if (a.confirming) {
    const amount = d.approvedAmount();
    // While it is sent, Refund (as Reject) is aria-disabled, not disabled: a disabled button would drop the keyboard to
    // the page. A second press does nothing (sendApprove and sendReject return while busy).
    return html`<div part="confirm" class="confirm" role="group" aria-labelledby="confirm-q">
      <p id="confirm-q" part="question">${fill(s.confirmApprove, { amount: money(amount as number, lang, d.currency) })}</p>
      <div part="actions" class="actions">
        <button part="submit" class="do-approve" type="button" aria-disabled=${d.busy ? 'true' : 'false'} @click=${d.sendApprove}>
          ${s.doRefund}
        </button>
        <button part="button" type="button" ?disabled=${d.busy} @click=${() => close(d, 'approve')}>${s.cancel}</button>
      </div>
    </div>`;
  }
  const submit = (e: Event) => {
    e.preventDefault();
    d.confirmApprove();
  };
  return html`<form part="form" class="approve-form" novalidate @submit=${submit}>
    <label part="field" for="approve-amount"><span part="label">${s.approveAmount}</span></label>
    <input
      part="input"
      id="approve-amount"
      name="amount"
      inputmode=${currencyDigits(d.currency) > 0 ? 'decimal' : 'numeric'}
      autocomplete="off"
      aria-describedby="approve-hint approve-error"
      aria-invalid=${a.error ? 'true' : 'false'}
      .value=${a.amount}
      @input=${(e: Event) => (d.approve = { ...d.approve, amount: (e.target as HTMLInputElement).value, error: '' })}
    />
    <p part="hint" id="approve-hint">${fill(s.approveHint, { max })}</p>
    <p part="error" id="approve-error" class="error" role="alert">${a.error}</p>
    <label part="field" for="approve-note"><span part="label">${s.approveNote}</span></label>
    <input
      part="input"
      id="approve-note"
      name="note"
      maxlength="200"
      autocomplete="off"
      .value=${a.note}
      @input=${(e: Event) => (d.approve = { ...d.approve, note: (e.target as HTMLInputElement).value })}
    />
    <div part="actions" class="actions">
      <button part="submit" type="submit">${s.approve}</button>
      <button part="button" type="button" @click=${() => close(d, 'approve')}>${s.cancel}</button>
    </div>
  </form>`;
};

const rejectForm = (d: DeskController, s: DeskStrings): TemplateResult => {
  const r = d.reject;
  const submit = (e: Event) => {
    e.preventDefault();
    void d.sendReject();
  };
  const presets = s.rejectPresets.split('|');
  // The error is the typed reason's once "other" is chosen, else the choice's.
  const typing = r.preset === '*';
  const choose = (e: Event) => {
    d.reject = { ...d.reject, preset: (e.target as HTMLSelectElement).value, error: '' };
    d.changed();
  };
  return html`<form part="form" class="reject-form" novalidate @submit=${submit}>
    <label part="field" for="reject-preset"><span part="label">${s.rejectReason}</span></label>
    <select
      part="input"
      id="reject-preset"
      name="preset"
      aria-describedby="reject-error"
      aria-invalid=${r.error && !typing ? 'true' : 'false'}
      @change=${choose}
    >
      <option value="" ?selected=${r.preset === ''}>${s.choose}</option>
      ${presets.map((p) => html`<option value=${p} ?selected=${r.preset === p}>${p}</option>`)}
      <option value="*" ?selected=${r.preset === '*'}>${s.rejectOther}</option>
    </select>
    ${
      typing
        ? html`<label part="field" for="reject-typed"><span part="label">${s.rejectTyped}</span></label>
          <textarea
            part="input"
            id="reject-typed"
            name="reason"
            maxlength="200"
            aria-describedby="reject-error"
            aria-invalid=${r.error ? 'true' : 'false'}
            .value=${r.typed}
            @input=${(e: Event) => (d.reject = { ...d.reject, typed: (e.target as HTMLTextAreaElement).value, error: '' })}
          ></textarea>`
        : nothing
    }
    <p part="error" id="reject-error" class="error">${r.error}</p>
    <label part="choice" class="check"
      ><input
        type="checkbox"
        name="allow_new_request"
        .checked=${r.allowNew}
        @change=${(e: Event) => (d.reject = { ...d.reject, allowNew: (e.target as HTMLInputElement).checked })}
      />
      ${s.allowNew}</label
    >
    <div part="actions" class="actions">
      <button part="submit" type="submit" aria-disabled=${d.busy ? 'true' : 'false'}>${s.doReject}</button>
      <button part="button" type="button" @click=${() => close(d, 'reject')}>${s.cancel}</button>
    </div>
  </form>`;
};

const close = (d: DeskController, which: 'approve' | 'reject'): void => {
  if (which === 'approve') d.approve = { ...d.approve, open: false, confirming: false, error: '' };
  else d.reject = { ...d.reject, open: false, error: '' };
  d.changed(which === 'approve' ? '.approve' : '.reject');
};
