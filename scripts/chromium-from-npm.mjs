/**
 * @module Unpacks the Chromium that the @sparticuz/chromium package ships (brotli files inside the package, nothing
 * downloaded) into node_modules/.cache/sparticuz-chromium/<version>, and returns the executable's path.
 * Run directly (`node scripts/chromium-from-npm.mjs <folder>`) it unpacks into <folder>; findChrome() does that in a
 * child process so that it can stay synchronous for its callers.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The package's version, or null when it is not installed (it is a devDependency). */
function packageVersion() {
  try {
    // Read by path: the package's `exports` do not list its package.json.
    return JSON.parse(readFileSync(join(root, 'node_modules/@sparticuz/chromium/package.json'), 'utf8')).version;
  } catch {
    return null;
  }
}

/**
 * The path of the npm-shipped Chromium, unpacking it first when this project has not unpacked this version yet.
 * @returns {string | null} null when @sparticuz/chromium is not installed or this is not Linux x64.
 * @throws {Error} when unpacking fails.
 */
export function chromiumFromNpm() {
  const version = packageVersion();
  if (!version || process.platform !== 'linux' || process.arch !== 'x64') return null;
  const folder = join(root, 'node_modules', '.cache', 'sparticuz-chromium', version);
  const executable = join(folder, 'chromium');
  if (existsSync(executable)) return executable;
  // The package unpacks into os.tmpdir() and reuses whatever it finds there, even a file cut short by a killed run.
  // So it unpacks into a folder of its own, and only a finished unpack is renamed to the name that is reused.
  const partial = `${folder}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const unpack = spawnSync(process.execPath, [fileURLToPath(import.meta.url), partial], { encoding: 'utf8' });
  if (unpack.status !== 0 || !existsSync(join(partial, 'chromium'))) {
    rmSync(partial, { recursive: true, force: true });
    throw new Error(`unpacking @sparticuz/chromium ${version} failed:\n${unpack.stdout}${unpack.stderr}`);
  }
  try {
    renameSync(partial, folder);
  } catch (error) {
    // Another run finished first: its copy is as good as ours.
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(executable)) throw error;
  }
  return executable;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const target = process.argv[2];
  if (!target) {
    console.error('usage: node scripts/chromium-from-npm.mjs <folder>');
    process.exit(1);
  }
  process.env.TMPDIR = target; // read by os.tmpdir(), where the package unpacks
  const { default: chromium } = await import('@sparticuz/chromium');
  const path = await chromium.executablePath();
  if (dirname(path) !== target) throw new Error(`@sparticuz/chromium unpacked to ${path}, not into ${target}`);
  console.log(path);
}
