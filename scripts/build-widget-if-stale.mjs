#!/usr/bin/env node
// `npm start` runs this first: builds dist/refund-button.js (which the proxy serves) when it is missing or older
// than any widget or shared source, so a fresh clone works and a restart stays fast.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bundle = join(root, 'dist/refund-button.js');

const newest = (dir) =>
  readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
    const path = join(dir, entry.name);
    const time = entry.isDirectory() ? newest(path) : statSync(path).mtimeMs;
    return Math.max(latest, time);
  }, 0);

const sources = Math.max(newest(join(root, 'widget')), newest(join(root, 'shared')), statSync(join(root, 'vite.config.ts')).mtimeMs);
if (!existsSync(bundle) || statSync(bundle).mtimeMs < sources) {
  console.log('building the widget (dist/refund-button.js)…');
  const result = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
