/**
 * @module `Idempotency-Key` as the REST V2 overview documents it ("멱등 키", src/routes/(root)/api/rest-v2/[...slug].tsx
 * of the docs; not in the OpenAPI): a quoted string (RFC 8941) of 16–256 ASCII characters on POST, PUT, PATCH and
 * DELETE (ignored on GET); a retry while the first is running is 409 `IDEMPOTENCY_OUTSTANDING_REQUEST`; a retry after
 * it finished gets the first answer as it was; keys are kept 3 hours.
 */
import type { MiddlewareHandler } from 'hono';
import { answerError, refusal } from './errors.ts';
import type { FakeState } from './state.ts';

export type IdempotencyEntry =
  | { readonly state: 'outstanding' }
  | {
      readonly state: 'done';
      readonly status: number;
      readonly body: string;
      readonly contentType: string | null;
      readonly expiresAt: number;
    };

const METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

// sf-string characters (printable ASCII without an unescaped `"` or `\`); the docs recommend [A-Za-z0-9_-].
const QUOTED_KEY = /^"([\x20\x21\x23-\x5b\x5d-\x7e]{16,256})"$/;

/** The key inside the quotes, or undefined when the header is not a valid one. */
export const parseIdempotencyKey = (header: string): string | undefined => QUOTED_KEY.exec(header)?.[1];

export const idempotency = (state: FakeState): MiddlewareHandler =>
  async function idempotency(c, next) {
    const header = c.req.header('Idempotency-Key');
    if (header === undefined || !METHODS.has(c.req.method)) return next();
    const key = parseIdempotencyKey(header);
    if (key === undefined) {
      return answerError(
        c,
        refusal('INVALID_REQUEST', 'Idempotency-Key는 쌍따옴표로 감싼 16~256자의 ASCII 문자열이어야 합니다.'),
      );
    }
    const known = state.idempotency.get(key);
    if (known?.state === 'outstanding') {
      return answerError(c, refusal('IDEMPOTENCY_OUTSTANDING_REQUEST', '같은 멱등 키의 요청이 처리 중입니다.'));
    }
    if (known?.state === 'done' && known.expiresAt > state.now()) {
      return new Response(known.body, {
        status: known.status,
        headers: known.contentType ? { 'content-type': known.contentType } : {},
      });
    }
    state.idempotency.set(key, { state: 'outstanding' });
    try {
      await next();
    } catch (error) {
      state.idempotency.delete(key);
      throw error;
    }
    state.idempotency.set(key, {
      state: 'done',
      status: c.res.status,
      body: await c.res.clone().text(),
      contentType: c.res.headers.get('content-type'),
      expiresAt: state.now() + state.idempotencyTtlMs,
    });
    return undefined;
  };
