/**
 * @module Writes dist/custom-elements.json, the Custom Elements Manifest of <refund-button>, from the class JSDoc.
 * Uses the analyzer's API rather than its CLI, because the CLI also rewrites package.json ("customElements").
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { create, ts } from '@custom-elements-manifest/analyzer';
import { litPlugin } from '@custom-elements-manifest/analyzer/src/features/framework-plugins/lit/lit.js';

const FILES = ['widget/index.ts', 'widget/refund-button/refund-button.ts', 'widget/refund-button/events.ts'];
const OUT = 'dist/custom-elements.json';

const modules = FILES.map((file) =>
  ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true),
);
const manifest = create({ modules, plugins: litPlugin() });

// The analyzer lists every private (#) member too; a manifest documents the public surface only.
for (const mod of manifest.modules) {
  for (const decl of mod.declarations ?? []) {
    if (decl.members) decl.members = decl.members.filter((m) => m.privacy !== 'private' && !m.name.startsWith('#'));
    // `dispatchEvent(new RefundOpenEvent(…))` is also picked up as an event without a name; @fires names them all.
    if (decl.events) decl.events = decl.events.filter((e) => e.name);
  }
}

const element = manifest.modules.flatMap((m) => m.declarations ?? []).find((d) => d.tagName === 'refund-button');
if (!element) throw new Error('no <refund-button> found in the manifest: check the @tagname JSDoc');
for (const [what, list, min] of [
  ['attributes', element.attributes, 8],
  ['events', element.events, 7],
  ['css parts', element.cssParts, 10],
  ['css properties', element.cssProperties, 10],
]) {
  if ((list?.length ?? 0) < min)
    throw new Error(`the manifest has only ${list?.length ?? 0} ${what}; expected at least ${min}`);
}

mkdirSync('dist', { recursive: true });
writeFileSync(OUT, `${JSON.stringify(manifest, null, 2)}\n`);
console.log(
  `${OUT}: <refund-button> with ${element.attributes.length} attributes, ${element.events.length} events, ` +
    `${element.cssParts.length} parts, ${element.cssProperties.length} CSS properties`,
);
