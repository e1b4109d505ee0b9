/**
 * @module The proxy's own payment: what the ledger keeps and the use case reasons on. Each gateway maps its wire answer
 * to it once, in proxy/gateways/<name>/ (i'mport: to-payment.ts); nothing outside reads the wire types. Field names are
 * the ledger's columns and the JSON of its cancel_history column, which is why they are snake_case.
 */

/** One (partial) refund of a payment, as i'mport recorded it. Times are UNIX seconds. */
export interface Cancellation {
  readonly pg_tid?: string | null | undefined;
  readonly amount: number;
  readonly cancelled_at: number;
  readonly reason?: string | null | undefined;
  /** i'mport's id for this refund; the audit ties an attempt to the entry it produced by it. */
  readonly cancellation_id?: string | null | undefined;
  readonly receipt_url?: string | null | undefined;
  /** Of `amount`, the tax-free part: set on a cancel still unfinished (cancels_pending), whose part is held back. */
  readonly tax_free_amount?: number;
}

/** One payment of an order. */
export interface Payment {
  /** The gateway's own id for the payment (i'mport's imp_uid); the ledger's column keeps V1's name. */
  readonly imp_uid: string;
  /** The order's id, chosen by the merchant (i'mport's merchant_uid; PortOne V2's paymentId). */
  readonly merchant_uid: string;
  readonly pay_method: string;
  readonly pg_provider: string;
  readonly name: string | null;
  readonly amount: number;
  readonly cancel_amount: number;
  readonly currency: string;
  readonly status: string;
  /** UNIX seconds; null when not paid. */
  readonly paid_at: number | null;
  readonly receipt_url: string | null;
  readonly cancel_history: readonly Cancellation[];
  /**
   * The payment's tax-free part and how much of it was refunded, where the gateway reports them (PortOne V2's
   * `amount.taxFree` and `amount.cancelledTaxFree`); absent or null on i'mport V1, whose payments do not show them.
   */
  readonly tax_free?: number | null;
  readonly cancelled_tax_free?: number | null;
  /**
   * Cancellations the gateway accepted and has not finished (PortOne V2's REQUESTED ones): no money has moved, and an
   * attempt that made one is not settled either way until it finishes. Read fresh from the gateway, never stored.
   */
  readonly cancels_pending?: readonly Cancellation[];
  /**
   * Cancellations the gateway accepted and then could not finish (PortOne V2's FAILED ones): nothing moved, and the
   * attempt that made one ended refused. Read fresh from the gateway, never stored.
   */
  readonly cancels_failed?: readonly Cancellation[];
}
