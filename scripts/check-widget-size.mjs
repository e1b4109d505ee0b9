/**
 * @module Fails when dist/refund-button.js is over its gzip budget (run `vite build` first).
 * Usage: node scripts/check-widget-size.mjs [file]. Measured like `gzip -9 | wc -c`.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

// Lit's own element class (LitElement, reactive properties, updates) is about 6 KB of it; the widget is the rest.
// 18 KB since issue 12, whose truthful states (an unknown outcome, payout times, the shop's contact, a refused or
// expired grant, an unreachable proxy) and their texts in two languages came to about 800 bytes; 19 KB since issue
// 14's request mode (a request instead of a refund, its six states, withdrawing it, asking again), about 1.4 KB with
// its texts in two languages, which left 456 bytes no room: docs/BENCHMARKS.md.
const BUDGET = 19 * 1024;

const file = process.argv[2] ?? 'dist/refund-button.js';
let source;
try {
  source = readFileSync(file);
} catch {
  console.error(`${file} not found: build it first (npx vite build).`);
  process.exit(1);
}
const gzipped = gzipSync(source, { level: 9 }).length;
const kb = (bytes) => `${(bytes / 1024).toFixed(2)} KB`;
const line = `${file}: ${kb(source.length)} raw, ${kb(gzipped)} gzipped (${gzipped} bytes); budget ${kb(BUDGET)}`;
if (gzipped > BUDGET) {
  console.error(`${line}\nOver budget by ${gzipped - BUDGET} bytes.`);
  process.exit(1);
}
console.log(`${line} (${BUDGET - gzipped} bytes under)`);
