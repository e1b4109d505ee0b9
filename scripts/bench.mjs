#!/usr/bin/env node
/**
 * @module `npm run bench` (issue 5): the benchmark, separate from `npm test`. Runs the parts named on the command
 * line (default: all) and prints one markdown table per part on stdout; progress goes to stderr.
 *
 *   node --import tsx scripts/bench.mjs [overhead] [token] [view] [ledger] [widget] [ratelimit] [webhooks] [admin] [look] [approvals] [desk] [--backend=sqlite|postgres] [--gateway=iamport|portone] [--webhook-stage=STAGE] [--quick]
 *
 * PostgreSQL rows use a throwaway server (scripts/pg-throwaway.mjs); --backend=sqlite runs without one. --gateway
 * picks the gateway the overhead part runs on (default both: i'mport V1 and PortOne V2, each against its own fake);
 * the other parts run on i'mport. --webhook-stage (webhooks only; default full) runs a part of merchant webhooks on
 * the "on" side, to tell what each piece costs a refund: no-http, write-only or no-write (bench/support/webhook-stage.ts).
 * --quick uses small counts to check that the bench works; its figures are not the ones to quote.
 */
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

// The parts are TypeScript: without tsx loaded, run this file again with it.
if (![...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((arg) => /\btsx\b/.test(arg))) {
  const again = spawnSync(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    {
      stdio: 'inherit',
    },
  );
  process.exit(again.status ?? 1);
}

const PARTS = {
  overhead: async () => (await import('../bench/overhead.ts')).overhead,
  token: async () => (await import('../bench/token-cache.ts')).tokenCache,
  view: async () => (await import('../bench/view-throughput.ts')).viewThroughput,
  ledger: async () => (await import('../bench/ledger-scale.ts')).ledgerScale,
  widget: async () => (await import('../bench/widget.ts')).widget,
  ratelimit: async () => (await import('../bench/rate-limit.ts')).rateLimiter,
  webhooks: async () => (await import('../bench/webhooks.ts')).webhooks,
  admin: async () => (await import('../bench/admin-list.ts')).adminList,
  look: async () => (await import('../bench/hourly-look.ts')).hourlyLook,
  approvals: async () => (await import('../bench/approvals.ts')).approvals,
  desk: async () => (await import('../bench/desk.ts')).desk,
};
const BACKENDS = ['sqlite', 'postgres'];
const GATEWAYS = ['iamport', 'portone'];
const { WEBHOOK_STAGES: STAGES } = await import('../bench/support/webhook-stage.ts');

const args = process.argv.slice(2);
const flags = new Map(
  args
    .filter((a) => a.startsWith('--'))
    .map((a) => [a.replace(/=.*/, ''), a.includes('=') ? a.replace(/^[^=]*=/, '') : 'true']),
);
const names = args.filter((a) => !a.startsWith('--'));
const unknown = [
  ...names.filter((name) => !(name in PARTS)),
  ...[...flags.keys()].filter((flag) => !['--backend', '--gateway', '--webhook-stage', '--quick'].includes(flag)),
];
const backend = flags.get('--backend');
const gateway = flags.get('--gateway');
const stage = flags.get('--webhook-stage');
if (
  unknown.length ||
  (backend && !BACKENDS.includes(backend)) ||
  (gateway && !GATEWAYS.includes(gateway)) ||
  (stage && !STAGES.includes(stage))
) {
  console.error(
    `usage: npm run bench -- [${Object.keys(PARTS).join('|')} ...] [--backend=sqlite|postgres] [--gateway=iamport|portone] [--webhook-stage=${STAGES.join('|')}] [--quick]`,
  );
  if (unknown.length) console.error(`unknown: ${unknown.join(' ')}`);
  process.exit(2);
}

const { startThrowawayPostgres } = await import('./pg-throwaway.mjs');
const { renderTable } = await import('../bench/support/stats.ts');

// Ctrl-C: exit through the 'exit' handlers, which stop the child processes and the throwaway PostgreSQL.
process.once('SIGINT', () => process.exit(130));

let postgres = null;
const started = Date.now();
const ctx = {
  backends: backend ? [backend] : BACKENDS,
  gateways: gateway ? [gateway] : GATEWAYS,
  webhookStage: stage ?? 'full',
  quick: flags.has('--quick'),
  progress: (line) => console.error(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`),
  postgres: async () => {
    postgres ??= startThrowawayPostgres();
    return (await postgres).url;
  },
};

/** The share of CPU time the whole machine spent idle over the next `ms`. */
const idleShare = async (ms) => {
  const before = cpus();
  await new Promise((resolve) => setTimeout(resolve, ms));
  let idle = 0;
  let total = 0;
  cpus().forEach((cpu, i) => {
    const was = before[i]?.times ?? cpu.times;
    idle += cpu.times.idle - was.idle;
    total += Object.entries(cpu.times).reduce((sum, [kind, value]) => sum + value - (was[kind] ?? 0), 0);
  });
  return total > 0 ? idle / total : 1;
};

// Anything else running on the machine skews every figure: say how quiet it was just before we started.
const cpu = cpus();
const idle = await idleShare(3_000);
console.log(`Command: \`${['npm run bench', ...(args.length ? ['--', ...args] : [])].join(' ')}\``);
console.log(
  `Run: ${new Date().toISOString()}; Node ${process.version}; ${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}); ` +
    `CPU ${Math.round(idle * 100)}% idle just before${ctx.quick ? '; --quick: smoke counts, not figures to quote' : ''}\n`,
);
if (idle < 0.9) console.log('Warning: something else is using the CPU; expect skewed figures.\n');

const failed = [];
try {
  for (const name of names.length ? names : Object.keys(PARTS)) {
    ctx.progress(`${name}: start`);
    try {
      const part = await PARTS[name]();
      for (const table of await part(ctx)) console.log(`${renderTable(table)}\n`);
    } catch (error) {
      failed.push(name);
      console.error(`\n${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : error}\n`);
    }
  }
} finally {
  await postgres?.then(
    (server) => server.stop(),
    () => {},
  );
}
console.log(`(${((Date.now() - started) / 1000).toFixed(0)} s in all)`);
if (failed.length) {
  console.error(`FAILED: ${failed.join(', ')}`);
  process.exit(1);
}
