/** @module GET /payments/:merchant_uid (the refund view) and POST /payments/cancel (the refund), behind a grant. */
import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import * as v from 'valibot';
import { CancelRequestSchema } from '../../shared/schemas/cancel-request.ts';
import { IdempotencyKeySchema, MerchantUidSchema } from '../../shared/schemas/fields.ts';
import type { AppDeps } from '../app-deps.ts';
import { assertGrantCovers } from '../auth/require-grant.ts';
import { AppError } from '../errors.ts';
import { isJsonContentType } from '../http/content-type.ts';
import { cancelRefund, toAnswer, viewPayment } from '../refunds/index.ts';
import { requestView } from '../requests/shapes.ts';

// How each rule of the shared schemas is worded; `n` is the rule's requirement (a length, a bound, a pattern).
const RULE_WORDS: Readonly<Record<string, (n: unknown) => string>> = {
  min_length: (n) => (n === 1 ? 'is required' : `must be at least ${String(n)} characters`),
  max_length: (n) => `must be at most ${String(n)} characters`,
  min_value: (n) => `must be at least ${String(n)}`,
  max_value: (n) => `must be at most ${String(n)}`,
  regex: (n) => `must match ${String(n)}`,
  finite: () => 'must be a finite number',
};

/**
 * One readable line from valibot issues, each naming its field: `reason is required; refund_account must match
 * /^\d{8,16}$/`. Worded from the rule, not valibot's default message, which quotes the input (an account number, say);
 * `subject` names a value checked on its own (a header, a path parameter), whose issues have no path.
 */
export const describeIssues = (issues: readonly v.BaseIssue<unknown>[], subject = 'body'): string =>
  issues
    .map((issue) => {
      const { type, expected, input } = issue;
      const { requirement } = issue as { requirement?: unknown }; // only validation issues have one
      // A check's message is our own wording (the shared schemas'), which never quotes the input.
      const words =
        (type === 'check' ? issue.message : RULE_WORDS[type]?.(requirement)) ??
        (input === undefined ? 'is required' : `must be of type ${expected ?? type}`);
      return `${v.getDotPath(issue) ?? subject} ${words}`;
    })
    .join('; ');

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
      if (!isJsonContentType(c.req.header('Content-Type'))) {
        throw new AppError('INVALID_REQUEST', 'Send the request as JSON (Content-Type: application/json).');
      }
      let json: unknown;
      try {
        json = JSON.parse(await c.req.text());
      } catch {
        throw new AppError('INVALID_REQUEST', 'The body is not valid JSON.');
      }
      const parsed = v.safeParse(CancelRequestSchema, json);
      if (!parsed.success) throw new AppError('INVALID_REQUEST', describeIssues(parsed.issues));
      const keyHeader = c.req.header('Idempotency-Key');
      const key = keyHeader === undefined ? null : v.safeParse(IdempotencyKeySchema, keyHeader);
      if (key && !key.success) throw new AppError('INVALID_REQUEST', describeIssues(key.issues, 'Idempotency-Key'));
      const grant = c.get('grant');
      assertGrantCovers(grant, parsed.output.merchant_uid);
      if (grant.mode === 'request') {
        throw new AppError(
          'FORBIDDEN',
          'This grant is for request mode: it cannot refund. Ask for the refund with POST /refund-requests; the shop ' +
            'approves or rejects it.',
        );
      }

      const outcome = await cancelRefund(deps, {
        request: parsed.output,
        grant,
        idempotencyKey: key ? key.output : null,
        clientIp: deps.clientIp(c),
        origin: c.req.header('Origin') ?? null,
      });
      deps.metrics.refund(outcome);
      const answer = toAnswer(outcome);
      if (outcome.kind === 'replayed') {
        c.header('Idempotent-Replayed', 'true');
        c.set('replayed', true);
      }
      if (!answer.body.ok) c.set('errorCode', answer.body.error.code);
      // The status comes from the shared error table (or a stored answer), always a contentful HTTP status.
      return c.json(answer.body, answer.status as ContentfulStatusCode);
    });
