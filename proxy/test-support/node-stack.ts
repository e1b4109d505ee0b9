/**
 * @module nodeStack(): what a test of the Node entry as a process needs around it: the fake i'mport served on
 * loopback, a merchant webhook receiver (verifying with the `standardwebhooks` package), a SQLite data directory of its
 * own, and the live environment pointing the proxy at them.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFakeIamport } from '../gateways/iamport/fake/fake-iamport.ts';
import { serveFakeIamport } from '../gateways/iamport/fake/serve-node.ts';
import { startWebhookReceiver } from './webhook-receiver.ts';

/** `grantSecret`: the proxy's REFUND_TOKEN_SECRET, for the test to mint grants with. */
export const nodeStack = async (grantSecret: string, dirPrefix: string) => {
  const webhookSecret = `whsec_${randomBytes(32).toString('base64')}`;
  const fake = createFakeIamport();
  const served = await serveFakeIamport(fake);
  const receiver = await startWebhookReceiver(webhookSecret);
  const dataDir = mkdtempSync(join(tmpdir(), dirPrefix));
  const env = {
    IMP_KEY: 'test_imp_key',
    IMP_SECRET: 'test_imp_secret',
    REFUND_TOKEN_SECRET: grantSecret,
    IAMPORT_API_URL: served.url,
    DATA_DIR: dataDir,
    MERCHANT_WEBHOOK_URL: receiver.url,
    MERCHANT_WEBHOOK_SECRET: webhookSecret,
  };
  return {
    fake,
    receiver,
    env,
    /** The ledger file the proxy writes (DATA_DIR's). */
    ledgerPath: join(dataDir, 'ledger.sqlite'),
    close: async () => {
      await receiver.close();
      await served.close();
    },
  };
};
