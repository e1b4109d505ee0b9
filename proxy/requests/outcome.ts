/** @module What the request-mode use cases answer, and how a route renders it (the one rendering, also replayed). */
import type { ErrorCode } from '../../shared/errors.ts';
import type { ErrorAnswer } from '../../shared/schemas/answers.ts';
import { type Answer, failure } from '../errors.ts';
import { type Failure, fail } from '../refunds/outcome.ts';
import type { RefundRequestRecord } from '../store/requests.ts';
import { createdBody, requestView } from './shapes.ts';

/** A failure that shows the request it is about (the order's open one, the one already decided). */
export type RequestFailure = Failure & { readonly request?: RefundRequestRecord };

export type RequestOutcome =
  | { readonly kind: 'created'; readonly request: RefundRequestRecord }
  | { readonly kind: 'moved'; readonly request: RefundRequestRecord }
  | { readonly kind: 'replayed'; readonly answer: Answer }
  | RequestFailure;

export const failAbout = (code: ErrorCode, message: string, request: RefundRequestRecord): RequestFailure => ({
  ...fail(code, message),
  request,
});

/** The customer's answer: 201 with the new request, 200 with a moved one, or the error (with its request). */
export const toRequestAnswer = (outcome: RequestOutcome): Answer => {
  switch (outcome.kind) {
    case 'created':
      return { status: 201, body: createdBody(outcome.request) };
    case 'moved':
      return { status: 200, body: { ok: true, request: requestView(outcome.request) } };
    case 'replayed':
      return outcome.answer;
    case 'failed': {
      // With the fresh balance where there is one (a stale checksum, an amount over it), as POST /payments/cancel does.
      const { cancelable_amount } = outcome;
      const answer = failure(
        outcome.code,
        outcome.message,
        cancelable_amount === undefined ? {} : { cancelable_amount },
      );
      const body: ErrorAnswer & { request?: unknown } = outcome.request
        ? { ...answer.body, request: requestView(outcome.request) }
        : answer.body;
      return { status: answer.status, body };
    }
  }
};
