/**
 * @module readCancelBody(): what POST /payments/cancel and POST /refund-requests both read before anything else, in
 * the same way: a JSON body checked by the shared schema, an optional Idempotency-Key, and a grant that covers the
 * order named. Bad input is 400 naming the field; a grant for another order is 403.
 */
import type { Context } from 'hono';
import * as v from 'valibot';
import { type CancelRequestOutput, CancelRequestSchema } from '../../shared/schemas/cancel-request.ts';
import { IdempotencyKeySchema } from '../../shared/schemas/fields.ts';
import type { Grant } from '../auth/grant.ts';
import { assertGrantCovers } from '../auth/require-grant.ts';
import { AppError } from '../errors.ts';
import { readJson } from '../http/read-json.ts';
import { describeIssues } from './describe-issues.ts';

export interface CancelBody {
  readonly request: CancelRequestOutput;
  readonly idempotencyKey: string | null;
  readonly grant: Grant;
}

export const readCancelBody = async (c: Context): Promise<CancelBody> => {
  const json = await readJson(() => c.req.arrayBuffer(), c.req.header('Content-Type'));
  const parsed = v.safeParse(CancelRequestSchema, json);
  if (!parsed.success) throw new AppError('INVALID_REQUEST', describeIssues(parsed.issues));
  const keyHeader = c.req.header('Idempotency-Key');
  const key = keyHeader === undefined ? null : v.safeParse(IdempotencyKeySchema, keyHeader);
  if (key && !key.success) throw new AppError('INVALID_REQUEST', describeIssues(key.issues, 'Idempotency-Key'));
  const grant = c.get('grant');
  assertGrantCovers(grant, parsed.output.merchant_uid);
  return { request: parsed.output, idempotencyKey: key ? key.output : null, grant };
};
