/**
 * @module Writes dist/custom-elements.json, the Custom Elements Manifest of <refund-button> and <refund-desk>, from
 * the classes' JSDoc. Uses the analyzer's API rather than its CLI, because the CLI also rewrites package.json
 * ("customElements").
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { create, ts } from '@custom-elements-manifest/analyzer';
import { litPlugin } from '@custom-elements-manifest/analyzer/src/features/framework-plugins/lit/lit.js';

const FILES = [
  'widget/index.ts',
  'widget/refund-button/refund-button.ts',
  'widget/refund-button/events.ts',
  'desk/index.ts',
  'desk/refund-desk/refund-desk.ts',
  'desk/refund-desk/events.ts',
];
const OUT = 'dist/custom-elements.json';

const modules = FILES.map((file) =>
  ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true),
);
const manifest = create({ modules, plugins: litPlugin() });

// The analyzer lists every private (#) member too; a manifest documents the public surface only. Members marked
// @internal (the console's hooks for its own screens) are not part of it either.
for (const mod of manifest.modules) {
  for (const decl of mod.declarations ?? []) {
    if (decl.members) {
      decl.members = decl.members.filter(
        (m) => m.privacy !== 'private' && !m.name.startsWith('#') && !/@internal/.test(m.description ?? ''),
      );
    }
    // `dispatchEvent(new RefundOpenEvent(…))` is also picked up as an event without a name; @fires names them all.
    if (decl.events) decl.events = decl.events.filter((e) => e.name);
  }
}

// Each element with the least its manifest must hold: fewer means the JSDoc the analyzer reads went missing.
const ELEMENTS = [
  { tag: 'refund-button', attributes: 8, events: 7, parts: 10, properties: 10 },
  { tag: 'refund-desk', attributes: 3, events: 4, parts: 10, properties: 8 },
];
const declarations = manifest.modules.flatMap((m) => m.declarations ?? []);
const found = ELEMENTS.map(({ tag, ...min }) => {
  const element = declarations.find((d) => d.tagName === tag);
  if (!element) throw new Error(`no <${tag}> found in the manifest: check the @tagname JSDoc`);
  for (const [what, list, least] of [
    ['attributes', element.attributes, min.attributes],
    ['events', element.events, min.events],
    ['css parts', element.cssParts, min.parts],
    ['css properties', element.cssProperties, min.properties],
  ]) {
    if ((list?.length ?? 0) < least)
      throw new Error(`<${tag}>: the manifest has only ${list?.length ?? 0} ${what}; expected at least ${least}`);
  }
  return element;
});

mkdirSync('dist', { recursive: true });
writeFileSync(OUT, `${JSON.stringify(manifest, null, 2)}\n`);
for (const element of found) {
  console.log(
    `${OUT}: <${element.tagName}> with ${element.attributes.length} attributes, ${element.events.length} events, ` +
      `${element.cssParts.length} parts, ${element.cssProperties.length} CSS properties`,
  );
}
