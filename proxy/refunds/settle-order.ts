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
 * answer, the order paid since by another payment), judged from that payment's own copy, as its webhook would be; so is
 * `impUid`, a payment of the order the hourly look names: a row found marked (an older one whose webhook's look was cut
 * short, which the re-read clears), or one with a refund settled as not made whose cancel may yet land (attention.ts),
 * re-read as the view does when it is the order's payment, marked or not. Never rejects. `busy`: the order's lease was
 * held (a refund or another look running), so it was not looked at now.
 */
export const settleOrder = async (
  deps: RefundDeps,
  merchantUid: string,
  impUid?: string,
): Promise<'looked' | 'busy'> => {
  try {
    const [stored, attempts] = await Promise.all([
      deps.store.getPayment(merchantUid),
      deps.store.listAttempts(merchantUid),
    ]);
    const unsettled = attempts.filter(isUnsettled);
    // Marked, or unmarked while one of its attempts is unsettled (a row whose mark a copy stored since had cleared), or
    // named by the hourly look.
    if (
      stored &&
      (stored.needs_sync || impUid === stored.imp_uid || unsettled.some((a) => a.imp_uid === stored.imp_uid))
    ) {
      if ((await recheck(deps, stored)).busy) return 'busy';
    }
    const others = new Set<string>();
    for (const { imp_uid } of [...unsettled, { imp_uid: impUid ?? null }]) {
      // Only this gateway's payments: another's (a ledger kept across a switch, other-gateway.ts) it would not know.
      const ours = imp_uid !== null && deps.gateway.owns({ imp_uid, merchant_uid: merchantUid });
      if (ours && imp_uid !== stored?.imp_uid) others.add(imp_uid);
    }
    for (const impUid of others) await syncFromWebhook(deps, impUid);
  } catch (error) {
    deps.log({ level: 'warn', msg: 'could not settle an order', merchant_uid: merchantUid, error: String(error) });
  }
  return 'looked';
};
