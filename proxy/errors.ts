/** @module AppError, the one expected-failure type, and the answer body every failure shares. */
import { ERROR_MESSAGES, ERRORS, type ErrorCode } from '../shared/errors.ts';
import type { ErrorAnswer } from '../shared/schemas/answers.ts';

/** An expected failure, thrown by middleware and routes; `onError` turns it into `{ ok: false, error }`. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly headers: Readonly<Record<string, string>>;
  constructor(code: ErrorCode, message: string = ERROR_MESSAGES[code], headers: Record<string, string> = {}) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.headers = headers;
  }
}

/** An HTTP answer: the status and the JSON body, as sent, and as stored for an Idempotency-Key's replay. */
export interface Answer<T = unknown> {
  readonly status: number;
  readonly body: T;
}

/** The failure answer for a code; `extra` adds fields such as the fresh `cancelable_amount`. */
export const failure = (
  code: ErrorCode,
  message: string = ERROR_MESSAGES[code],
  extra: { cancelable_amount?: number } = {},
): Answer<ErrorAnswer> => ({
  status: ERRORS[code].status,
  body: { ok: false, error: { code, message }, ...extra },
});

/**
 * What a request is told when the ledger cannot be reached. Only what is known: this request sent no refund (a ledger
 * failure after a send is answered otherwise, cancel.ts). Not "nothing was refunded": a retry with an Idempotency-Key
 * whose earlier refund got no answer cannot read what that refund did until the ledger is back.
 */
export const LEDGER_DOWN =
  'The refund ledger is unavailable, so this request sent no refund (what an earlier request with the same ' +
  'Idempotency-Key did cannot be read until it is back). Try again in a moment.';

/**
 * The same for a route that never sends a refund (asking, withdrawing, rejecting, a view, a list): LEDGER_DOWN's "sent no
 * refund" would name something it never does. Not "nothing was changed" either: a write whose answer was lost (a
 * connection dropped after COMMIT) may have been made, which the same Idempotency-Key, where the route takes one, reads.
 */
export const LEDGER_DOWN_NO_REFUND =
  'The refund ledger is unavailable; try again in a moment (with the same Idempotency-Key, if this request sent one).';

/** The routes that may send a refund: the customer's, and an approval's (admin and staff). */
const REFUND_ROUTE = /^\/(?:payments\/cancel|(?:admin|staff)\/refund-requests\/[^/]+\/approve)\/?$/;

/** Which ledger-down words a request gets: LEDGER_DOWN where a refund could be sent, else LEDGER_DOWN_NO_REFUND. */
export const ledgerDown = (method: string, pathname: string): string =>
  method === 'POST' && REFUND_ROUTE.test(pathname) ? LEDGER_DOWN : LEDGER_DOWN_NO_REFUND;
