/**
 * @module GET /metrics: the Prometheus text exposition, behind the admin API's door (an admin key, the same 401, no
 * CORS, rate-limited per key, logged with the key's id). Mounted by buildProxy only when ADMIN_API_KEYS is set.
 */
import { Hono } from 'hono';
import { requireAdminKey } from '../admin/admin-key.ts';
import type { AdminConfig } from '../config.ts';
import type { Log } from '../log-line.ts';
import { rateLimit } from '../middleware/rate-limit.ts';
import { answerWithin } from '../net/deadline.ts';
import type { Store } from '../store/store.ts';
import type { ProxyMetrics } from './proxy-metrics.ts';
import { EXPOSITION_CONTENT_TYPE } from './registry.ts';

/** How long a scrape waits for the ledger's gauges before it answers without them (refund_proxy_ledger_up 0). */
const LEDGER_WAIT_MS = 5_000;

export interface MetricsDeps {
  readonly store: Pick<Store, 'countUnsettledAttempts' | 'pendingEvents'>;
  readonly metrics: ProxyMetrics;
  /** Epoch ms. */
  readonly now: () => number;
  readonly log: Log;
}

export const metricsRoutes = (deps: MetricsDeps, admin: AdminConfig) =>
  new Hono()
    .use('/metrics', requireAdminKey(admin.keys))
    .use(
      '/metrics',
      rateLimit({
        limit: admin.perKeyPerMinute,
        windowMs: 60_000,
        now: deps.now,
        key: (c) => `metrics:${c.get('adminKeyId')}`,
      }),
    )
    .get('/metrics', async (c) => {
      // Read at scrape time, so a gauge is the ledger's state now whichever instance answers. A ledger that fails, or
      // hangs (no answer from PostgreSQL's host, a SQLite read queued behind writes waiting out a lock) for longer than
      // LEDGER_WAIT_MS (under Prometheus's default scrape_timeout), is what the scrape must show then
      // (refund_proxy_ledger_up 0), with this process's counters: not a 503, nor no answer, that hides both.
      const read = Promise.all([deps.store.countUnsettledAttempts(), deps.store.pendingEvents()]).then(
        ([unsettled, pending]) => {
          const oldest = pending.oldest_queued_at;
          return {
            unsettledAttempts: unsettled,
            outboxPending: pending.count,
            oldestPendingSeconds: oldest === null ? 0 : Math.max(0, (deps.now() - oldest) / 1000),
          };
        },
      );
      const gauges = await answerWithin(LEDGER_WAIT_MS, read).catch((error: unknown) => ({
        error: error instanceof Error ? error.message : String(error),
      }));
      // ledger_up 0 tells the operator that the ledger failed; this line, what failed (once per scrape).
      if ('error' in gauges)
        deps.log({ level: 'warn', msg: 'metrics: the ledger could not be read', error: gauges.error });
      const ledger = 'error' in gauges ? null : gauges;
      const body = deps.metrics.render(ledger);
      return c.body(body, 200, { 'Content-Type': EXPOSITION_CONTENT_TYPE, 'Cache-Control': 'no-store' });
    });
