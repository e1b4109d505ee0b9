/**
 * @module What `<refund-desk>` knows and does: the screen shown, each list with its filters and next page, the
 * request or order opened, and the approve / reject / send-again actions. The screens render from it
 * (queue.ts, request.ts, refunds.ts, order.ts); the element (refund-desk.ts) owns it.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { inWholeUnits } from '../../shared/currency-units.ts';
import { nextStatus } from '../../shared/refund-requests.ts';
import { parseAmount } from '../../widget/refund-button/form.ts';
import {
  type Order,
  type Page,
  type Query,
  type RefundRow,
  type RequestRow,
  type StaffApi,
  StaffApiError,
} from './api.ts';
import { DeskApprovedEvent, DeskErrorEvent, DeskRedeliveredEvent, DeskRejectedEvent } from './events.ts';
import { currencyDigits, fill, money } from './format.ts';
import type { DeskStrings, Lang } from './strings.ts';

export type Screen = 'queue' | 'request' | 'refunds' | 'order';

export interface Filters {
  status: string;
  from: string;
  to: string;
  merchant_uid: string;
}

/** A list of rows read page by page: never everything at once. */
export interface Listing<T> {
  rows: T[];
  cursor: string | null;
  loading: boolean;
  filters: Filters;
  /** The query the rows shown were read with: "load more" continues it, whatever the form holds since. */
  applied: Query;
  /** The last read of the first page failed: the rows shown (none, at first) are not what the filters select. */
  failed: boolean;
}

const PAGE_SIZE = 20;

/** A date input's `YYYY-MM-DD` as the API's half-open range wants it: `to` is exclusive, so the next day. */
const dayAfter = (day: string): string => new Date(Date.parse(day) + 86_400_000).toISOString().slice(0, 10);

/**
 * The start of a day in Korea (KST, UTC+9, no summer time): the shop's, its PG's and its settlement's day, whatever the
 * browser's zone; a bare date would be midnight UTC to the API, nine hours into the Korean day.
 */
const kstDay = (day: string): string => `${day}T00:00:00+09:00`;

const queryOf = (f: Filters): Query => ({
  status: f.status,
  from: f.from && kstDay(f.from),
  to: f.to && kstDay(dayAfter(f.to)),
  merchant_uid: f.merchant_uid.trim(),
  limit: PAGE_SIZE,
});

export interface DeskHost extends ReactiveControllerHost, HTMLElement {
  readonly api: StaffApi;
  readonly uiLang: Lang;
  readonly s: DeskStrings;
}

export class DeskController implements ReactiveController {
  screen: Screen = 'queue';
  queue: Listing<RequestRow> = listing('requested');
  refunds: Listing<RefundRow> = listing('');
  request: RequestRow | null = null;
  order: Order | null = null;
  /** The order the open screen is about (a request's, or the one opened): an answer for another is dropped. */
  orderUid = '';
  /** Its read failed: nothing is loading any more. */
  orderFailed = false;
  #orderReads = 0;
  /** A decision was made since the refunds list was read: it is read again when shown. */
  #refundsStale = false;
  /** What the status line says of a failed read, cleared once a read succeeds. */
  #readError: string | null = null;
  /**
   * Some request was approved and not refunded (failed): it waits for staff, yet is not in the queue's default filter
   * (requested), so the queue says so and offers to show them.
   */
  failedWaiting = false;
  /** Approving: the amount typed, whether its confirm step is shown, and what is wrong with it. */
  approve = { open: false, amount: '', note: '', confirming: false, error: '' };
  reject = { open: false, preset: '', typed: '', allowNew: true, error: '' };
  busy = false;
  #message = '';
  /** Bumped at each message said, the same words again too: the live region's text is replaced, so it is spoken. */
  messageSeq = 0;
  /** What the live region says: the outcome of the last action. */
  get message(): string {
    return this.#message;
  }
  set message(value: string) {
    this.#message = value;
    this.messageSeq += 1;
  }
  /** What to focus once the next update has rendered (a new screen's heading, a form's first field). */
  focus: string | null = null;

