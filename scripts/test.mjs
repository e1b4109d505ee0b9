#!/usr/bin/env node
// `npm test`: lints and type-checks, then runs every suite: the proxy's and shared code's node:test files (the ledger
// contract against SQLite and against a real PostgreSQL), then the widget's browser tests. PostgreSQL and Chromium
// come from the environment (DATABASE_URL or PG_BIN_DIR, CHROME_PATH), else a system install, else the npm-shipped
// ones in devDependencies; the run says which. A missing one stops the run with a message; nothing is skipped silently.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const failures = [];
const totals = { passed: 0, failed: 0 };

/** Runs one suite, echoing its output, and adds its counts (node:test's `# pass N`, wtr's `wtr: N passed`) to the totals. */
const run = (label, command, args, env = process.env) =>
  new Promise((resolve) => {
    console.log(`\n=== ${label}: ${command} ${args.join(' ')}`);
    const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      out += chunk;
    });
    child.on('close', (code) => {
      const count = (re) => [...out.matchAll(re)].reduce((sum, m) => sum + Number(m[1]), 0);
      totals.passed += count(/^# pass (\d+)$/gm) + count(/^wtr: (\d+) passed/gm);
      totals.failed += count(/^# fail (\d+)$/gm) + count(/^wtr: \d+ passed, (\d+) failed/gm);
      if (code !== 0) failures.push(label);
      resolve();
    });
  });

const testFiles = (dir) =>
  readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(root, dir, name);
    if (name === 'node_modules') return [];
    if (statSync(path).isDirectory()) return testFiles(relative(root, path));
    return name.endsWith('.test.ts') ? [relative(root, path)] : [];
  });

// Format and lint first (Biome on every file, lit-analyzer on the widget's templates): a finding fails the run.
await run('lint (Biome, lit-analyzer)', 'npm', ['run', '--silent', 'lint']);
// `npm run typecheck`: the proxy's, the widget's and the console's tsconfig, each (esbuild and Vite strip types unread).
await run('typecheck (proxy, widget, desk)', 'npm', ['run', '--silent', 'typecheck']);
// The whole build (bundle, typings, custom-elements.json) once, so a broken build fails the run; wtr then reuses it.
await run('build', 'npm', ['run', '--silent', 'build']);
await run(
  'size budgets (scripts/check-widget-size.mjs: refund-button.js and refund-desk.js, gzipped)',
  process.execPath,
  ['scripts/check-widget-size.mjs'],
);
process.env.WTR_NO_BUILD = '1';

let postgres = null;
const env = { ...process.env };
if (!env.DATABASE_URL) {
  const { startThrowawayPostgres } = await import('./pg-throwaway.mjs');
  try {
    postgres = await startThrowawayPostgres();
  } catch (error) {
    console.error(`\nnpm test needs PostgreSQL for the ledger's Postgres suite: ${error.message}`);
    process.exit(1);
  }
  env.DATABASE_URL = postgres.url;
  console.log(`PostgreSQL: a throwaway server at ${postgres.url} (${postgres.source})`);
} else {
  console.log('PostgreSQL: DATABASE_URL');
}
try {
  const files = [...testFiles('shared'), ...testFiles('proxy')];
  await run('proxy and shared (node:test)', process.execPath, ['--import', 'tsx', '--test', ...files], env);
  // The same HTTP scenarios against the proxy on each runtime, sharing this PostgreSQL.
  await run(
    'runtimes (Node, workerd, Deno, Bun)',
    process.execPath,
    ['--import', 'tsx', '--test', '--test-concurrency=1', ...testFiles('runtime-tests')],
    env,
  );
} finally {
  await postgres?.stop();
}

// Found (and, from npm, unpacked) once here, so the browser suites below reuse it; its FONTCONFIG_FILE is inherited.
const { findChromeWithSource } = await import('./find-chrome.mjs');
try {
  const chrome = findChromeWithSource();
  console.log(`\nChromium: ${chrome.path} (${chrome.source})`);
} catch (error) {
  console.error(`\nnpm test needs Chromium for the widget and end-to-end suites: ${error.message}`);
}

if (existsSync(join(root, 'web-test-runner.config.mjs'))) {
  await run('widget (web-test-runner, headless Chromium)', 'npx', [
    'web-test-runner',
    '--config',
    'web-test-runner.config.mjs',
  ]);
}

// End to end last: it runs the product as `npm start` does and drives the Chromium found above against it.
if (existsSync(join(root, 'dist/refund-button.js'))) {
  await run('end to end (playwright-core, headless Chromium, sandbox)', process.execPath, [
    '--import',
    'tsx',
    '--test',
    ...testFiles('e2e'),
  ]);
} else {
  failures.push('end to end (the widget bundle was not built)');
}

console.log(`\ntotal: ${totals.passed} passed, ${totals.failed} failed`);
if (failures.length) {
  console.error(`FAILED: ${failures.join(', ')}`);
  process.exit(1);
}
