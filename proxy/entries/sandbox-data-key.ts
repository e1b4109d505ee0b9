/**
 * @module The sandbox's DATA_ENCRYPTION_KEY when none is set, kept in DATA_DIR beside the sandbox's ledger
 * (sandbox-data-key, readable by its owner only): a refund request sealed before a restart still opens after it, as
 * the ledger and the fake i'mport's payments are kept too. It seals demo accounts only.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeDataKey, randomDataKey } from '../requests/account-crypto.ts';

export const SANDBOX_DATA_KEY_FILE = 'sandbox-data-key';

/** The key saved in `dataDir`, or a new one saved there (when the file is missing or not a key). */
export const sandboxDataKey = (dataDir: string): string => {
  const path = join(dataDir, SANDBOX_DATA_KEY_FILE);
  try {
    const saved = readFileSync(path, 'utf8').trim();
    if (decodeDataKey(saved)) return saved;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomDataKey();
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(path, `${key}\n`, { mode: 0o600 });
  return key;
};
