/** @module What the request-mode use cases answer, and how a route renders it (the one rendering, also replayed). */
import type { ErrorCode } from '../../shared/errors.ts';
import type { Answer } from '../errors.ts';
import { failureAnswer } from '../refunds/answers.ts';
import { type Failure, fail } from '../refunds/outcome.ts';
import type { RefundRequestRecord } from '../store/requests.ts';
import { createdBody, requestView } from './shapes.ts';

export type RequestOutcome =
  | { readonly kind: 'created'; readonly request: RefundRequestRecord }
  | { readonly kind: 'moved'; readonly request: RefundRequestRecord }
  | { readonly kind: 'replayed'; readonly answer: Answer }
  | Failure;

/** A failure that shows the request it is about (the order's open one, the one already decided). */
export const failAbout = (code: ErrorCode, message: string, request: RefundRequestRecord): Failure => ({
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
    case 'failed':
      // As POST /payments/cancel answers one: the fresh balance where there is one, the request it is about.
      return failureAnswer(outcome);
  }
};
