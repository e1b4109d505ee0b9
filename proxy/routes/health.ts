/**
 * @module GET /health: whether the ledger answers, which backend it is, and which gateway (`iamport` or `portone`). The gateway's base URL (under the gateway's
 * name: `iamport` for V1) and the mode are shown only with HEALTH_DETAILS=true: a public health check should not map
 * the proxy's upstreams for anyone.
 */
import { Hono } from 'hono';
import type { AppDeps } from '../app-deps.ts';
import { failure } from '../errors.ts';
import { answerWithin } from '../net/deadline.ts';

/**
 * How long the check waits for the ledger before it counts it as not answering: a ledger that hangs rather than fails
 * (PostgreSQL's host gone silent, a lock held) would otherwise keep every probe, and its socket, open until it answers.
 */
const LEDGER_WAIT_MS = 5_000;

export const healthRoutes = (deps: AppDeps) =>
  new Hono().get('/health', async (c) => {
    const about = {
      store: deps.store.backend,
      gateway: deps.gateway.name,
      ...(deps.healthDetails
        ? { [deps.gateway.name]: deps.gateway.baseUrl, mode: deps.sandbox ? 'sandbox' : 'live' }
        : {}),
    };
    try {
      await answerWithin(LEDGER_WAIT_MS, deps.store.ping());
    } catch (error) {
      deps.log({ level: 'error', msg: 'ledger unreachable', error: String(error) });
      return c.json({ ...failure('UPSTREAM_UNAVAILABLE', 'The ledger database does not answer.').body, ...about }, 503);
    }
    return c.json({ ok: true, ...about });
  });
