#!/usr/bin/env node
/**
 * @module `npm run build:runtimes`: bundles the proxy for the runtimes other than Node, each with the built widget
 * (dist/refund-button.js) and staff console (dist/refund-desk.js) and their ETags embedded, since Workers has no file
 * system and the others need none:
 *
 *   dist/worker.js  Cloudflare Workers (workerd): `postgres` resolves to its cloudflare:sockets build
 *   dist/deno.js    Deno / Deno Deploy: `deno run --allow-net --allow-env dist/deno.js`
 *   dist/bun.js     Bun: `bun run dist/bun.js`
 *
 * Node built-ins stay imports (`node:*`); every runtime here provides them. Build the widget first
 * (`npm run build:widget`): without it this stops rather than ship a proxy that cannot serve the widget.
 * Imported by the runtime tests and the runtime benchmark, which build into a directory of their own.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Each bundle: its file name, its entry, and the export conditions that pick each package's build for it. */
export const BUNDLES = [
  { name: 'worker.js', entry: 'proxy/entries/workers.ts', conditions: ['workerd', 'worker'] },
  { name: 'deno.js', entry: 'proxy/entries/deno.ts', conditions: ['deno'] },
  { name: 'bun.js', entry: 'proxy/entries/bun.ts', conditions: ['bun'] },
];

/** A built file's text with an ETag computed like widget-file.ts does. */
const script = (body) => ({ body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` });

/** Replaces proxy/entries/embedded-widget.ts with the widget's and the console's texts and ETags. */
const embedWidget = (widget, desk) => ({
  name: 'embed-widget',
  setup(build) {
    build.onLoad({ filter: /[\\/]proxy[\\/]entries[\\/]embedded-widget\.ts$/ }, () => ({
      contents:
        `export const EMBEDDED_WIDGET = ${JSON.stringify(script(widget))};\n` +
        `export const EMBEDDED_DESK = ${JSON.stringify(script(desk))};`,
      loader: 'js',
    }));
  },
});

// `postgres` imports `net`, `os`, … without the prefix; Deno wants `node:`, and the prefix works everywhere.
const nodeBuiltins = new Set(builtinModules.filter((name) => !name.startsWith('_')));
const prefixNodeBuiltins = {
  name: 'prefix-node-builtins',
  setup(build) {
    build.onResolve({ filter: /^[a-z_/]+$/ }, ({ path }) =>
      nodeBuiltins.has(path) ? { path: `node:${path}`, external: true } : undefined,
    );
  },
};

/**
 * Builds the three bundles into `outdir`.
 * @param {{ outdir?: string, widget?: string, desk?: string, logLevel?: import('esbuild').LogLevel }} [options]
 * @returns {Promise<Record<string, string>>} absolute path of each bundle by file name
 */
export async function buildRuntimes(options = {}) {
  const {
    outdir = join(root, 'dist'),
    widget = join(root, 'dist/refund-button.js'),
    desk = join(root, 'dist/refund-desk.js'),
    logLevel = 'warning',
  } = options;
  for (const file of [widget, desk]) {
    if (!existsSync(file)) {
      const missing = relative(root, file);
      throw new Error(`${missing} is missing: run \`npm run build:widget\` first (every runtime serves it).`);
    }
  }
  const [widgetBody, deskBody] = [widget, desk].map((file) => readFileSync(file, 'utf8'));
  const paths = {};
  await Promise.all(
    BUNDLES.map(async ({ name, entry, conditions }) => {
      const outfile = join(outdir, name);
      await esbuild.build({
        absWorkingDir: root,
        entryPoints: [entry],
        outfile,
        bundle: true,
        format: 'esm',
        platform: 'neutral',
        target: 'es2022',
        conditions,
        mainFields: ['module', 'main'],
        external: ['node:*', 'cloudflare:sockets'],
        plugins: [embedWidget(widgetBody, deskBody), prefixNodeBuiltins],
        banner: { js: `// Built by scripts/build-runtimes.mjs from ${entry}; do not edit.` },
        legalComments: 'none',
        logLevel,
      });
      paths[name] = outfile;
    }),
  );
  return paths;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const paths = await buildRuntimes();
    for (const path of Object.values(paths)) console.log(`built ${relative(root, path)}`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
