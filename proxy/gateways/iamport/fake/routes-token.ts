/** @module `POST /users/getToken`: 400 without key/secret, 401 with wrong ones, else the key's shared token. */
import { Hono } from 'hono';
import { readBody, stringField } from './body.ts';
import { failure, MESSAGES, success } from './envelope.ts';
import type { FakeState } from './state.ts';

export const tokenRoutes = (state: FakeState) =>
  new Hono().post('/users/getToken', async (c) => {
    const body = await readBody(c.req.raw);
    const fields = body.ok ? body.fields : {};
    const key = stringField(fields, 'imp_key');
    const secret = stringField(fields, 'imp_secret');
    // 400 (not 200 + code) for missing parameters is an inference; the observed message is real (§1.2).
    if (!key || !secret) return failure(c, 400, MESSAGES.missingCredentials);
    if (key !== state.apiKey || secret !== state.apiSecret) {
      return failure(c, 401, 'imp_key, imp_secret 인증에 실패하였습니다.');
    }
    return success(c, state.tokens.issue(key));
  });
