/** @module What request mode's tests share: a harness with a data key and the admin API, and its calls. */
import { randomDataKey } from '../requests/account-crypto.ts';
import { adminCalls, json, KEY, withAdmin } from './admin-calls.ts';
import type { CallOptions, Harness, HarnessOptions } from './harness.ts';

export const ACCOUNT = '110-123-456789';
export const ACCOUNT_DIGITS = '110123456789';

/** A customer's request of 8,000 KRW on a paid virtual account `merchant_uid`, with the refund account in full. */
export const vbankAsk = (merchant_uid: string) => ({
  merchant_uid,
  reason: '사이즈가 맞지 않아요',
  cancel_request_amount: 8000,
  refund_holder: '홍길동',
  refund_bank: '88',
  refund_account: ACCOUNT,
});

/** A harness with DATA_ENCRYPTION_KEY set (a fresh key unless given) and the admin API on. */
export const withRequests = (options: HarnessOptions = {}, key: string | null = randomDataKey()): Promise<Harness> =>
  withAdmin({
    ...options,
    config: { ...options.config, dataKeys: options.config?.dataKeys ?? { current: key, previous: null } },
  });

export const requestCalls = (h: Harness) => {
  const { admin } = adminCalls(h);
  const headers = async (merchantUid: string, call: CallOptions & { mode?: 'refund' | 'request' }) => {
    const token = call.grant === undefined ? await h.grant(merchantUid, { mode: call.mode ?? 'request' }) : call.grant;
    return {
      'Content-Type': 'application/json',
      ...(token === null ? {} : { Authorization: `Bearer ${token}` }),
      ...(call.key ? { 'Idempotency-Key': call.key } : {}),
      ...call.headers,
    };
  };
  /** POST /refund-requests with a request-mode grant for the body's order unless told otherwise. */
  const ask = async (body: Record<string, unknown>, call: CallOptions & { mode?: 'refund' | 'request' } = {}) => {
    const res = await h.app.request('/refund-requests', {
      method: 'POST',
      headers: await headers(String(body.merchant_uid), call),
      body: JSON.stringify(body),
    });
    return { res, body: await json(res) };
  };
  const withdraw = async (id: string, merchantUid: string, call: CallOptions = {}) => {
    const res = await h.app.request(`/refund-requests/${id}/withdraw`, {
      method: 'POST',
      headers: await headers(merchantUid, call),
    });
    return { res, body: await json(res) };
  };
  const post = async (path: string, body: unknown, key = KEY) => {
    const res = await admin(path, {
      key,
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      // A Blob is sent as its bytes (a body in another encoding than UTF-8, say).
      body: body instanceof Blob ? body : JSON.stringify(body),
    });
    return { res, body: await json(res) };
  };
  const approve = (id: string, body: Record<string, unknown> = {}, key = KEY) =>
    post(`/admin/refund-requests/${id}/approve`, body, key);
  const reject = (id: string, body: Record<string, unknown> | Blob, key = KEY) =>
    post(`/admin/refund-requests/${id}/reject`, body, key);
  const list = async (query = '') => {
    const res = await admin(`/admin/refund-requests${query ? `?${query}` : ''}`);
    return { res, body: await json(res) };
  };
  return { ask, withdraw, approve, reject, list };
};
