/**
 * @module Compares two sets of CPU profiles (.cpuprofile files, as `BENCH_PROFILE_DIR=dir npm run bench -- webhooks`
 * or `approvals` writes them, one per side's timed run): where one side spent more CPU than the other, in ms summed
 * over each side's files. It is how docs/BENCHMARKS.md says where an event's or an approval's cost goes.
 *
 *   node scripts/profile-diff.mjs <dir> <one side> <other side> [--by=module|function] [--top=30]
 *
 * A side is the part of the file names that picks it, e.g. `c1-on` and `c1-off`, or `vbank-c8-approval` and
 * `vbank-c8-refund`. `--by=function` (the default) sums each function's self time; `--by=module` gives each sample to
 * the nearest project module above it in its stack (a file of this repository, not of node_modules), so a native
 * call such as SQLite's `exec` counts for the module that made it; samples with none above them are `(runtime)`.
 * Work resumed after an `await` has only the event loop above it, so by module is a floor, not a full account.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';

const [dir, oneSide, otherSide, ...flags] = process.argv.slice(2);
if (!dir || !oneSide || !otherSide) {
  console.error('usage: node scripts/profile-diff.mjs <dir> <one side> <other side> [--by=module|function] [--top=N]');
  process.exit(2);
}
const option = (name, fallback) => flags.find((f) => f.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const by = option('by', 'function');
const top = Number(option('top', '30'));
const root = process.cwd() + sep;

/** The repository's own file a call frame is in (relative), or null for Node's, a dependency's or a native one. */
const projectFile = (url) => {
  const path = url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname) : url;
  return path.startsWith(root) && !path.includes(`${sep}node_modules${sep}`) ? path.slice(root.length) : null;
};

const keyOfFunction = ({ functionName, url, lineNumber, columnNumber }) =>
  `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber}:${columnNumber}`;

/** ms per key over every file of one side. */
const sideTotals = (pattern) => {
  const files = readdirSync(dir).filter((name) => name.endsWith('.cpuprofile') && name.includes(pattern));
  const totals = new Map();
  for (const name of files) {
    const profile = JSON.parse(readFileSync(join(dir, name), 'utf8'));
    const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
    const parents = new Map();
    for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
    const modules = new Map();
    const moduleOf = (id) => {
      if (!modules.has(id)) {
        const own = projectFile(nodes.get(id).callFrame.url);
        const parent = parents.get(id);
        modules.set(id, own ?? (parent === undefined ? '(runtime)' : moduleOf(parent)));
      }
      return modules.get(id);
    };
    profile.samples.forEach((id, i) => {
      const key = by === 'module' ? moduleOf(id) : keyOfFunction(nodes.get(id).callFrame);
      totals.set(key, (totals.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
    });
  }
  return { files: files.length, totals };
};

const one = sideTotals(oneSide);
const other = sideTotals(otherSide);
const sum = (totals) => [...totals.values()].reduce((a, b) => a + b, 0);
console.log(`${oneSide}: ${one.files} files, ${sum(one.totals).toFixed(1)} ms sampled`);
console.log(`${otherSide}: ${other.files} files, ${sum(other.totals).toFixed(1)} ms sampled`);
const keys = new Set([...one.totals.keys(), ...other.totals.keys()]);
const rows = [...keys]
  .map((key) => ({ key, a: one.totals.get(key) ?? 0, b: other.totals.get(key) ?? 0 }))
  .sort((x, y) => y.a - y.b - (x.a - x.b));
console.log(`${'more ms'.padStart(9)} ${'one'.padStart(9)} ${'other'.padStart(9)}  ${by}`);
for (const { key, a, b } of rows.slice(0, top)) {
  console.log(`${(a - b).toFixed(1).padStart(9)} ${a.toFixed(1).padStart(9)} ${b.toFixed(1).padStart(9)}  ${key}`);
}
