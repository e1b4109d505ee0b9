/**
 * @module Gateway: what the refund use case asks of a payment gateway (i'mport V1 today, PortOne V2 next), in the
 * proxy's own terms. Each gateway lives in proxy/gateways/<name>/, owns its wire types, maps its answers to the
 * proxy's Payment and its refusals to a RefusalKind; create-gateway.ts is the one place that picks one. Every result is
 * a typed value that says whether money could have moved: `refused` and `not_sent` never did, `unknown` might have.
 */
import type { Bank } from '../../shared/banks.ts';
import type { Payment } from '../payments/payment.ts';

export type GatewayName = 'iamport' | 'portone';

/**
 * Why a call did not produce an answer we can use. `refused`: nothing listened, so the request never left.
 * `bad_response`: the gateway answered something the proxy cannot use or store (the gateway logs the field).
 * `inconsistent`: a payment showing more cancelled than paid; nothing may be refunded from it.
 */
export interface Unavailable {
  readonly kind: 'unavailable';
  readonly reason: 'timeout' | 'network' | 'refused' | 'http_error' | 'bad_response' | 'auth' | 'inconsistent';
  readonly detail: string;
}

/** A payment made through a test channel is never `ok` in live mode: it is `not_found`, as if it did not exist. */
export type LookupResult =
  | { readonly kind: 'ok'; readonly payment: Payment }
  | { readonly kind: 'not_found' }
  | Unavailable;

/**
 * What kind of "no" the gateway said to a change; each gateway classifies its own codes and words.
 * - `already_cancelled`: nothing is left to refund.
 * - `checksum`: the checksum sent is not the gateway's balance (someone refunded elsewhere).
 * - `amount`: more was asked than the balance.
 * - `not_paid`: the payment is not (or no longer) paid.
 * - `max_cancel_count`: the payment has had as many (partial) cancels as its PG allows.
 * - `tax_free_amount`: the tax-free part asked for exceeds the tax-free part left.
 * - `tax_amount`: the taxable part asked for exceeds the taxable part left.
 * - `sum_of_parts`: the tax-free part and the VAT together exceed the amount.
 * - `pg`: anything else, most often the PG's own refusal; its words are in the message.
 */
export type RefusalKind =
  | 'already_cancelled'
  | 'checksum'
  | 'amount'
  | 'not_paid'
  | 'max_cancel_count'
  | 'tax_free_amount'
  | 'tax_amount'
  | 'sum_of_parts'
  | 'pg';

/**
 * The gateway (or the PG) answered and refused; nothing happened. `code` and `message` are the gateway's own, kept
 * for the audit and, for a PG's refusal, for the shop: `code` is its numeric code where it has one (i'mport's
 * envelope), else null.
 */
export interface Refused {
  readonly kind: 'refused';
  readonly refusal: RefusalKind;
  readonly code: number | null;
  readonly message: string;
  readonly httpStatus: number;
  /**
   * The PG itself said no, after the gateway's own checks passed: a PG has been seen to answer so after making the
   * change ("해당거래 취소실패(기취소성공)"), so the payment, read again, decides (refunds/apply-change.ts). Not set for
   * the gateway's own refusals (checksum, amount, already cancelled, not ready), made before anything reached a PG.
   */
  readonly fromPg?: true;
}

/**
 * - `ok`: the change is done; the payment as the gateway now shows it.
 * - `refused`: nothing happened (above).
 * - `not_sent`: the request never reached the gateway's change endpoint (e.g. no token), or the gateway turned it
 *   away before doing anything (i'mport's 401 or 429); nothing happened.
 * - `unknown`: sent, but no usable answer came back (timeout, dropped connection, 5xx, an answer the proxy cannot use);
 *   it may have been applied, so the caller must re-fetch the payment before saying anything.
 * - `requested`: accepted, to finish later (PortOne V2's REQUESTED cancellation): nothing has moved yet; `payment` is
 *   as the gateway shows it now, and a later lookup or webhook settles it.
 */
export type ChangeResult =
  | {
      readonly kind: 'ok';
      readonly payment: Payment;
      /**
       * The answer names a cancellation the proxy's copy already held (PortOne V2 replays a finished request's answer
       * to a later one with its Idempotency-Key): made by an earlier request, not by this one. Its id.
       */
      readonly replayed?: string;
    }
  | Refused
  | { readonly kind: 'not_sent'; readonly detail: string }
  | {
      readonly kind: 'unknown';
      readonly reason: Unavailable['reason'];
      readonly detail: string;
      /**
       * The gateway may still be running the change: its answer never came (a timeout, a lost connection, a 5xx), it
       * answered a success we cannot read (i'mport's code 0 without the payment), or it still runs an earlier request
       * with the same idempotency key (V2's IDEMPOTENCY_OUTSTANDING_REQUEST). A lookup
       * that shows nothing yet proves nothing, so only one that shows the change settles it, or one after
       * `changeMayRunForMs`.
       */
      readonly stillRunning?: true;
      /** The gateway said it took the change (i'mport's code 0) though its answer carries no payment to show it. */
      readonly taken?: true;
    }
  | {
      readonly kind: 'requested';
      readonly payment: Payment;
      readonly cancellationId: string;
      /**
       * The payment could not be read after the answer: a REQUESTED the gateway replays for a key sent again may have
       * ended since, which nothing here shows.
       */
      readonly unread?: true;
    };

