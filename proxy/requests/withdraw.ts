/** @module withdrawRequest(): the customer takes back a request staff have not decided yet. */
import { nextStatus } from '../../shared/refund-requests.ts';
import type { Grant } from '../auth/grant.ts';
import { fail } from '../refunds/outcome.ts';
import { barringRejection } from './bar.ts';
import type { RequestDeps } from './deps.ts';
import { moveRequest } from './events.ts';
import { failAbout, type RequestOutcome } from './outcome.ts';

export const DECIDED = 'This refund request has already been decided or withdrawn.';

export const withdrawRequest = async (deps: RequestDeps, id: string, grant: Grant): Promise<RequestOutcome> => {
  const request = await deps.store.getRequest(id);
  // Another order's request is as unknown to this grant as one that does not exist.
  if (!request || request.merchant_uid !== grant.sub)
    return fail('FORBIDDEN', 'This grant has no such refund request.');
  const to = nextStatus(request.status, 'withdraw');
  if (!to) return failAbout('REFUND_REQUEST_DECIDED', DECIDED, request);
  const now = deps.now();
  const change = { from: request.status, to, now, decided_at: now } as const;
  const move = await moveRequest(deps, request, change, 'refund_request.withdrawn');
  // Staff decided it in between: say what it is now.
  if ('lost' in move) return failAbout('REFUND_REQUEST_DECIDED', DECIDED, move.lost);
  // Whether the customer may ask again is for the order's rejections to say (bar.ts), as the view says it.
  const barred = await barringRejection(deps.store, request.merchant_uid);
  return { kind: 'moved', request: barred ? { ...move.moved, allow_new_request: false } : move.moved };
};
