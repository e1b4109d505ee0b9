/**
 * @module Refund requests for staff (request mode): the list, approve and reject. Mounted by shared-routes.ts behind
 * both doors, /admin (an ADMIN_API_KEYS bearer) and /staff (a staff grant); who decided is the door's actor
 * (`key:<key id>` or `staff:<sub>`, actorOf()).
 */

import { type Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import * as v from 'valibot';
import { REQUEST_STATUSES, type RequestStatus } from '../../shared/refund-requests.ts';
import { isPlainText } from '../../shared/schemas/field-rules.ts';
import { AmountSchema, MerchantUidSchema, NOT_PLAIN_TEXT } from '../../shared/schemas/fields.ts';
import type { AppDeps } from '../app-deps.ts';
import { actorOf } from '../auth/actor.ts';
import { AppError, failure } from '../errors.ts';
import { readJson } from '../http/read-json.ts';
import { approveRequest, type Decision, rejectRequest } from '../requests/decide.ts';
import { adminRequestRow } from '../requests/shapes.ts';
import { describeIssues } from '../routes/describe-issues.ts';
import type { RequestPageQuery } from '../store/requests.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { checkRange, DEFAULT_LIMIT, limitOf, singleParameters, timeOf } from './query.ts';

/**
 * Staff's words go to the audit and, for a rejection's reason, to the customer's dialog: plain text as a customer's,
 * but over several lines if need be (the desk types a reason into a textarea).
 */
const isPlainLines = (text: string): boolean => isPlainText(text.replace(/\r?\n/g, ' '));
const ApproveSchema = v.strictObject({
  amount: v.optional(AmountSchema),
  note: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(500), v.check(isPlainLines, NOT_PLAIN_TEXT))),
});
const RejectSchema = v.strictObject({
  reason: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(500), v.check(isPlainLines, NOT_PLAIN_TEXT)),
  allow_new_request: v.optional(v.boolean()),
});

const invalid = (message: string) => new AppError('INVALID_REQUEST', message);

const parseList = (queries: Record<string, string[]>): RequestPageQuery => {
  const one = singleParameters(queries, ['status', 'merchant_uid', 'order', 'from', 'to', 'limit', 'cursor'] as const);
  const query: { -readonly [K in keyof RequestPageQuery]: RequestPageQuery[K] } = {
    limit: one.limit === undefined ? DEFAULT_LIMIT : limitOf(one.limit),
  };
  if (one.status !== undefined) {
    const status = REQUEST_STATUSES.find((s) => s === one.status);
    if (!status) throw invalid(`status must be one of ${REQUEST_STATUSES.join(', ')}`);
    query.status = status satisfies RequestStatus;
  }
  if (one.merchant_uid !== undefined) {
    const uid = v.safeParse(MerchantUidSchema, one.merchant_uid);
    if (!uid.success) throw invalid(describeIssues(uid.issues, 'merchant_uid'));
    query.merchant_uid = uid.output;
  }
  if (one.order !== undefined) {
    if (one.order !== 'newest' && one.order !== 'oldest') throw invalid('order must be newest or oldest');
    query.order = one.order;
  }
  if (one.from !== undefined) query.from = timeOf('from', one.from);
  if (one.to !== undefined) query.to = timeOf('to', one.to);
  checkRange(query);
  if (one.cursor !== undefined) {
    const position = decodeCursor(one.cursor);
    if (!position) throw invalid('cursor is not one this API gave (pass next_cursor back as it came)');
    query.after = { created_at: position.started_at, id: position.id };
  }
  return query;
};

/**
 * A decision's body: none at all is `{}` (approve as asked needs nothing to say), anything else JSON as on every route
 * (readJson), and an object: valibot's object schemas take an array for one, and `[]` approved the whole amount.
 */
const bodyOf = async <T>(schema: v.GenericSchema<unknown, T>, c: Context): Promise<T> => {
  const bytes = await c.req.arrayBuffer();
  const json = bytes.byteLength === 0 ? {} : await readJson(async () => bytes, c.req.header('Content-Type'));
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw invalid('The body must be a JSON object.');
  const parsed = v.safeParse(schema, json);
  if (!parsed.success) throw invalid(describeIssues(parsed.issues));
  return parsed.output;
};

/**
 * A decision as the admin API answers it: the request, as a row of the list with its order's currency (and, for an
 * approval, its refund's own answer).
 */
const answer = async (deps: AppDeps, decision: Decision) => {
  if (decision.kind === 'not_found') {
    return { status: 404, body: failure('INVALID_REQUEST', 'There is no refund request with this id.').body };
  }
  if (decision.kind === 'failed') {
    const { status, body } = failure(decision.code, decision.message);
    return { status, body };
  }
  const { request, refund } = decision;
  // Read for the answer only, after the decision (and an approval's refund) was made: a ledger failing here must not turn
  // that into 503 "this request sent no refund" for a refund that was sent. The currency is then not known (null, as
  // while the ledger has no payment for the order).
  const currency =
    decision.currency ??
    (await deps.store.orderCurrencies([request.merchant_uid]).then(
      (currencies) => currencies.get(request.merchant_uid) ?? null,
      (error: unknown) => {
        deps.log({
          level: 'error',
          msg: 'could not read an order currency',
          request: request.id,
          error: String(error),
        });
        return null;
      },
    ));
  return {
    status: 200,
    body: { ok: true, request: { ...adminRequestRow(request), currency }, ...(refund ? { refund: refund.body } : {}) },
  };
};

/** Refund requests for staff, at paths relative to the door (mounted by shared-routes.ts under /admin and /staff). */
export const requestRoutes = (deps: AppDeps) =>
  new Hono()
    .get('/refund-requests', async (c) => {
      const query = parseList(c.req.queries());
      // One more than asked: whether a next page exists, without a second query.
      const rows = await deps.store.pageRequests({ ...query, limit: query.limit + 1 });
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      const next =
        rows.length > query.limit && last ? encodeCursor({ started_at: last.created_at, id: last.id }) : null;
      // Each with its order's currency (its payment's, as the view shows it; null while the ledger has none).
      const currencies = await deps.store.orderCurrencies(page.map((r) => r.merchant_uid));
      const data = page.map((r) => ({ ...adminRequestRow(r), currency: currencies.get(r.merchant_uid) ?? null }));
      c.header('Cache-Control', 'no-store');
      return c.json({ data, next_cursor: next });
    })
    .post('/refund-requests/:id/approve', async (c) => {
      const body = await bodyOf(ApproveSchema, c);
      const decider = { id: actorOf(c), clientIp: deps.clientIp(c) };
      const decision = await approveRequest(deps, c.req.param('id'), body, decider);
      if (decision.kind !== 'decided')
        c.set('errorCode', decision.kind === 'failed' ? decision.code : 'INVALID_REQUEST');
      const { status, body: out } = await answer(deps, decision);
      c.header('Cache-Control', 'no-store');
      return c.json(out, status as ContentfulStatusCode);
    })
    .post('/refund-requests/:id/reject', async (c) => {
      const body = await bodyOf(RejectSchema, c);
      const decider = { id: actorOf(c), clientIp: deps.clientIp(c) };
      const decision = await rejectRequest(deps, c.req.param('id'), body, decider);
      if (decision.kind !== 'decided')
        c.set('errorCode', decision.kind === 'failed' ? decision.code : 'INVALID_REQUEST');
      const { status, body: out } = await answer(deps, decision);
      c.header('Cache-Control', 'no-store');
      return c.json(out, status as ContentfulStatusCode);
    });
