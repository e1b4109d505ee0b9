/**
 * @module The admin API for the merchant's servers (never for browsers: no CORS): grants by HTTP, the refund audit as
 * pages or CSV, and an order's ledger. Mounted by buildProxy only when ADMIN_API_KEYS is set; every call needs a key,
 * is logged with the key's id and is rate-limited per key.
 */
import { Hono } from 'hono';
import * as v from 'valibot';
import { AmountSchema, MerchantUidSchema } from '../../shared/schemas/fields.ts';
import type { AppDeps } from '../app-deps.ts';
import { GRANT_MODES, mintGrant } from '../auth/grant.ts';
import type { AdminConfig } from '../config.ts';
import { AppError, failure } from '../errors.ts';
import { isJsonContentType } from '../http/content-type.ts';
import { rateLimit } from '../middleware/rate-limit.ts';
import { describeIssues } from '../routes/payments.ts';
import type { AttemptPageQuery } from '../store/store.ts';
import { requireAdminKey } from './admin-key.ts';
import { csvStream } from './csv.ts';
import { encodeCursor } from './cursor.ts';
import { deliveryRow, eventRow, parseEventsQuery } from './events.ts';
import { DEFAULT_LIMIT, MAX_LIMIT, parseRefundsQuery } from './query.ts';
import { adminRequestRoutes } from './refund-requests.ts';
import { paymentRow, REFUND_COLUMNS, type RefundRow, refundRow } from './rows.ts';

/** All of AppDeps: staff's approval of a refund request runs the refund itself. */
export type AdminDeps = AppDeps;

/** What the sandbox and a merchant backend give a grant unless told otherwise (mintGrant's default). */
const DEFAULT_GRANT_TTL_SECONDS = 900;

const GrantRequestSchema = v.strictObject({
  merchant_uid: MerchantUidSchema,
  ttl_seconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  max_amount: v.optional(AmountSchema),
  jti: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(200), v.regex(/^[\x21-\x7e]+$/))),
  mode: v.optional(v.picklist(GRANT_MODES)),
});

const wantsCsv = (accept: string | undefined): boolean => /(^|,)\s*text\/csv\s*(;|,|$)/i.test(accept ?? '');

const readJson = async (text: () => Promise<string>, contentType: string | undefined): Promise<unknown> => {
  if (!isJsonContentType(contentType)) {
    throw new AppError('INVALID_REQUEST', 'Send the request as JSON (Content-Type: application/json).');
  }
  try {
    return JSON.parse(await text());
  } catch {
    throw new AppError('INVALID_REQUEST', 'The body is not valid JSON.');
  }
};

export const adminRoutes = (deps: AdminDeps, admin: AdminConfig) => {
  const { store } = deps;
  const perKey = rateLimit({
    limit: admin.perKeyPerMinute,
    windowMs: 60_000,
    now: deps.now,
    key: (c) => `admin:${c.get('adminKeyId')}`,
  });

  /** Pages of rows from `after` on, each read when the CSV stream wants it. */
  async function* pages(filters: RefundsQueryFilters, after: AttemptPageQuery['after'], size: number) {
    let position = after;
    for (;;) {
      let attempts: Awaited<ReturnType<typeof store.pageAttempts>>;
      try {
        attempts = await store.pageAttempts({ ...filters, ...(position ? { after: position } : {}), limit: size });
      } catch (error) {
        // The 200 and the header are gone: the client sees the body cut short, so the reason goes to the log.
        deps.log({ level: 'error', msg: 'admin CSV export stopped', error: String(error) });
        throw error;
      }
      yield attempts.map(refundRow);
      if (attempts.length < size) return;
      position = attempts.at(-1)!;
    }
  }

  return new Hono()
    .use('/admin/*', requireAdminKey(admin.keys))
    .use('/admin/*', perKey)
    .post('/admin/grants', async (c) => {
      const parsed = v.safeParse(GrantRequestSchema, await readJson(() => c.req.text(), c.req.header('Content-Type')));
      if (!parsed.success) throw new AppError('INVALID_REQUEST', describeIssues(parsed.issues));
      const { merchant_uid, ttl_seconds, max_amount, jti, mode } = parsed.output;
      if (ttl_seconds !== undefined && ttl_seconds > deps.maxGrantTtlSeconds) {
        throw new AppError('INVALID_REQUEST', `ttl_seconds must be at most ${deps.maxGrantTtlSeconds} (MAX_GRANT_TTL)`);
      }
      const ttlSeconds = ttl_seconds ?? Math.min(DEFAULT_GRANT_TTL_SECONDS, deps.maxGrantTtlSeconds);
      const now = Math.floor(deps.now() / 1000);
      // A cap is counted per jti, so a capped grant without one gets one of its own.
      const id = jti ?? (max_amount === undefined ? undefined : deps.randomId());
      const grant = await mintGrant(deps.grantSecret, {
        merchantUid: merchant_uid,
        ttlSeconds,
        now,
        ...(max_amount === undefined ? {} : { maxAmount: max_amount }),
        ...(id === undefined ? {} : { jti: id }),
        ...(mode === undefined ? {} : { mode }),
      });
      return c.json({ grant, expires_at: now + ttlSeconds });
    })
    .get('/admin/refunds', async (c) => {
      const { filters, limit, after } = parseRefundsQuery(c.req.queries());
      if (wantsCsv(c.req.header('Accept'))) {
        const rows = pages(filters, after ?? undefined, limit ?? MAX_LIMIT);
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
      return c.json({ data: page.map(refundRow), next_cursor: next });
    })
    .get('/admin/payments/:merchant_uid', async (c) => {
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
        attempts: attempts.map(refundRow),
        events: events.map((event, i) => ({ ...eventRow(event), deliveries: deliveries[i]!.map(deliveryRow) })),
      });
    })
    .get('/admin/events', async (c) => {
      const { status, limit, cursor } = parseEventsQuery(c.req.queries());
      const page = await store.listEvents({ ...(status ? { status } : {}), limit, cursor });
      c.header('Cache-Control', 'no-store');
      return c.json({ data: page.data.map(eventRow), next_cursor: page.next_cursor });
    })
    .post('/admin/events/:id/redeliver', async (c) => {
      const id = c.req.param('id');
      if (await store.redeliver(id, deps.now())) {
        deps.webhooks?.kick(); // the first try now, not at the next timer pass
        const event = await store.getEvent(id);
        c.header('Cache-Control', 'no-store');
        return c.json({ ok: true, event: event && eventRow(event) }, 202);
      }
      const event = await store.getEvent(id);
      if (!event) return c.json(failure('INVALID_REQUEST', 'There is no event with this id.').body, 404);
      throw new AppError(
        'INVALID_REQUEST',
        'The event is pending: it goes out on its own (redeliver a failed or delivered one).',
      );
    })
    .route('/', adminRequestRoutes(deps));
};

type RefundsQueryFilters = ReturnType<typeof parseRefundsQuery>['filters'];
