/**
 * @module GET /health: whether the ledger answers, which backend it is, and which gateway (`iamport` or `portone`). The gateway's base URL (under the gateway's
 * name: `iamport` for V1) and the mode are shown only with HEALTH_DETAILS=true: a public health check should not map
 * the proxy's upstreams for anyone.
 */
import { Hono } from 'hono';
import type { AppDeps } from '../app-deps.ts';
import { failure } from '../errors.ts';

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
      await deps.store.ping();
    } catch (error) {
      deps.log({ level: 'error', msg: 'ledger unreachable', error: String(error) });
      return c.json({ ...failure('UPSTREAM_UNAVAILABLE', 'The ledger database does not answer.').body, ...about }, 503);
    }
    return c.json({ ok: true, ...about });
  });
