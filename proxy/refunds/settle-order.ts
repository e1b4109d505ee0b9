/**
 * @module settleOrder(): what a look at an order settles, for those who otherwise read only the ledger: an approval
 * that finds its request still `approved`, and the attention check before it calls for the operator.
 */
import type { RefundDeps } from './deps.ts';
import { isUnsettled } from './settle.ts';
import { syncFromWebhook } from './sync-from-webhook.ts';
import { recheck } from './view.ts';

/**
 * A marked row (an attempt whose outcome is not known) re-read from the gateway under the order's lease, as the view
 * does; and an attempt left unsettled on another payment of the order (an unpaid account whose revocation got no
 * answer, the order paid since by another payment), judged from that payment's own copy, as its webhook would be.
 * Never rejects.
 */
export const settleOrder = async (deps: RefundDeps, merchantUid: string): Promise<void> => {
  try {
    const stored = await deps.store.getPayment(merchantUid);
    if (stored?.needs_sync) await recheck(deps, stored);
    const others = (await deps.store.listAttempts(merchantUid)).flatMap((a) =>
      isUnsettled(a) && a.imp_uid !== null && a.imp_uid !== stored?.imp_uid ? [a.imp_uid] : [],
    );
    for (const impUid of new Set(others)) await syncFromWebhook(deps, impUid);
  } catch (error) {
    deps.log({ level: 'warn', msg: 'could not settle an order', merchant_uid: merchantUid, error: String(error) });
  }
};
