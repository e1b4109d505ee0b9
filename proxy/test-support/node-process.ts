/** @module Runs one of the repo's Node scripts (the proxy's entry, the grant CLI) as a real process, for tests. */
import { fileURLToPath } from 'node:url';
import { startChild } from './child-process.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface ScriptRun {
  /** The exit code, or null while it runs (when `until` matched first). */
  readonly code: number | null;
  /** Everything printed so far (stdout and stderr). */
  readonly out: string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Runs `script` with only PATH and `env` in its environment, until it exits or prints something matching `until`
 * (at most 30 s: then it is stopped and this rejects with its output).
 */
export const runScript = async (
  script: string,
  args: string[],
  env: Record<string, string>,
  until?: RegExp,
): Promise<ScriptRun> => {
  // One process (node with tsx's loader), not the tsx CLI, which forks: a kill must reach the proxy itself.
  const child = startChild({ command: process.execPath, args: ['--import', 'tsx', script, ...args], cwd: root, env });
  const timeoutMs = 30_000;
  let code: number | null = null;
  try {
    if (until) await child.waitForOutput(until, { timeoutMs });
    else code = await child.waitForExit({ timeoutMs });
  } catch (error) {
    if (child.running()) {
      await child.stop();
      throw error;
    }
    code = await child.waitForExit();
  }
  return {
    code,
    get out() {
      return child.output();
    },
    kill: async (signal = 'SIGTERM') => (signal === 'SIGTERM' ? child.stop() : child.kill(signal)),
  };
};

/** Starts the proxy's Node entry (what `npm start` runs) and returns its base URL. */
export const startNodeProxy = async (env: Record<string, string>): Promise<ScriptRun & { readonly url: string }> => {
  const run = await runScript('proxy/entries/node.ts', [], { PORT: '0', ...env }, /listening on http:\/\/[^:]+:\d+/);
  const url = /listening on (http:\/\/[^\s:]+:\d+)/.exec(run.out)?.[1];
  if (!url) {
    await run.kill();
    throw new Error(`the proxy did not start:\n${run.out}`);
  }
  return {
    code: run.code,
    get out() {
      return run.out;
    },
    kill: run.kill,
    url,
  };
};
