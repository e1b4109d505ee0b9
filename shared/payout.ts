/**
 * @module When a refund the PG pays out into the customer's bank account (a paid virtual account, or a transfer on
 * the PGs that refund transfers that way) reaches that account, in business days, per PG.
 * Source: i'mport's cancel API and virtual-account refund guide (the team kit's iamport-v1.md §3, §3.4, §5.1): the
 * PG sends the money typically the next business day, about 1–2 business days in general; Kiwoom Pay (daou) pays
 * out by hand in 7 or more. A PG not listed here gets no estimate: saying nothing beats a guess.
 */

/** Business days until the money arrives; `max_business_days` null means "or more" (no upper bound is published). */
export interface PayoutEstimate {
  readonly min_business_days: number;
  readonly max_business_days: number | null;
}

const USUAL: PayoutEstimate = { min_business_days: 1, max_business_days: 2 };

// The PGs with a published refund bank table (shared/banks.ts), which are the ones that pay refunds into accounts.
const BY_PG: Readonly<Record<string, PayoutEstimate>> = {
  kcp: USUAL,
  html5_inicis: USUAL,
  inicis: USUAL,
  inicis_unified: USUAL,
  tosspayments: USUAL,
  uplus: USUAL,
  danal: USUAL,
  danal_tpay: USUAL,
  nice: USUAL,
  nice_v2: USUAL,
  kicc: USUAL,
  // PortOne V2's own modules of the same PGs (V2 names PGs in capitals: INICIS_V2, KCP_V2, KICC_V2).
  inicis_v2: USUAL,
  kcp_v2: USUAL,
  kicc_v2: USUAL,
  smartro: USUAL,
  smartro_v2: USUAL,
  settle: USUAL,
  welcome: USUAL,
  daou: { min_business_days: 7, max_business_days: null },
};

/** The estimate for a payout by this PG (i'mport's name for it, or PortOne V2's), or null when none is published. */
export const payoutEstimateFor = (pgProvider: string): PayoutEstimate | null => {
  const pg = pgProvider.toLowerCase();
  return Object.hasOwn(BY_PG, pg) ? BY_PG[pg]! : null;
};
