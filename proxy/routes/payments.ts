/** @module GET /payments/:merchant_uid (the refund view) and POST /payments/cancel (the refund), behind a grant. */
import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import * as v from 'valibot';
import { MerchantUidSchema } from '../../shared/schemas/fields.ts';
import type { AppDeps } from '../app-deps.ts';
import { assertGrantCovers } from '../auth/require-grant.ts';
import { AppError } from '../errors.ts';
import { cancelRefund, toAnswer, viewPayment } from '../refunds/index.ts';
import { requestView } from '../requests/shapes.ts';
import { readCancelBody } from './cancel-body.ts';
import { describeIssues } from './describe-issues.ts';

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
      return c.json({ ...outcome.view, request_mode: requestMode, request: latest ? requestView(latest) : null });
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
    });
