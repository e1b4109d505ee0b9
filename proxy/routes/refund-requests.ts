/**
 * @module POST /refund-requests (a customer asks for a refund; request mode) and POST /refund-requests/:id/withdraw,
 * behind a grant for the order. The body is POST /payments/cancel's, checked by the same shared schema.
 */
import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import * as v from 'valibot';
import { CancelRequestSchema } from '../../shared/schemas/cancel-request.ts';
import { IdempotencyKeySchema } from '../../shared/schemas/fields.ts';
import type { AppDeps } from '../app-deps.ts';
import { assertGrantCovers } from '../auth/require-grant.ts';
import { AppError } from '../errors.ts';
import { isJsonContentType } from '../http/content-type.ts';
import { createRequest } from '../requests/create.ts';
import { toRequestAnswer } from '../requests/outcome.ts';
import { withdrawRequest } from '../requests/withdraw.ts';
import { describeIssues } from './payments.ts';

const readJson = async (contentType: string | undefined, text: () => Promise<string>): Promise<unknown> => {
  if (!isJsonContentType(contentType)) {
    throw new AppError('INVALID_REQUEST', 'Send the request as JSON (Content-Type: application/json).');
  }
  try {
    return JSON.parse(await text());
  } catch {
    throw new AppError('INVALID_REQUEST', 'The body is not valid JSON.');
  }
};

export const refundRequestRoutes = (deps: AppDeps) =>
  new Hono()
    .post('/refund-requests', async (c) => {
      const parsed = v.safeParse(CancelRequestSchema, await readJson(c.req.header('Content-Type'), () => c.req.text()));
      if (!parsed.success) throw new AppError('INVALID_REQUEST', describeIssues(parsed.issues));
      const keyHeader = c.req.header('Idempotency-Key');
      const key = keyHeader === undefined ? null : v.safeParse(IdempotencyKeySchema, keyHeader);
      if (key && !key.success) throw new AppError('INVALID_REQUEST', describeIssues(key.issues, 'Idempotency-Key'));
      const grant = c.get('grant');
      assertGrantCovers(grant, parsed.output.merchant_uid);
      // Either kind of grant may ask: a refund-mode grant could refund at once, so asking instead takes nothing away.
      const outcome = await createRequest(deps, {
        request: parsed.output,
        grant,
        idempotencyKey: key ? key.output : null,
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
