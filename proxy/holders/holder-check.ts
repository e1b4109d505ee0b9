/**
 * @module checkHolder(): the account-holder check before a virtual-account refund (VERIFY_REFUND_HOLDER). A refund to
 * a mistyped account is the failure merchants report most: the money leaves and must be chased by hand. So, where the
 * gateway can look the holder up, the name the bank returns must match `refund_holder` (holder-name.ts) before
 * anything is sent. The returned name never leaves this module whole: logs and the audit get it masked.
 */
import type { HolderCheckConfig } from '../config.ts';
import type { Gateway } from '../gateways/gateway.ts';
import { maskNumbers } from '../refunds/gateway-text.ts';
import { type Failure, fail } from '../refunds/outcome.ts';
import { maskHolderName, sameHolder } from './holder-name.ts';

export type HolderCheckMode = HolderCheckConfig['verify'];

/** What the check found, as the audit's `holder_check` keeps it. */
export type HolderCheck = 'verified' | 'mismatch' | 'unavailable' | 'not_offered' | 'off';

export interface HolderCheckResult {
  readonly check: HolderCheck;
  /** Why the refund must not go on (nothing was sent); null when it may. */
  readonly failure: Failure | null;
  /** For the audit's message: what the bank said, with the returned name masked; null when there is nothing to add. */
  readonly note: string | null;
}

export interface HolderCheckDeps {
  readonly gateway: Gateway;
  readonly log: (line: Record<string, unknown>) => void;
  /** VERIFY_REFUND_HOLDER; `when_available` unless given. */
  readonly holderCheck?: HolderCheckMode;
}

export interface CheckedAccount {
  /** The gateway's bank code, as `refund_bank` names it. */
  readonly bank: string;
  readonly number: string;
  readonly holder: string;
}

// One text for another holder and for no such account: told apart, a customer could learn whether a stranger's account
// exists before guessing its holder (the audit keeps which it was).
const MISMATCH =
  "The bank does not confirm this holder for this account. Check the holder's name, the bank and the account number.";
const NO_ACCOUNT = MISMATCH;
const CANNOT_CHECK =
  "The refund account's holder could not be checked with the bank, and this shop refunds only to a checked " +
  'account; nothing was refunded. Try again later.';

export const checkHolder = async (
  deps: HolderCheckDeps,
  account: CheckedAccount,
  merchantUid: string,
): Promise<HolderCheckResult> => {
  const mode = deps.holderCheck ?? 'when_available';
  if (mode === 'off') return { check: 'off', failure: null, note: null };
  const found = deps.gateway.lookupHolder
    ? await deps.gateway.lookupHolder({ bank: account.bank, number: account.number })
    : ({ kind: 'not_offered' } as const);
  const log = (check: HolderCheck, more: Record<string, unknown> = {}) =>
    deps.log({
      // not_offered is how every refund runs where the gateway has no lookup (start-up says so once): a warning only
      // where it refuses the refund (required).
      level: check === 'verified' || (check === 'not_offered' && mode !== 'required') ? 'info' : 'warn',
      msg: 'refund holder check',
      merchant_uid: merchantUid,
      holder_check: check,
      ...more,
    });
  switch (found.kind) {
    case 'ok': {
      const masked = maskHolderName(found.holder);
      if (sameHolder(account.holder, found.holder)) {
        log('verified');
        return { check: 'verified', failure: null, note: null };
      }
      log('mismatch', { returned: masked });
      const note = `holder check: the bank's holder is ${masked}`;
      return { check: 'mismatch', failure: fail('REFUND_ACCOUNT_HOLDER_MISMATCH', MISMATCH), note };
    }
    case 'not_found':
      log('mismatch', { returned: null });
      return {
        check: 'mismatch',
        failure: fail('REFUND_ACCOUNT_HOLDER_MISMATCH', NO_ACCOUNT),
        note: 'holder check: the bank has no such account',
      };
    case 'not_offered':
    case 'unavailable': {
      const check = found.kind;
      // The gateway's words may echo the account looked up: the log keeps no full account number.
      log(check, found.kind === 'unavailable' ? { detail: maskNumbers(found.detail, account.number) } : {});
      if (mode !== 'required') return { check, failure: null, note: null };
      return { check, failure: fail('UPSTREAM_UNAVAILABLE', CANNOT_CHECK), note: `holder check: ${check}` };
    }
  }
};
