#!/usr/bin/env node
// `npm start` runs this first. It builds, only when missing or older than their sources:
// - dist/refund-button.js and dist/refund-desk.js, the widget and the staff console the proxy serves (vite, one
//   script builds both, so either one missing or stale rebuilds both);
// - dist/node.js, the Node entry as one ES module (esbuild; packages stay in node_modules). Plain `node` runs it
//   without a TypeScript loader, which keeps start-up short and idle memory low.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const at = (path) => join(root, path);

const newest = (path) =>
  statSync(path).isDirectory()
    ? readdirSync(path).reduce((latest, name) => Math.max(latest, newest(join(path, name))), 0)
    : statSync(path).mtimeMs;
const stale = (output, inputs) =>
  !existsSync(at(output)) || statSync(at(output)).mtimeMs < Math.max(...inputs.map((i) => newest(at(i))));

const npmRun = (script) => {
  const result = spawnSync('npm', ['run', '--silent', script], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

const widget = stale('dist/refund-button.js', ['widget', 'shared', 'vite.config.ts']);
if (widget || stale('dist/refund-desk.js', ['desk', 'widget', 'shared', 'vite.config.ts'])) {
  console.log('building the widget and the staff console (dist/refund-button.js, dist/refund-desk.js)…');
  npmRun('build:widget');
}
if (stale('dist/node.js', ['proxy', 'shared', 'package.json'])) npmRun('build:node');
