/**
 * @module `GET /vbanks/holder?bank_code=&bank_num=`: the account holder's name (예금주 조회). i'mport removed its page
 * from the docs in 2024 and hid it from the V1 OpenAPI in 2025; it still answers for some merchants, so the fake can
 * answer as either: `{ bank_holder }`, 404 "계좌정보 조회 실패" for an account the bank does not know, or (hidden) 404
 * Not Found as for any route i'mport does not have (portone-v2.md, "Account holder lookup").
 */
import { Hono } from 'hono';
import { failure, MESSAGES, success } from './envelope.ts';
import { accountKey, type FakeState } from './state.ts';

export const holderRoutes = (state: FakeState) =>
  new Hono().get('/vbanks/holder', (c) => {
    if (state.holderLookupHidden) return failure(c, 404, 'Not Found');
    const bankCode = c.req.query('bank_code') ?? '';
    const bankNum = c.req.query('bank_num') ?? '';
    // The parameters' names in i'mport's wording for missing ones (an inference, as for getToken's).
    if (bankCode === '' || bankNum === '') return failure(c, 400, MESSAGES.missingAccount);
    const holder = state.accounts.get(accountKey(bankCode, bankNum));
    return holder === undefined ? failure(c, 404, MESSAGES.accountNotFound) : success(c, { bank_holder: holder });
  });
