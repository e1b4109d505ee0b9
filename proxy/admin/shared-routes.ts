/**
 * @module The routes both doors serve with one set of handlers: mounted under /admin behind an admin key
 * (proxy/admin/routes.ts) and under /staff behind a staff grant (proxy/staff/routes.ts). The refund audit as pages or
 * CSV, an order's ledger with its webhook deliveries, and sending an event again. Whoever acts is read with actorOf(),
 * which the door set: `key:<id>` or `staff:<sub>`.
 */
import { type Context, Hono } from 'hono';
import { accepts } from 'hono/accepts';
import * as v from 'valibot';
import { MerchantUidSchema } from '../../shared/schemas/fields.ts';
import type { AppDeps } from '../app-deps.ts';
import { actorOf } from '../auth/actor.ts';
import { AppError, failure } from '../errors.ts';
import { describeIssues } from '../routes/describe-issues.ts';
import type { Attempt, AttemptPageQuery } from '../store/store.ts';
import { csvStream } from './csv.ts';
import { encodeCursor } from './cursor.ts';
import { deliveryRow, eventRow } from './events.ts';
import { DEFAULT_LIMIT, MAX_LIMIT, parseRefundsQuery } from './query.ts';
import { requestRoutes } from './refund-requests.ts';
import { paymentRow, REFUND_COLUMNS, type RefundRow, refundRow } from './rows.ts';

/** All of AppDeps: approving a refund request runs the refund itself. */
export type SharedDeps = AppDeps;

type RefundsQueryFilters = ReturnType<typeof parseRefundsQuery>['filters'];

/** CSV when the client prefers it to JSON, as its Accept header says (q-values, then order); JSON otherwise. */
const wantsCsv = (c: Context): boolean =>
  accepts(c, { header: 'Accept', supports: ['application/json', 'text/csv'], default: 'application/json' }) ===
  'text/csv';

/** The shared routes, at paths relative to the door's prefix (`app.route('/admin', sharedRoutes(deps))`). */
export const sharedRoutes = (deps: SharedDeps) => {
  const { store } = deps;

  /**
   * Attempts as rows, each with its own payment's currency (an order may hold payments in two currencies: a retried
   * checkout), or its order's when it names no payment (refused before one was found).
   */
  const rowsOf = async (attempts: readonly Attempt[]): Promise<RefundRow[]> => {
    const impUids = attempts.flatMap((a) => (a.imp_uid === null ? [] : [a.imp_uid]));
    const orphans = attempts.flatMap((a) => (a.imp_uid === null ? [a.merchant_uid] : []));
    const [byPayment, byOrder] = await Promise.all([store.paymentCurrencies(impUids), store.orderCurrencies(orphans)]);
    const currencyOf = (a: Attempt) =>
      (a.imp_uid === null ? byOrder.get(a.merchant_uid) : byPayment.get(a.imp_uid)) ?? null;
    return attempts.map((a) => refundRow(a, currencyOf(a)));
  };

  /** Pages of rows from `after` on, each read when the CSV stream wants it. */
  async function* pages(filters: RefundsQueryFilters, after: AttemptPageQuery['after'], size: number, actor: string) {
    let position = after;
    for (;;) {
      let attempts: Attempt[];
      let rows: RefundRow[];
      try {
        attempts = await store.pageAttempts({ ...filters, ...(position ? { after: position } : {}), limit: size });
        rows = await rowsOf(attempts);
      } catch (error) {
        // The 200 and the header are gone: the client sees the body cut short, so the reason goes to the log.
        deps.log({ level: 'error', msg: 'admin CSV export stopped', actor, error: String(error) });
        throw error;
      }
      yield rows;
      if (attempts.length < size) return;
      position = attempts.at(-1)!;
    }
  }

  return new Hono()
    .get('/refunds', async (c) => {
      const { filters, limit, after } = parseRefundsQuery(c.req.queries());
      if (wantsCsv(c)) {
        const rows = pages(filters, after ?? undefined, limit ?? MAX_LIMIT, actorOf(c));
        return c.body(csvStream<RefundRow>(REFUND_COLUMNS, rows), 200, {
          'Content-Type': 'text/csv; charset=utf-8; header=present',
          'Content-Disposition': 'attachment; filename="refunds.csv"',
          'Cache-Control': 'no-store',
        });
      }
      const size = limit ?? DEFAULT_LIMIT;
      // One more than asked: whether a next page exists, without a second query.
      const attempts = await store.pageAttempts({ ...filters, ...(after ? { after } : {}), limit: size + 1 });
      const page = attempts.slice(0, size);
      const next = attempts.length > size ? encodeCursor(page.at(-1)!) : null;
      c.header('Cache-Control', 'no-store');
      return c.json({ data: await rowsOf(page), next_cursor: next });
    })
    .get('/payments/:merchant_uid', async (c) => {
      // None at all, as the lists refuse ones they do not know: a filter here would be silently ignored.
      const given = Object.keys(c.req.queries())[0];
      if (given !== undefined)
        throw new AppError('INVALID_REQUEST', `${given.slice(0, 40)} is not a parameter here (none)`);
      const merchantUid = v.safeParse(MerchantUidSchema, c.req.param('merchant_uid'));
      if (!merchantUid.success) {
        throw new AppError('INVALID_REQUEST', describeIssues(merchantUid.issues, 'merchant_uid'));
      }
      const [payment, attempts, events] = await Promise.all([
        store.getPayment(merchantUid.output),
        store.listAttempts(merchantUid.output),
        store.listOrderEvents(merchantUid.output),
      ]);
      if (!payment) throw new AppError('PAYMENT_NOT_FOUND', 'The ledger has no payment for this order.');
      const deliveries = await Promise.all(events.map((event) => store.listDeliveries(event.id)));
      c.header('Cache-Control', 'no-store');
      return c.json({
        payment: paymentRow(payment),
        attempts: await rowsOf(attempts),
        events: events.map((event, i) => ({ ...eventRow(event), deliveries: deliveries[i]!.map(deliveryRow) })),
      });
    })
    .post('/events/:id/redeliver', async (c) => {
      const id = c.req.param('id');
      if (await store.redeliver(id, deps.now())) {
        // Who sent it again: the outbox keeps no actor, so the log is where it is recorded.
        deps.log({ level: 'info', msg: 'event redelivered', event_id: id, actor: actorOf(c) });
        deps.webhooks?.kick(); // the first try now, not at the next timer pass
        const event = await store.getEvent(id);
        c.header('Cache-Control', 'no-store');
        return c.json({ ok: true, event: event && eventRow(event) }, 202);
      }
      const event = await store.getEvent(id);
      if (!event) {
        c.set('errorCode', 'INVALID_REQUEST');
        return c.json(failure('INVALID_REQUEST', 'There is no event with this id.').body, 404);
      }
      throw new AppError(
        'INVALID_REQUEST',
        'The event is pending: it goes out on its own (redeliver a failed or delivered one).',
      );
    })
    .route('/', requestRoutes(deps));
};
