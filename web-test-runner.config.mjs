/**
 * web-test-runner: the widget's and the staff console's tests (widget/**\/*.test.ts, desk/**\/*.test.ts) in headless
 * Chromium. The bundles are built first, because tests load dist/refund-button.js and dist/refund-desk.js themselves: the runner compiles the sources
 * its own way (esbuild) and would pass even when Vite's bundle is broken.
 */

import { fileURLToPath } from 'node:url';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { defaultReporter } from '@web/test-runner';
import { chromeLauncher } from '@web/test-runner-chrome';
import { build } from 'vite';
import { CHROME_ARGS, findChrome } from './scripts/find-chrome.mjs';

let executablePath;
try {
  executablePath = findChrome();
} catch (error) {
  console.error(error.message);
  process.exit(1);
}

// Prints one plain "wtr: N passed, N failed[, N skipped]" line at the end (the CI log reader needs it).
function plainSummaryReporter() {
  const count = (suite, acc) => {
    for (const t of suite?.tests ?? []) t.skipped ? acc.skipped++ : t.passed ? acc.passed++ : acc.failed++;
    for (const s of suite?.suites ?? []) count(s, acc);
    return acc;
  };
  return {
    onTestRunFinished({ sessions }) {
      const acc = { passed: 0, failed: 0, skipped: 0 };
      for (const s of sessions) {
        count(s.testResults, acc);
        // A file that failed to load has no tests to count.
        if (!s.passed && !s.testResults?.tests?.length && !s.testResults?.suites?.length) acc.failed++;
      }
      const line = `wtr: ${acc.passed} passed, ${acc.failed} failed${acc.skipped ? `, ${acc.skipped} skipped` : ''}`;
      process.once('exit', () => process.stdout.write(`\n${line}\n`)); // after the default reporter's summary
    },
  };
}

// Builds dist/refund-button.js and dist/refund-desk.js once, before the browser starts (set WTR_NO_BUILD=1 to test
// existing builds).
function buildBundle() {
  return {
    name: 'build-widget-bundle',
    async serverStart() {
      if (process.env.WTR_NO_BUILD) return;
      const configFile = fileURLToPath(new URL('./vite.config.ts', import.meta.url));
      await build({ configFile, logLevel: 'warn' });
      await build({ configFile, mode: 'desk', logLevel: 'warn' });
    },
  };
}

// `executeServerCommand('forced-colors', true | false)`: Windows' forced colours (high contrast), emulated. The
// emulateMedia command's `forcedColors` works with Playwright only; with this launcher (puppeteer, whose own media
// emulation refuses the feature) it is set through DevTools, on a session kept per page: closing it would end it.
function forcedColorsCommand() {
  const sessions = new WeakMap();
  return {
    name: 'forced-colors-command',
    async executeCommand({ command, payload, session }) {
      if (command !== 'forced-colors') return undefined;
      const page = session.browser.getPage(session.id);
      if (!sessions.has(page)) sessions.set(page, await page.createCDPSession());
      await sessions.get(page).send('Emulation.setEmulatedMedia', {
        features: [{ name: 'forced-colors', value: payload ? 'active' : 'none' }],
      });
      return true;
    },
  };
}

export default {
  files: ['widget/**/*.test.ts', 'desk/**/*.test.ts'],
  nodeResolve: true,
  plugins: [
    buildBundle(),
    forcedColorsCommand(),
    esbuildPlugin({
      ts: true,
      target: 'auto',
      tsconfig: fileURLToPath(new URL('./widget/tsconfig.json', import.meta.url)),
    }),
  ],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath,
        headless: true,
        args: ['--headless=new', ...CHROME_ARGS],
      },
    }),
  ],
  filterBrowserLogs: ({ args }) => !String(args[0]).includes('Lit is in dev mode'),
  reporters: [defaultReporter(), plainSummaryReporter()],
  testFramework: { config: { timeout: 5000 } },
};
