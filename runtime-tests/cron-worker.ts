/**
 * @module startCronWorker(): dist/worker.js under miniflare (workerd underneath), for what raw workerd cannot do: fire
 * the Worker's cron triggers. Requests go through dispatchFetch; bindings are the Worker's vars and secrets.
 */
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { Miniflare } from 'miniflare';
import { buildBundles } from './harness.ts';

/** What miniflare's worker handle offers for a cron event (its published types leave it out). */
interface CronTarget {
  scheduled(options: { cron: string }): Promise<{ outcome: string; noRetry: boolean }>;
}

export interface CronWorker {
  /** A request to the Worker, as `fetch(url + path, init)` would send it. */
  send(path: string, init: RequestInit): Promise<Response>;
  /** Fires the cron trigger `cron` (deploy/wrangler.toml has '0 * * * *' and '* * * * *') and checks it ran ok. */
  scheduled(cron: string): Promise<void>;
  dispose(): Promise<void>;
}

export const startCronWorker = async (bindings: Record<string, string>): Promise<CronWorker> => {
  const { paths } = await buildBundles();
  const mf = new Miniflare({
    modules: true,
    scriptPath: paths['worker.js']!,
    modulesRoot: dirname(paths['worker.js']!),
    compatibilityDate: '2026-04-01',
    compatibilityFlags: ['nodejs_compat'],
    bindings,
  });
  const worker = (await mf.getWorker()) as unknown as CronTarget;
  return {
    // Miniflare's Request and Response are undici's; callers read only a response's status and text.
    send: async (path, init) =>
      (await mf.dispatchFetch(`http://localhost${path}`, init as never)) as unknown as Response,
    async scheduled(cron) {
      assert.deepEqual(await worker.scheduled({ cron }), { outcome: 'ok', noRetry: false });
    },
    dispose: () => mf.dispose(),
  };
};
