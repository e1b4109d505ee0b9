/**
 * @module Finds a Chromium or Chrome for the browser tests: CHROME_PATH, then the usual install paths, then the
 * Chromium shipped inside the @sparticuz/chromium devDependency (unpacked on first use), so `npm install` is enough.
 * Run directly (`node scripts/find-chrome.mjs`) it prints the path and where it came from, or the way to get one and
 * exits 1.
 */
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumFromNpm } from './chromium-from-npm.mjs';

const { env, platform } = process;

/** Where Chromium and Chrome usually live, per platform, in the order they are tried. */
const CANDIDATES = {
  linux: [
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/lib/chromium/chromium',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
    '/opt/google/chrome/chrome',
    '/snap/bin/chromium',
  ],
  darwin: [
    '/Applications/Chromium.app/Contents/MacOS/Chromium',
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  ],
  win32: [env.PROGRAMFILES, env['PROGRAMFILES(X86)'], env.LOCALAPPDATA]
    .filter(Boolean)
    .map((dir) => join(dir, 'Google', 'Chrome', 'Application', 'chrome.exe')),
};

const HOW_TO_INSTALL =
  'No Chromium or Chrome found for the browser tests. Run `npm install` (it brings @sparticuz/chromium on Linux x64), ' +
  'install one (Debian/Ubuntu: `apt-get install -y chromium`) or point CHROME_PATH at a Chrome/Chromium executable.';

/** Noto Sans KR from npm plus the machine's fonts; without a Korean font the e2e screenshots show empty boxes. */
const FONTS_CONF = fileURLToPath(new URL('./fonts.conf', import.meta.url));

const isExecutable = (path) => {
  try {
    accessSync(path, platform === 'win32' ? constants.F_OK : constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/**
 * A Chromium or Chrome executable and where it came from: CHROME_PATH when set, else the first usual path that
 * exists, else the npm-shipped one.
 * Also sets FONTCONFIG_FILE (unless already set) for this process, which every launcher passes on to Chromium.
 * @returns {{ path: string; source: string }}
 * @throws {Error} when CHROME_PATH points at nothing, or when none is found; the message says how to fix it.
 */
export function findChromeWithSource() {
  if (platform === 'linux') env.FONTCONFIG_FILE ??= FONTS_CONF;
  if (env.CHROME_PATH) {
    if (isExecutable(env.CHROME_PATH)) return { path: env.CHROME_PATH, source: 'CHROME_PATH' };
    throw new Error(`CHROME_PATH is set to ${env.CHROME_PATH}, which is not an executable. ${HOW_TO_INSTALL}`);
  }
  const found = (CANDIDATES[platform] ?? CANDIDATES.linux).find(isExecutable);
  if (found) return { path: found, source: 'installed on this machine' };
  const fromNpm = chromiumFromNpm();
  if (fromNpm) return { path: fromNpm, source: 'from npm (@sparticuz/chromium)' };
  throw new Error(HOW_TO_INSTALL);
}

/** The path of a Chromium or Chrome executable (see findChromeWithSource). */
export const findChrome = () => findChromeWithSource().path;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const { path, source } = findChromeWithSource();
    console.log(`${path} (${source})`);
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}

/**
 * The flags every headless run of ours gives Chromium (wtr adds --headless=new): no sandbox (CI runs as root), no GPU,
 * no /dev/shm (small in containers), and nothing that reaches the internet on its own (updates, sync, QUIC probes).
 */
export const CHROME_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
