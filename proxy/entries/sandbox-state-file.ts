/**
 * @module The sandbox i'mport's payments kept on disk beside the sandbox's ledger (DATA_DIR/sandbox-iamport.json),
 * with the demo orders' generation: a restart on the same DATA_DIR finds every payment its ledger speaks of, in the
 * state it was left in, under the same ids.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as v from 'valibot';
import { FakePaymentSchema } from '../gateways/iamport/fake/payment-schema.ts';

export const SANDBOX_STATE_FILE = 'sandbox-iamport.json';

const SavedSandboxSchema = v.object({
  version: v.literal(1),
  /** The demo orders' generation (merchant_uids `DEMO-<generation>-<kind>`); null before the first seeding. */
  demo: v.nullable(v.string()),
  payments: v.array(FakePaymentSchema),
});
export type SavedSandbox = v.InferOutput<typeof SavedSandboxSchema>;

export const sandboxStatePath = (dataDir: string): string => join(dataDir, SANDBOX_STATE_FILE);

/**
 * What the last run saved: null when there is no file yet; a problem (and null) when the file cannot be read or is not
 * one of ours, so the sandbox starts afresh rather than not at all: it holds nothing that is not fake.
 */
export const readSandboxState = (path: string): { saved: SavedSandbox | null; problem: string | null } => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { saved: null, problem: null };
    return { saved: null, problem: `could not read ${path} (${(error as Error).message})` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { saved: null, problem: `${path} is not JSON` };
  }
  const parsed = v.safeParse(SavedSandboxSchema, json);
  return parsed.success
    ? { saved: parsed.output, problem: null }
    : { saved: null, problem: `${path} is not a saved sandbox (${parsed.issues[0].message})` };
};

/** Replaces the file whole (a new file renamed over it), so a crash mid-write leaves the previous state, never half. */
export const writeSandboxState = (path: string, state: SavedSandbox): void => {
  mkdirSync(dirname(path), { recursive: true });
  const next = `${path}.${process.pid}.tmp`;
  writeFileSync(next, `${JSON.stringify(state)}\n`);
  renameSync(next, path);
};
