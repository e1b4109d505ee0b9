/**
 * @module The admin API for the merchant's servers (never for browsers: no CORS): grants by HTTP (a customer's for
 * one order, or a staff member's for the back office), the events feed, and the routes it shares with the staff door
 * (shared-routes.ts). Mounted by buildProxy only when ADMIN_API_KEYS is set; every call needs a key, is logged with
 * the key's id and is rate-limited per key.
 */
import { Hono } from 'hono';
import * as v from 'valibot';
import { AMOUNT_RULE } from '../../shared/schemas/field-rules.ts';
import { AmountSchema, MerchantUidSchema } from '../../shared/schemas/fields.ts';
import type { AppDeps } from '../app-deps.ts';
import { GRANT_MODES, mintGrant } from '../auth/grant.ts';
import { mintStaffGrant, StaffSubSchema } from '../auth/staff-grant.ts';
import type { AdminConfig } from '../config.ts';
import { AppError } from '../errors.ts';
import { readJson } from '../http/read-json.ts';
import { rateLimit } from '../middleware/rate-limit.ts';
import { describeIssues } from '../routes/describe-issues.ts';
import { requireAdminKey } from './admin-key.ts';
import { eventRow, parseEventsQuery } from './events.ts';
import { sharedRoutes } from './shared-routes.ts';

/** All of AppDeps: staff's approval of a refund request runs the refund itself. */
export type AdminDeps = AppDeps;

/** What the sandbox and a merchant backend give a grant unless told otherwise (mintGrant's default). */
const DEFAULT_GRANT_TTL_SECONDS = 900;

const TtlSchema = v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)));

/** A part of a refund's amount (tax-free, VAT): zero or more, within what a refund can be. */
const PartSchema = v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(AMOUNT_RULE.max));

const GrantRequestSchema = v.strictObject({
  merchant_uid: MerchantUidSchema,
  ttl_seconds: TtlSchema,
  max_amount: v.optional(AmountSchema),
  jti: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(200), v.regex(/^[\x21-\x7e]+$/))),
  mode: v.optional(v.picklist(GRANT_MODES)),
  // Zero is meaningful here: a wholly tax-free refund has no VAT.
  tax_free_amount: v.optional(PartSchema),
  vat_amount: v.optional(PartSchema),
});

/** A staff grant names a person and no order: merchant_uid, max_amount and jti are refused, not ignored. */
const StaffGrantRequestSchema = v.strictObject({
  role: v.literal('staff'),
  sub: StaffSubSchema,
  ttl_seconds: TtlSchema,
});

const hasRole = (body: unknown): boolean => typeof body === 'object' && body !== null && 'role' in body;

export const adminRoutes = (deps: AdminDeps, admin: AdminConfig) => {
  const { store } = deps;
  const perKey = rateLimit({
    limit: admin.perKeyPerMinute,
    windowMs: 60_000,
    now: deps.now,
    key: (c) => `admin:${c.get('adminKeyId')}`,
  });

  /** The lifetime asked for, within MAX_GRANT_TTL (which caps customer and staff grants alike). */
  const ttlOf = (asked: number | undefined): number => {
    if (asked !== undefined && asked > deps.maxGrantTtlSeconds) {
      throw new AppError('INVALID_REQUEST', `ttl_seconds must be at most ${deps.maxGrantTtlSeconds} (MAX_GRANT_TTL)`);
    }
    return asked ?? Math.min(DEFAULT_GRANT_TTL_SECONDS, deps.maxGrantTtlSeconds);
  };

  return new Hono()
    .use('/admin/*', requireAdminKey(admin.keys))
    .use('/admin/*', perKey)
    .post('/admin/grants', async (c) => {
      const body = await readJson(() => c.req.arrayBuffer(), c.req.header('Content-Type'));
      const now = Math.floor(deps.now() / 1000);
      if (hasRole(body)) {
        const staff = v.safeParse(StaffGrantRequestSchema, body);
        if (!staff.success) throw new AppError('INVALID_REQUEST', describeIssues(staff.issues));
        const ttlSeconds = ttlOf(staff.output.ttl_seconds);
        const grant = await mintStaffGrant(deps.grantSecret, { sub: staff.output.sub, ttlSeconds, now });
        c.header('Cache-Control', 'no-store'); // a bearer credential
        return c.json({ grant, expires_at: now + ttlSeconds });
      }
      const parsed = v.safeParse(GrantRequestSchema, body);
      if (!parsed.success) throw new AppError('INVALID_REQUEST', describeIssues(parsed.issues));
      const { merchant_uid, ttl_seconds, max_amount, jti, mode, tax_free_amount, vat_amount } = parsed.output;
      if (tax_free_amount !== undefined && max_amount !== undefined && tax_free_amount > max_amount) {
        throw new AppError('INVALID_REQUEST', 'tax_free_amount must be at most max_amount');
      }
      const ttlSeconds = ttlOf(ttl_seconds);
      // A cap is counted per jti, so a capped grant without one gets one of its own.
      const id = jti ?? (max_amount === undefined ? undefined : deps.randomId());
      const grant = await mintGrant(deps.grantSecret, {
        merchantUid: merchant_uid,
        ttlSeconds,
        now,
        ...(max_amount === undefined ? {} : { maxAmount: max_amount }),
        ...(id === undefined ? {} : { jti: id }),
        ...(mode === undefined ? {} : { mode }),
        ...(tax_free_amount === undefined ? {} : { taxFreeAmount: tax_free_amount }),
        ...(vat_amount === undefined ? {} : { vatAmount: vat_amount }),
      });
      c.header('Cache-Control', 'no-store'); // a bearer credential
      return c.json({ grant, expires_at: now + ttlSeconds });
    })
    .get('/admin/events', async (c) => {
      const { status, limit, cursor } = parseEventsQuery(c.req.queries());
      const page = await store.listEvents({ ...(status ? { status } : {}), limit, cursor });
      c.header('Cache-Control', 'no-store');
      return c.json({ data: page.data.map(eventRow), next_cursor: page.next_cursor });
    })
    .route('/admin', sharedRoutes(deps));
};
