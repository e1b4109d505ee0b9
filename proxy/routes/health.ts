/** @module GET /health: which ledger backend and which i'mport base URL this instance uses, and whether the ledger answers. */
import { Hono } from 'hono';
import type { AppDeps } from '../app-deps.ts';
import { failure } from '../errors.ts';

export const healthRoutes = (deps: AppDeps) =>
  new Hono().get('/health', async (c) => {
    const about = { store: deps.store.backend, iamport: deps.iamport.baseUrl };
    try {
      await deps.store.ping();
    } catch (error) {
      deps.log({ level: 'error', msg: 'ledger unreachable', error: String(error) });
      return c.json({ ...failure('UPSTREAM_UNAVAILABLE', 'The ledger database does not answer.').body, ...about }, 503);
    }
    return c.json({ ok: true, ...about });
  });
