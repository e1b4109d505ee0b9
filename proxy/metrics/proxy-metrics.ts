/**
 * @module createProxyMetrics(): the proxy's own metrics (README.md, "Metrics") over one registry per proxy. Counters
 * and the histogram count in this process (on Workers, this isolate); the ledger's gauges are read at scrape time.
 */
import { ERRORS } from '../../shared/errors.ts';
import type { CancelOutcome } from '../refunds/outcome.ts';
import { createRegistry } from './registry.ts';

/**
 * What a refund request came to. `succeeded`: money went back; `revoked`: an unpaid virtual account was revoked;
 * `replayed`: a stored answer for a repeated Idempotency-Key; `unknown`: sent, outcome not learned yet
 * (REFUND_OUTCOME_UNKNOWN); `failed`: i'mport, the PG or the proxy failed it (a 5xx code); `rejected`: refused
 * by the rules or the PG as a client error (a 4xx code), nothing moved.
 */
export type RefundOutcomeLabel = 'succeeded' | 'accepted' | 'revoked' | 'replayed' | 'unknown' | 'failed' | 'rejected';

/**
 * The gateway's own name for a call (i'mport V1: token, payment, find, cancel, vbank_revoke, holder; PortOne V2:
 * get_payment, cancel_payment, close_virtual_account, get_account_holder), the `call` label.
 */
export type GatewayCall = string;

/** How one POST of an event to one URL went: `delivered` (2xx) or `failed_attempt` (anything else, or no answer). */
export type DeliveryResult = 'delivered' | 'failed_attempt';

/** The ledger's state, read when /metrics is scraped. */
export interface LedgerGauges {
  readonly unsettledAttempts: number;
  readonly outboxPending: number;
  /** How long the oldest pending event has waited since it was queued, in seconds; 0 with none. */
  readonly oldestPendingSeconds: number;
}

/** For an i'mport answer that took this long: 25 ms to 30 s, past the 15 s default timeout. */
export const GATEWAY_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30] as const;

export interface ProxyMetrics {
  refund(outcome: CancelOutcome): void;
  gatewayCall(call: GatewayCall, seconds: number): void;
  delivery(result: DeliveryResult): void;
  /**
   * The text exposition of everything, with the ledger's gauges as given; null when the ledger could not be read: its
   * gauges then have no sample, `refund_proxy_ledger_up` is 0, and this process's counters are still served.
   */
  render(ledger: LedgerGauges | null): string;
}

export const refundLabels = (outcome: CancelOutcome): { outcome: RefundOutcomeLabel; code: string } => {
  switch (outcome.kind) {
    case 'refunded':
      // Taken by the gateway to finish later (PortOne V2's REQUESTED, PayPal's approval): no money has gone back yet.
      return { outcome: outcome.accepted ? 'accepted' : 'succeeded', code: '' };
    case 'revoked':
      return { outcome: 'revoked', code: '' };
    case 'replayed': {
      const { body } = outcome.answer;
      return { outcome: 'replayed', code: body.ok ? '' : body.error.code };
    }
    case 'failed': {
      const { code } = outcome;
      if (code === 'REFUND_OUTCOME_UNKNOWN') return { outcome: 'unknown', code };
      return { outcome: ERRORS[code].status >= 500 ? 'failed' : 'rejected', code };
    }
  }
};

export const createProxyMetrics = (): ProxyMetrics => {
  const registry = createRegistry();
  const refunds = registry.counter(
    'refund_proxy_refunds_total',
    "Refunds (a customer's POST /payments/cancel, a staff approval's refund) by what they came to, in this process.",
    ['outcome', 'code'],
  );
  const gateway = registry.histogram(
    'refund_proxy_gateway_request_seconds',
    "Time of each HTTP exchange with the payment gateway (i'mport or PortOne V2), by call, in this process.",
    ['call'],
    GATEWAY_BUCKETS,
  );
  const unsettled = registry.gauge(
    'refund_proxy_unsettled_attempts',
    'Refund attempts in the ledger not yet ended, or ended with an unknown outcome.',
  );
  const pending = registry.gauge('refund_proxy_outbox_pending', 'Merchant webhook events waiting to be delivered.');
  const oldest = registry.gauge(
    'refund_proxy_outbox_oldest_pending_seconds',
    'How long the oldest pending merchant webhook event has waited, in seconds (0 with none).',
  );
  const ledgerUp = registry.gauge(
    'refund_proxy_ledger_up',
    'Whether the ledger answered this scrape (1) or not (0, and the ledger gauges have no sample).',
  );
  const deliveries = registry.counter(
    'refund_proxy_webhook_deliveries_total',
    'POSTs of merchant webhook events by result, in this process.',
    ['result'],
  );
  return {
    refund: (outcome) => refunds.inc(refundLabels(outcome)),
    gatewayCall: (call, seconds) => gateway.observe({ call }, seconds),
    delivery: (result) => deliveries.inc({ result }),
    render(ledger) {
      unsettled.set(ledger?.unsettledAttempts ?? null);
      pending.set(ledger?.outboxPending ?? null);
      oldest.set(ledger?.oldestPendingSeconds ?? null);
      ledgerUp.set(ledger ? 1 : 0);
      return registry.render();
    },
  };
};