  constructor(private readonly host: DeskHost) {
    host.addController(this);
  }

  hostConnected(): void {}

  #update(): void {
    this.host.requestUpdate();
  }

  /** Re-renders after a screen changed this state, then focuses `focus` if given. */
  changed(focus?: string): void {
    if (focus) this.focus = focus;
    this.#update();
  }

  #go(screen: Screen): void {
    // What the last action came to belongs to the screen it was taken on, not to the next one.
    this.message = '';
    this.screen = screen;
    this.focus = 'h2';
    this.#update();
  }

  #fail(error: unknown): void {
    const code = error instanceof StaffApiError ? error.code : 'INTERNAL';
    const message = error instanceof Error ? error.message : String(error);
    const s = this.host.s;
    this.message =
      code === 'NETWORK'
        ? s.network
        : code === 'UNAUTHORIZED' || code === 'FORBIDDEN'
          ? s.unauthorized
          : code === 'REFUND_IN_PROGRESS'
            ? s.inProgress
            : fill(s.failed, { code });
    this.host.dispatchEvent(new DeskErrorEvent({ code, message }));
  }

  #readSucceeded(): void {
    if (this.#readError !== null && this.message === this.#readError) this.message = '';
    this.#readError = null;
  }

  /** Which read of each list is the latest: an older answer (filters changed meanwhile) is dropped. */
  #reads = new WeakMap<object, number>();

  async #page<T>(list: Listing<T>, read: (q: Query) => Promise<Page<T>>, more: boolean): Promise<void> {
    const n = (this.#reads.get(list) ?? 0) + 1;
    this.#reads.set(list, n);
    list.loading = true;
    this.#update();
    let page: Page<T> | undefined;
    let failed: unknown;
    const query = more && list.cursor ? { ...list.applied, cursor: list.cursor } : queryOf(list.filters);
    try {
      page = await read(query);
    } catch (error) {
      failed = error;
    }
    if (this.#reads.get(list) !== n) return;
    if (page) {
      list.rows = more ? [...list.rows, ...page.data] : page.data;
      list.cursor = page.next_cursor;
      if (!more) {
        list.applied = query; // what was sent, not what the form holds now (edited while the read was out)
        list.failed = false;
      }
      this.#readSucceeded();
      // "Load more" goes while its page loads: the keyboard goes on to the first row it brought.
      const first = more ? (page.data[0] as { id?: unknown } | undefined)?.id : undefined;
      if (typeof first === 'string') this.focus = `li[data-id="${first}"] button`;
    } else {
      if (!more) list.failed = true;
      this.#fail(failed);
      this.#readError = this.message;
    }
    list.loading = false;
    this.#update();
  }

  /** The queue as loaded so far: oldest first, as the proxy pages it (`order=oldest`), so "load more" adds newer. */
  get queueRows(): RequestRow[] {
    return this.queue.rows;
  }

  loadQueue = (more = false): Promise<void> =>
    this.#page(this.queue, (q) => this.host.api.requests({ ...q, order: 'oldest' }), more);

  /** Whether any request waits failed (one row asked for): the queue's notice. A failed read leaves it as it was. */
  checkFailed = async (): Promise<void> => {
    try {
      const page = await this.host.api.requests({ status: 'failed', limit: 1, order: 'oldest' });
      this.failedWaiting = page.data.length > 0;
      this.#update();
    } catch {
      // The queue's own read says what went wrong, if anything does.
    }
  };

  /** The queue's filter set to failed requests, and read. */
  showFailed = (): void => {
    this.queue.filters.status = 'failed';
    this.focus = 'h2'; // its button goes with the notice
    void this.loadQueue();
  };
  loadRefunds = (more = false): Promise<void> => this.#page(this.refunds, this.host.api.refunds, more);

  showQueue = (): void => {
    this.#go('queue');
    if (!this.queue.rows.length) void this.loadQueue();
    void this.checkFailed(); // a failed request may have been decided since
  };

  showRefunds = (): void => {
    this.#go('refunds');
    if (!this.refunds.rows.length || this.#refundsStale) {
      this.#refundsStale = false;
      void this.loadRefunds();
    }
  };

  openRequest = async (row: RequestRow): Promise<void> => {
    this.request = row;
    this.order = null;
    this.orderUid = row.merchant_uid;
    this.orderFailed = false;
    this.approve = { open: false, amount: String(row.amount), note: '', confirming: false, error: '' };
    this.reject = { open: false, preset: '', typed: '', allowNew: true, error: '' };
    this.#go('request');
    await this.#loadOrder(row.merchant_uid);
  };

  openOrder = async (merchantUid: string): Promise<void> => {
    this.order = null;
    this.orderUid = merchantUid;
    this.orderFailed = false;
    this.#go('order');
    await this.#loadOrder(merchantUid);
  };

  async #loadOrder(merchantUid: string): Promise<void> {
    const n = ++this.#orderReads;
    let order: Order | undefined;
    let failed: unknown;
    try {
      order = await this.host.api.order(merchantUid);
    } catch (error) {
      failed = error;
    }
    // An answer for an order no longer shown, or overtaken by a newer read, is dropped.
    if (n !== this.#orderReads || merchantUid !== this.orderUid) return;
    if (order) {
      this.order = order;
      this.orderFailed = false;
    } else {
      this.orderFailed = !this.order;
      this.#fail(failed);
    }
    this.#update();
  }

  /** Whether the request's screen is still the one shown (staff may have moved on while a decision was sent). */
  #showing(request: RequestRow): boolean {
    return this.screen === 'request' && this.request?.id === request.id;
  }

  /**
   * `id:action` the proxy refused as decided although the table allows it from the request's status: a failed request
   * whose order has a newer request (or was refunded outside it) is not approved again. Not offered again.
   */
  #refused = new Set<string>();

  /** Whether staff can still act on the request: the shared table allows `approve` / `reject` from its status. */
  can = (action: 'approve' | 'reject'): boolean =>
    !!this.request &&
    nextStatus(this.request.status, action) !== null &&
    !this.#refused.has(`${this.request.id}:${action}`);

  /**
   * What the open screen's amounts are in: the order's currency once its payment is loaded; before that, on a request's
   * screen, the one its row carries (a PayPal order's request is in dollars from the first paint); won when neither says.
   */
  get currency(): string {
    return this.order?.payment.currency ?? (this.screen === 'request' ? this.request?.currency : null) ?? 'KRW';
  }

  /**
   * The typed amount when it is more than nothing and at most the request's amount, in whole won for a payment in won
   * (a USD one has cents); else the error to show.
   */
  approvedAmount(): number | string {
    const max = this.request?.amount ?? 0;
    // Read as the customer's widget reads one: grouping, 원 and ₩, full-width digits; never 1e3 or 0x10.
    const amount = parseAmount(this.approve.amount);
    // A whole number of the currency's smallest unit (1원, US$0.01), as the proxy requires; the unit is also the least.
    const { s, uiLang } = this.host;
    const least = money(10 ** -currencyDigits(this.currency), uiLang, this.currency);
    const whole = Number.isFinite(amount) && inWholeUnits(amount, this.currency);
    if (!whole || amount <= 0) return fill(s.amountInvalid, { min: least });
    if (amount > max) return fill(s.amountTooHigh, { max: money(max, uiLang, this.currency) });
    return amount;
  }

  confirmApprove = (): void => {
    const amount = this.approvedAmount();
    const ok = typeof amount === 'number';
    this.approve = { ...this.approve, error: ok ? '' : amount, confirming: ok };
    this.changed(ok ? '.do-approve' : '#approve-amount');
  };

  sendApprove = async (): Promise<void> => {
    const request = this.request;
    const amount = this.approvedAmount();
    if (!request || typeof amount !== 'number' || this.busy) return;
    this.busy = true;
    this.#update();
    try {
      const lowered = amount < request.amount ? amount : undefined;
      const answer = await this.host.api.approve(request.id, lowered, this.approve.note.trim());
      this.#replace(answer.request);
      this.#refundsStale = true;
      // What the request ended approved (and refunded) for, which is not always the amount typed: approved again, a
      // failed request may take an earlier approval's refund that its gateway applied late, for that one's amount.
      const said = answer.request.approved_amount ?? amount;
      this.#tell(request, this.#approvalSaid(answer.request, said, answer.refund?.accepted === true));
      if (this.#showing(request)) {
        this.approve = { ...this.approve, open: false, confirming: false };
        this.focus = 'h2';
        void this.#loadOrder(request.merchant_uid);
      }
      this.host.dispatchEvent(new DeskApprovedEvent(answer));
    } catch (error) {
      if (this.#showing(request)) this.approve = { ...this.approve, confirming: false };
      this.#refundsStale = true;
      await this.#onDecideError(error, request, 'approve');
    } finally {
      this.busy = false;
      this.#update();
    }
  };

  sendReject = async (): Promise<void> => {
    const request = this.request;
    const reason = (this.reject.preset === '*' ? this.reject.typed : this.reject.preset).trim();
    if (!request || this.busy) return;
    if (!reason) {
      this.reject = { ...this.reject, error: this.host.s.rejectRequired };
      this.changed(this.reject.preset === '*' ? '#reject-typed' : '#reject-preset');
      return;
    }
    this.busy = true;
    this.#update();
    try {
      const answer = await this.host.api.reject(request.id, reason, this.reject.allowNew);
      this.#replace(answer.request);
      this.#tell(request, this.host.s.rejectedDone);
      if (this.#showing(request)) {
        this.reject = { ...this.reject, open: false, error: '' };
        this.focus = 'h2';
      }
      this.host.dispatchEvent(new DeskRejectedEvent({ request: answer.request }));
    } catch (error) {
      await this.#onDecideError(error, request, 'reject');
    } finally {
      this.busy = false;
      this.#update();
    }
  };

  /**
   * A decision refused, failed or unanswered: the request may have moved meanwhile (someone else decided it, the
   * approved refund failed and ended it `failed`, or the decision went through and only its answer was lost), so it is
   * read again and shown as it now stands, with what happened. Without a grant (UNAUTHORIZED, FORBIDDEN), or refused
   * for what was typed (INVALID_REQUEST), there is nothing to read again.
   */
  async #onDecideError(error: unknown, request: RequestRow, action: 'approve' | 'reject'): Promise<void> {
    this.#fail(error);
    if (this.#showing(request)) this.focus = 'h2'; // the confirm step's button is gone, whatever comes next
    const code = error instanceof StaffApiError ? error.code : 'INTERNAL';
    if (['UNAUTHORIZED', 'FORBIDDEN', 'INVALID_REQUEST'].includes(code)) return;
    const decided = code === 'REFUND_REQUEST_DECIDED';
    // No answer: whether the decision was taken (and a refund made) is known only from the request as it now stands.
    const lost = code === 'NETWORK';
    const s = this.host.s;
    let said = decided
      ? s.decidedElsewhere
      : code === 'REFUND_IN_PROGRESS'
        ? s.inProgress
        : lost
          ? s.network
          : fill(action === 'reject' ? s.rejectFailed : s.refundFailed, { code });
    try {
      const page = await this.host.api.requests({ merchant_uid: request.merchant_uid, limit: PAGE_SIZE });
      const fresh = page.data.find((row) => row.id === request.id);
      if (fresh) this.#replace(fresh);
      // An approval answered with an error may still have been claimed, and its refund made or running: what happened
      // is read from the request as it now stands, as for an approval answered in full.
      if (
        action === 'approve' &&
        fresh &&
        !decided &&
        code !== 'REFUND_IN_PROGRESS' &&
        fresh.status !== request.status
      ) {
        said = this.#approvalSaid(fresh, fresh.approved_amount ?? fresh.amount);
      }
      if (action === 'reject' && lost && fresh?.status === 'rejected') said = s.rejectedDone;
      // Refused as decided in the state it had: the proxy knows more than the table (the order's newer request).
      if (decided && fresh?.status === request.status) this.#refused.add(`${request.id}:${action}`);
      // Moved meanwhile, or refused: what staff were deciding no longer stands, so they choose again from what is left.
      if (((fresh && fresh.status !== request.status) || decided) && this.#showing(request)) {
        this.approve = { ...this.approve, open: false, confirming: false };
        this.reject = { ...this.reject, open: false };
      }
      this.#tell(request, said);
    } catch (reload) {
      this.#fail(reload);
      // Neither the decision's answer nor the request could be read: what happened is not known, and staff are told so,
      // with the safe next step (deciding again is refused, never done twice, once the first went through).
      if (lost) this.#tell(request, s.decisionUnknown);
    }
  }

  /**
   * Says what a decision came to: as it is on the request's own screen, and naming its order once staff have moved on
   * (an answer that came late), so that it is not taken for the screen's own request.
   */
  #tell(request: RequestRow, said: string): void {
    this.message = this.#showing(request) ? said : fill(this.host.s.aboutOrder, { uid: request.merchant_uid, said });
  }

  /**
   * What an approval's answer says happened: the request ends refunded, failed (nothing refunded) or still approved;
   * still approved with `accepted`, the gateway took its refund to finish later (known, unlike an unknown outcome).
   */
  #approvalSaid(request: RequestRow, amount: number, accepted = false): string {
    const { s, uiLang } = this.host;
    if (request.status === 'failed') {
      this.failedWaiting = true;
      return fill(s.approvedRefundFailed, { code: request.error_code ?? 'INTERNAL' });
    }
    // On another request's screen (a late answer), the request's own currency, not that screen's order's.
    const currency = this.#showing(request) ? this.currency : (request.currency ?? 'KRW');
    const shown = money(amount, uiLang, currency);
    if (request.status === 'approved')
      return accepted ? fill(s.approvedAccepted, { amount: shown }) : s.approvedUnknown;
    return fill(s.approved, { amount: shown });
  }

  /** The request as it now stands, on its screen and in the queue. */
  #replace(row: RequestRow): void {
    if (this.request?.id === row.id) this.request = row;
    this.queue.rows = this.queue.rows.map((r) => (r.id === row.id ? row : r));
  }

  sendAgain = async (eventId: string): Promise<void> => {
    const merchantUid = this.orderUid;
    if (this.busy) return;
    this.busy = true;
    this.#update();
    try {
      await this.host.api.redeliver(eventId);
      this.message = this.host.s.sentAgain;
      this.host.dispatchEvent(new DeskRedeliveredEvent({ event_id: eventId, merchant_uid: merchantUid }));
      await this.#loadOrder(merchantUid);
      // Its button is gone (the event is pending again): the keyboard stays on the event, not the page's top.
      this.focus = `li[data-id="${eventId}"]`;
    } catch (error) {
      this.#fail(error);
      // Refused (sent again by someone else meanwhile, so pending now): the event is shown as it now stands.
      const code = error instanceof StaffApiError ? error.code : 'INTERNAL';
      if (!['UNAUTHORIZED', 'FORBIDDEN', 'NETWORK'].includes(code)) await this.#loadOrder(merchantUid);
    } finally {
      this.busy = false;
      this.#update();
    }
  };

  exportCsv = async (): Promise<void> => {
    try {
      // The list as shown (its applied filters), not what the form holds and was not applied.
      const { limit: _, ...query } = this.refunds.applied;
      const blob = await this.host.api.refundsCsv(query);
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = 'refunds.csv';
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 0); // after the download has taken the URL
      this.message = this.host.s.exported;
    } catch (error) {
      this.#fail(error);
    }
    this.#update();
  };
}

function emptyFilters(status: string): Filters {
  return { status, from: '', to: '', merchant_uid: '' };
}

function listing<T>(status: string): Listing<T> {
  const filters = emptyFilters(status);
  return { rows: [], cursor: null, loading: false, filters, applied: queryOf(filters), failed: false };
}
