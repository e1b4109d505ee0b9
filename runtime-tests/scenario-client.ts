/**
 * @module scenarioClient(): how a conformance scenario calls the proxy on one runtime and reads its ledger, whichever
 * gateway the proxy talks to: calls with a grant minted for the order (or the one given), the client's headers as the
 * runtime needs them, and the audit and ledger rows straight from the runtime's PostgreSQL schema.
 */
import { mintGrant } from '../proxy/auth/grant.ts';
import { GRANT_SECRET, type Ledger, type RunningProxy, type RuntimeName } from './harness.ts';
import { callProxy } from './stack.ts';

/**
 * Workers learn the client IP from CF-Connecting-IP, which Cloudflare's edge sets; raw workerd has no edge, so the
 * tests play it. The other runtimes report the socket's peer.
 */
export const clientFor = (runtime: RuntimeName): { readonly headers: Record<string, string>; readonly ip: RegExp } =>
  runtime === 'workerd'
    ? { headers: { 'CF-Connecting-IP': '203.0.113.9' }, ip: /^203\.0\.113\.9$/ }
    : { headers: {}, ip: /^(::ffff:)?127\.0\.0\.1$/ };

export interface AttemptRow {
  readonly id: string;
  readonly outcome: string | null;
  readonly refunded: number | null;
  readonly client_ip: string | null;
  readonly refund_account_masked: string | null;
  readonly idempotency_key: string | null;
  readonly started_at: number;
  readonly finished_at: number | null;
}

export interface CallInit {
  method?: string;
  grant?: string | null;
  merchantUid?: string;
  key?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Reads `stack.proxy` and `stack.ledger` at each call, so it can be made before the stack has started. */
export const scenarioClient = (
  runtime: RuntimeName,
  stack: { readonly proxy: RunningProxy; readonly ledger: Ledger },
) => {
  const client = clientFor(runtime);

  const call = async (path: string, init: CallInit = {}) => {
    const grant =
      init.grant === undefined && init.merchantUid
        ? await mintGrant(GRANT_SECRET, { merchantUid: init.merchantUid })
        : init.grant;
    return callProxy(`${stack.proxy.url}${path}`, {
      ...init,
      method: init.method ?? 'GET',
      bearer: grant ?? null,
      headers: { ...client.headers, ...init.headers },
    });
  };

  const cancel = (
    body: { merchant_uid: string } & Record<string, unknown>,
    init: { grant?: string | null; key?: string } = {},
  ) => call('/payments/cancel', { method: 'POST', merchantUid: body.merchant_uid, body, ...init });

  const attempts = async (merchantUid: string): Promise<AttemptRow[]> =>
    await stack.ledger.sql<AttemptRow[]>`
      SELECT id, outcome, refunded, client_ip, refund_account_masked, idempotency_key,
             started_at::float8 AS started_at, finished_at::float8 AS finished_at
      FROM refund_attempts WHERE merchant_uid = ${merchantUid} ORDER BY started_at, id`;

  const ledgerCancelAmount = async (merchantUid: string): Promise<number | undefined> =>
    (
      await stack.ledger.sql<
        { cancel_amount: number }[]
      >`SELECT cancel_amount FROM payments WHERE merchant_uid = ${merchantUid}`
    )[0]?.cancel_amount;

  return { client, call, cancel, attempts, ledgerCancelAmount };
};
