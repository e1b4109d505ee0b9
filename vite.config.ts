/**
 * @module Vite: `vite build` makes `dist/refund-button.js` (one minified ES module, Lit inside); `vite build --mode desk`
 * makes `dist/refund-desk.js`, the staff console, the same way. Two builds, not two lib entries: two entries would
 * share Lit through a third chunk, and each file must load alone. `vite` serves the widget's dev page (widget/dev/).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { minifyTemplates, minifyTemplatesPlugin } from './widget/build/minify-templates.ts';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/** The widget's template minifier, applied to the console's own files too. */
const minifyDeskTemplates = (): Plugin => ({
  name: 'minify-desk-templates',
  apply: 'build',
  enforce: 'pre',
  transform: (code, id) =>
    /\/desk\/.*\.ts$/.test(id) && /\b(html|css)`/.test(code) ? { code: minifyTemplates(code), map: null } : null,
});

/** Each build's entry and file. */
const ENTRIES = {
  widget: { entry: './widget/index.ts', file: 'refund-button.js' },
  desk: { entry: './desk/index.ts', file: 'refund-desk.js' },
} as const;

export default defineConfig(({ command, mode }) => ({
  // The dev page lives in widget/dev; the build reads widget/index.ts and writes to dist/ beside the proxy's files.
  root: command === 'serve' ? here('./widget/dev') : here('.'),
  publicDir: false,
  plugins: [minifyTemplatesPlugin(), minifyDeskTemplates()],
  server: { host: '127.0.0.1', port: 5173 },
  build: {
    outDir: here('./dist'),
    emptyOutDir: false, // dist/ may hold other builds; the one file we write is replaced
    target: 'es2022',
    minify: true,
    sourcemap: false,
    reportCompressedSize: false, // scripts/check-widget-size.mjs measures it, with the budget
    lib: {
      entry: here(ENTRIES[mode === 'desk' ? 'desk' : 'widget'].entry),
      formats: ['es'],
      fileName: () => ENTRIES[mode === 'desk' ? 'desk' : 'widget'].file,
    },
    rolldownOptions: {
      // Lib mode leaves the `es` output unminified (for consumers' tree-shaking); this file is loaded as is.
      output: { minify: true, comments: false },
    },
  },
}));