/** The customer's account a virtual-account refund is paid into; `bank` is a code from the gateway's refundBanks(). */
export interface RefundAccount {
  readonly bank: string;
  readonly number: string;
  readonly holder: string;
  /** The holder's phone number, for the PGs that want it with the account. */
  readonly tel?: string;
}

/** A refund, in the proxy's terms; each gateway writes its own wire request from it. */
export interface CancelCommand {
  readonly payment: Payment;
  /** What to refund; equals `checksum` when the whole remainder was asked for (`all`). */
  readonly amount: number;
  /** The customer (or staff) asked for all that remains rather than a sum. */
  readonly all: boolean;
  /** The remaining amount the proxy computed from its copy: the gateway refuses the cancel if its own differs. */
  readonly checksum: number;
  readonly reason: string;
  /** `admin` for a staff approval of a refund request, `customer` for the customer's own button. */
  readonly requester: 'customer' | 'admin';
  readonly refundAccount?: RefundAccount;
  /** The client's Idempotency-Key for this refund, or null when it sent none (a gateway may derive one from attemptId). */
  readonly idempotencyKey: string | null;
  /** The audit's id for this attempt: unique per call to the gateway. */
  readonly attemptId: string;
  /** The tax-free part of `amount` and its VAT, where known; the gateway computes them when omitted. */
  readonly taxFree?: number;
  readonly vat?: number;
}

/** An inbound webhook as received: header names in lower case, the body as sent. */
export interface InboundWebhook {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * What a webhook asks of the proxy: `refetch` the payment by the gateway's own id (the body is trusted for nothing
 * else), `ignored`, or `rejected`: `malformed` (400) or `unverified` (401, a signature that does not hold); nothing is done.
 */
export type WebhookReading =
  | { readonly kind: 'refetch'; readonly paymentId: string }
  /** Verified, but about nothing a refund needs (a billing key's, say): acknowledged, nothing done. */
  | { readonly kind: 'ignored' }
  | { readonly kind: 'rejected'; readonly reason: 'malformed' | 'unverified'; readonly message: string };

/** An account holder's name as the bank knows it, or why it cannot be said. */
export type HolderLookup =
  | { readonly kind: 'ok'; readonly holder: string }
  | { readonly kind: 'not_found' }
  | { readonly kind: 'not_offered' }
  | Unavailable;

export interface Gateway {
  readonly name: GatewayName;
  /** Where the gateway is reached; shown by /health only with HEALTH_DETAILS. */
  readonly baseUrl: string;
  /**
   * How long a change the gateway was sent, and did not answer, may still be running there: sooner, a lookup that
   * shows nothing proves nothing. Both gateways go on with a change whose client went away.
   */
  readonly changeMayRunForMs: number;
  /**
   * Whether a cancel is accepted only while its checksum is the balance, with nothing pending beside it (i'mport V1):
   * then the cancels that make up the amount paid less an attempt's checksum were there before it (settle.ts,
   * notItsOwn), and one of them of the same amount (a refund in the console just before) is never taken for its own.
   * Not on PortOne V2, whose checksum also leaves out cancels still pending, which may finish after the attempt's.
   */
  readonly checksumOrdersCancels: boolean;
  /** The gateway as an answer's message names it ("i'mport", "PortOne"): messages never name the other one. */
  readonly label: string;
  /** Where the gateway's webhooks are received (POST). */
  readonly webhookPath: string;
  /**
   * The headers that carry a webhook's signature (lower case), forwarded with it to IAMPORT_WEBHOOK_FORWARD_URL so the
   * shop's own handler can verify it as the gateway signed it; none for i'mport V1, which signs nothing.
   */
  readonly signatureHeaders: readonly string[];
  /**
   * Whether a payment the ledger holds is one of this gateway's. A ledger kept across a switch of gateway (i'mport V1
   * to PortOne V2, or back) holds the other one's payments too, whose ids this one does not know: they are never looked
   * up or sent a change here (docs/portone-v2.md).
   */
  owns(payment: Pick<Payment, 'imp_uid' | 'merchant_uid'>): boolean;
  /** The order's paid (or cancelled) payment when it has several, e.g. a failed try before the paid one. */
  findPayment(orderId: string): Promise<LookupResult>;
  /** A payment by the gateway's own id for it (the ledger's `imp_uid`). */
  getPayment(paymentId: string): Promise<LookupResult>;
  cancel(command: CancelCommand): Promise<ChangeResult>;
  /** Closes an unpaid virtual account (no money has moved); the payment then shows it closed. */
  closeVirtualAccount(payment: Payment): Promise<ChangeResult>;
  /** Whether the gateway can close this unpaid virtual account at all (its PG supports it, with what it needs). */
  canCloseVirtualAccount?(payment: Payment): boolean;
  /** The banks a refund of this payment can be paid into, with the codes this gateway takes; empty when none known. */
  refundBanks(payment: Payment): readonly Bank[];
  /** Verifies an inbound webhook and says which payment to re-fetch; never trusts the body's figures. */
  readWebhook(webhook: InboundWebhook): Promise<WebhookReading>;
  /** The holder of a bank account, where the gateway offers that lookup. */
  lookupHolder?(account: { readonly bank: string; readonly number: string }): Promise<HolderLookup>;
}

/** Told of every exchange with the gateway once it ended, with the gateway's own name for the call (metrics label). */
export type RecordCall = (call: string, seconds: number) => void;
