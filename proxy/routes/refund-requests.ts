/**
 * @module POST /refund-requests (a customer asks for a refund; request mode) and POST /refund-requests/:id/withdraw,
 * behind a grant for the order. The body is POST /payments/cancel's, checked by the same shared schema.
 */
import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppDeps } from '../app-deps.ts';
import { AppError } from '../errors.ts';
import { createRequest } from '../requests/create.ts';
import { toRequestAnswer } from '../requests/outcome.ts';
import { withdrawRequest } from '../requests/withdraw.ts';
import { readCancelBody } from './cancel-body.ts';

export const refundRequestRoutes = (deps: AppDeps) =>
  new Hono()
    .post('/refund-requests', async (c) => {
      const { request, idempotencyKey, grant } = await readCancelBody(c);
      // Either kind of grant may ask: a refund-mode grant could refund at once, so asking instead takes nothing away.
      const outcome = await createRequest(deps, {
        request,
        grant,
        idempotencyKey,
        clientIp: deps.clientIp(c),
        origin: c.req.header('Origin') ?? null,
      });
      if (outcome.kind === 'replayed') {
        c.header('Idempotent-Replayed', 'true');
        c.set('replayed', true);
      }
      const answer = toRequestAnswer(outcome);
      if (outcome.kind === 'failed') c.set('errorCode', outcome.code);
      return c.json(answer.body as object, answer.status as ContentfulStatusCode);
    })
    .post('/refund-requests/:id/withdraw', async (c) => {
      const id = c.req.param('id');
      if (id.length > 100) throw new AppError('INVALID_REQUEST', 'id must be at most 100 characters');
      const outcome = await withdrawRequest(deps, id, c.get('grant'));
      const answer = toRequestAnswer(outcome);
      if (outcome.kind === 'failed') c.set('errorCode', outcome.code);
      return c.json(answer.body as object, answer.status as ContentfulStatusCode);
    });
