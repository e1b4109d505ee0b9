/**
 * @module `Authorization: PortOne <V2 API secret>` on every V2 route (the `portOne` security scheme of the OpenAPI),
 * and which store a request acts on: its own, or a sub-store named by `storeId` it has access to.
 */
import type { MiddlewareHandler } from 'hono';
import { answerError, refusal } from './errors.ts';
import type { FakeState } from './state.ts';

export const requirePortOneAuth = (state: FakeState): MiddlewareHandler =>
  async function requirePortOneAuth(c, next) {
    const header = c.req.header('Authorization') ?? '';
    const match = /^PortOne\s+(.+)$/.exec(header.trim());
    if (match?.[1] !== state.apiSecret) {
      return answerError(c, refusal('UNAUTHORIZED', '인증 정보가 올바르지 않습니다.'));
    }
    await next();
    return undefined;
  };

/** The store a request is for, or undefined when its `storeId` is one the secret may not act on (403 FORBIDDEN). */
export const storeOf = (state: FakeState, requested: string | undefined): string | undefined => {
  if (requested === undefined || requested === '') return state.storeId;
  return requested === state.storeId || state.subStoreIds.includes(requested) ? requested : undefined;
};

export const forbiddenStore = () => refusal('FORBIDDEN', '접근 권한이 없는 상점입니다.');
