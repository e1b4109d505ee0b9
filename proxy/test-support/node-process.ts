/** @module Runs one of the repo's Node scripts (the proxy's entry, the grant CLI) as a real process, for tests. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface ScriptRun {
  /** The exit code, or null while it runs (when `until` matched first). */
  readonly code: number | null;
  /** Everything printed so far (stdout and stderr). */
  readonly out: string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Runs `script` with only PATH and `env` in its environment, until it exits or prints something matching `until`.
 */
export const runScript = (script: string, args: string[], env: Record<string, string>, until?: RegExp): Promise<ScriptRun> =>
  new Promise((resolve) => {
    // One process (node with tsx's loader), not the tsx CLI, which forks: a kill must reach the proxy itself.
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: root, env: { PATH: process.env.PATH ?? '', ...env } });
    let out = '';
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    const kill = async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    };
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (until?.test(out)) resolve({ code: null, out, kill });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => resolve({ code, out, kill }));
  });

/** Starts the proxy's Node entry (what `npm start` runs) and returns its base URL. */
export const startNodeProxy = async (env: Record<string, string>): Promise<ScriptRun & { readonly url: string }> => {
  const run = await runScript('proxy/entries/node.ts', [], { PORT: '0', ...env }, /listening on http:\/\/[^:]+:\d+/);
  const url = /listening on (http:\/\/[^\s:]+:\d+)/.exec(run.out)?.[1];
  if (!url) {
    await run.kill();
    throw new Error(`the proxy did not start:\n${run.out}`);
  }
  return { ...run, url };
};
