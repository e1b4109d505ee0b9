/**
 * @module Finds a Chromium or Chrome for the browser tests: CHROME_PATH, then the usual install paths.
 * Run directly (`node scripts/find-chrome.mjs`) it prints the path, or the way to install one and exits 1.
 */
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

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
  'No Chromium or Chrome found for the browser tests. Install one (Debian/Ubuntu: `apt-get install -y chromium`) ' +
  'or point CHROME_PATH at a Chrome/Chromium executable.';

const isExecutable = (path) => {
  try {
    accessSync(path, platform === 'win32' ? constants.F_OK : constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/**
 * The path of a Chromium or Chrome executable: CHROME_PATH when set, else the first usual path that exists.
 * @throws {Error} when CHROME_PATH points at nothing, or when none is installed; the message says how to fix it.
 */
export function findChrome() {
  if (env.CHROME_PATH) {
    if (isExecutable(env.CHROME_PATH)) return env.CHROME_PATH;
    throw new Error(`CHROME_PATH is set to ${env.CHROME_PATH}, which is not an executable. ${HOW_TO_INSTALL}`);
  }
  const found = (CANDIDATES[platform] ?? CANDIDATES.linux).find(isExecutable);
  if (found) return found;
  throw new Error(HOW_TO_INSTALL);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    console.log(findChrome());
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
