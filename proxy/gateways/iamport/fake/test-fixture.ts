/** @module Test fixture: a fake on a settable clock, a token, and envelopes read through valibot. */
import * as v from 'valibot';
import { AnyEnvelopeSchema, TokenSchema } from '../schemas.ts';
import { createFakeIamport, type FakeIamport, type FakeIamportOptions } from './fake-iamport.ts';
import { FakePaymentSchema } from './payment-schema.ts';

/** The real host: the in-process fetch ignores it, which is the point. */
export const BASE = 'https://api.iamport.kr';
export const CREDENTIALS = { imp_key: 'test_imp_key', imp_secret: 'test_imp_secret' };

/** Epoch ms of a wall-clock time in Korea (UTC+9); month is 1-based. */
export const kst = (year: number, month: number, day: number, hour = 0, minute = 0): number =>
  Date.UTC(year, month - 1, day, hour - 9, minute);

/** A fake whose clock only moves when the test moves it (starts 2026-01-15 12:00 KST). */
export const setup = (options: FakeIamportOptions = {}) => {
  const clock = { ms: kst(2026, 1, 15, 12) };
  const fake = createFakeIamport({ now: () => clock.ms, ...options });
  return {
    fake,
    clock,
    advance: (seconds: number) => void (clock.ms += seconds * 1000),
    nowSec: () => Math.floor(clock.ms / 1000),
  };
};

export interface Envelope {
  readonly status: number;
  readonly code: number;
  readonly message?: string | null | undefined;
  readonly response: unknown;
}

export const readEnvelope = async (res: Response): Promise<Envelope> => {
  const body = v.parse(AnyEnvelopeSchema, await res.json());
  return { status: res.status, code: body.code, message: body.message, response: body.response };
};

/** Checks that a response is a complete i'mport Payment object. */
export const asPayment = (response: unknown) => v.parse(FakePaymentSchema, response);

/** A JSON POST, with the token in the bare form when one is given. */
export const json = (body: unknown, token?: string): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...(token ? { Authorization: token } : {}) },
  body: JSON.stringify(body),
});

export const form = (fields: Record<string, string>): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

export const requestToken = (fake: FakeIamport, body: unknown = CREDENTIALS) =>
  fake.fetch(`${BASE}/users/getToken`, json(body)).then(readEnvelope);

export const issueToken = async (fake: FakeIamport) =>
  v.parse(TokenSchema, (await requestToken(fake)).response).access_token;

/** Sends authenticated requests (Bearer form) and reads the envelope. */
export const authed = async (fake: FakeIamport) => {
  const token = await issueToken(fake);
  const send = (path: string, init: RequestInit = {}) =>
    fake
      .fetch(`${BASE}${path}`, { ...init, headers: { ...init.headers, Authorization: `Bearer ${token}` } })
      .then(readEnvelope);
  return {
    token,
    get: (path: string) => send(path),
    del: (path: string) => send(path, { method: 'DELETE' }),
    post: (path: string, body: unknown) => send(path, json(body)),
    postForm: (path: string, fields: Record<string, string>) => send(path, form(fields)),
  };
};
