/**
 * @module GET /payments/:merchant_uid (the refund view), POST /payments/cancel (the refund) and POST
 * /payments/:merchant_uid/verify-account (the holder check while the customer types), behind a grant.
 */
import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import * as v from 'valibot';
import { isOpenStatus } from '../../shared/refund-requests.ts';
import { AccountNumberSchema, BankCodeSchema, HolderSchema, MerchantUidSchema } from '../../shared/schemas/fields.ts';
import type { RefundView } from '../../shared/schemas/refund-view.ts';
import type { AppDeps } from '../app-deps.ts';
import { assertGrantCovers } from '../auth/require-grant.ts';
import { AppError } from '../errors.ts';
import { verifyAccount } from '../holders/verify-account.ts';
import { readJson } from '../http/read-json.ts';
import { cancelRefund, toAnswer, viewPayment } from '../refunds/index.ts';
import { barringRejection } from '../requests/bar.ts';
import { requestView } from '../requests/shapes.ts';
import { readCancelBody } from './cancel-body.ts';
import { describeIssues } from './describe-issues.ts';

/** The account to check, with the rules of POST /payments/cancel's fields (a field it does not know is named too). */
const VerifyAccountSchema = v.strictObject({
  refund_holder: HolderSchema,
  refund_bank: BankCodeSchema,
  refund_account: AccountNumberSchema,
});

/**
 * The view under a request-mode grant. An unpaid virtual account has nothing to refund, and a request cannot revoke it
 * (POST /refund-requests answers PAYMENT_NOT_PAID): not paid, never offered as "cancel the account". Without a data
 * key request mode is off: said before the customer fills the form in, not at its end.
 */
const asRequested = async (view: RefundView, deps: AppDeps): Promise<RefundView> => {
  if (!view.refundable) return view;
  if (view.revocable) return { ...view, refundable: false, reason: 'not_paid' };
  return (await deps.sealer()) ? view : { ...view, refundable: false, reason: 'request_mode_off' };
};

export const paymentRoutes = (deps: AppDeps) =>
  new Hono()
    .get('/payments/:merchant_uid', async (c) => {
      const merchantUid = v.safeParse(MerchantUidSchema, c.req.param('merchant_uid'));
      if (!merchantUid.success)
        throw new AppError('INVALID_REQUEST', describeIssues(merchantUid.issues, 'merchant_uid'));
      const grant = c.get('grant');
      assertGrantCovers(grant, merchantUid.output);
      const outcome = await viewPayment(deps, merchantUid.output, grant);
      if (outcome.kind === 'failed') throw new AppError(outcome.code, outcome.message);
      const latest = await deps.store.latestRequest(merchantUid.output);
      // request_mode: what the customer's dialog ends in (a request for the shop to approve, or the refund itself).
      const requestMode = grant.mode === 'request';
      const view = requestMode ? await asRequested(outcome.view, deps) : outcome.view;
      // Whether the customer may ask again is for the order's rejections to say (bar.ts), read once a request ended.
      const request = latest ? requestView(latest) : null;
      if (latest && request && !isOpenStatus(latest.status)) {
        request.allow_new_request = (await barringRejection(deps.store, latest.merchant_uid)) === null;
      }
      return c.json({ ...view, request_mode: requestMode, request });
    })
    .post('/payments/cancel', async (c) => {
      const { request, idempotencyKey, grant } = await readCancelBody(c);
      if (grant.mode === 'request') {
        throw new AppError(
          'FORBIDDEN',
          'This grant is for request mode: it cannot refund. Ask for the refund with POST /refund-requests; the shop ' +
            'approves or rejects it.',
        );
      }

      const outcome = await cancelRefund(deps, {
        request,
        grant,
        idempotencyKey,
        clientIp: deps.clientIp(c),
        origin: c.req.header('Origin') ?? null,
      });
      const answer = toAnswer(outcome);
      if (outcome.kind === 'replayed') {
        c.header('Idempotent-Replayed', 'true');
        c.set('replayed', true);
      }
      if (!answer.body.ok) c.set('errorCode', answer.body.error.code);
      // The status comes from the shared error table (or a stored answer), always a contentful HTTP status.
      return c.json(answer.body, answer.status as ContentfulStatusCode);
    })
    .post('/payments/:merchant_uid/verify-account', async (c) => {
      const merchantUid = v.safeParse(MerchantUidSchema, c.req.param('merchant_uid'));
      if (!merchantUid.success)
        throw new AppError('INVALID_REQUEST', describeIssues(merchantUid.issues, 'merchant_uid'));
      assertGrantCovers(c.get('grant'), merchantUid.output);
      const body = v.safeParse(
        VerifyAccountSchema,
        await readJson(() => c.req.arrayBuffer(), c.req.header('Content-Type')),
      );
      if (!body.success) throw new AppError('INVALID_REQUEST', describeIssues(body.issues));
      const { refund_bank: bank, refund_account: number, refund_holder: holder } = body.output;
      const outcome = await verifyAccount(deps, merchantUid.output, { bank, number, holder });
      if (outcome.kind === 'failed') throw new AppError(outcome.code, outcome.message);
      return c.json({ ok: true, holder_check: outcome.holder_check });
    });
