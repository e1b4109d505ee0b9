#!/usr/bin/env node
// `npm run lint:templates`: lit-analyzer checks the widget's and the console's lit templates (bindings against element and attribute
// types, unknown attributes, events). lit-analyzer calls TypeScript's compiler API, which TypeScript 7 (our `tsc`) no
// longer has, so its `require('typescript')` is pointed at the TypeScript 5 kept for it as `typescript5`.
import Module, { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const typescript5 = require.resolve('typescript5');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return resolve.call(this, request === 'typescript' ? typescript5 : request, ...rest);
};

// Run from widget/ so that lit-analyzer reads widget/tsconfig.json, whose ts-lit-plugin entry holds its settings.
process.chdir(new URL('../widget', import.meta.url).pathname);
// The console's templates too (desk/ is checked under the same settings).
const files = ['refund-button/*.ts', '../desk/refund-desk/*.ts'];
process.argv = [
  process.argv[0],
  'lit-analyzer',
  ...files,
  '--strict',
  '--maxWarnings',
  '0',
  '--rules.no-missing-import',
  'off',
  ...process.argv.slice(2),
];
await require('lit-analyzer').cli();
