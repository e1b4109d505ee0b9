/** @module Faults a test can queue on the fake (delays, 5xx, PG refusals, drops) and the queue handing them out. */
import * as v from 'valibot';
import {
  createFaultQueue as createKitFaultQueue,
  type FaultQueue as KitFaultQueue,
} from '../../fake-kit/fault-queue.ts';

/** Which i'mport endpoint a request hit; 'any' matches every request (and names requests to other paths). */
export type FakeRoute = 'token' | 'payment' | 'find' | 'cancel' | 'vbank' | 'holder' | 'any';

/**
 * A fault to inject. `times`: how many matching requests it affects (default 1). `route` defaults to 'any';
 * `hold_response` only ever hits 'cancel', and `pg_refusal` and `lose_response` hit 'cancel' unless their route is
 * 'vbank' (a revocation refused, or applied with its answer lost). `pg_refusal` with `applied`: the PG made the change
 * and still said no, as in "해당거래 취소실패(기취소성공)" (../shared/iamport-v1.md §2.3). `hold_response` applies
 * the cancel and then holds the answer back for `ms`, so a test can kill the proxy after i'mport's success but before
 * its ledger write. `apply_later` (cancel only): the PG takes the cancel on and is slow, so nobody is answered (the
 * caller's own timeout ends the call) and nothing is applied yet: the cancel is held (`heldLate`) until the test
 * applies it, which may be long after the caller gave up, or drops it (`settleLate`).
 */
export type Fault =
  | { kind: 'delay'; ms: number; route?: FakeRoute; times?: number }
  | { kind: 'http_5xx'; status?: number; route?: FakeRoute; times?: number }
  | { kind: 'pg_refusal'; message?: string; applied?: boolean; route?: 'cancel' | 'vbank'; times?: number }
  | { kind: 'drop'; route?: FakeRoute; times?: number }
  | { kind: 'lose_response'; route?: 'cancel' | 'vbank'; times?: number }
  | { kind: 'hold_response'; ms: number; times?: number }
  | { kind: 'apply_later'; times?: number };

export type FaultKind = Fault['kind'];

const route = v.optional(v.picklist(['token', 'payment', 'find', 'cancel', 'vbank', 'holder', 'any']));
// No integer check: a test may pass Infinity for "every request".
const times = v.optional(v.pipe(v.number(), v.minValue(1)));
const serverStatus = v.pipe(v.number(), v.integer(), v.minValue(500), v.maxValue(599));

// Typed against Fault so the schema and the public type cannot drift apart.
export const FaultSchema: v.GenericSchema<Fault> = v.variant('kind', [
  v.strictObject({ kind: v.literal('delay'), ms: v.pipe(v.number(), v.minValue(0)), route, times }),
  v.strictObject({ kind: v.literal('http_5xx'), status: v.optional(serverStatus), route, times }),
  v.strictObject({
    kind: v.literal('pg_refusal'),
    message: v.optional(v.string()),
    applied: v.optional(v.boolean()),
    route: v.optional(v.picklist(['cancel', 'vbank'])),
    times,
  }),
  v.strictObject({ kind: v.literal('drop'), route, times }),
  v.strictObject({ kind: v.literal('lose_response'), route: v.optional(v.picklist(['cancel', 'vbank'])), times }),
  v.strictObject({ kind: v.literal('hold_response'), ms: v.pipe(v.number(), v.minValue(0)), times }),
  v.strictObject({ kind: v.literal('apply_later'), times }),
]);

const targetOf = (fault: Fault): FakeRoute => {
  if (fault.kind === 'hold_response' || fault.kind === 'apply_later') return 'cancel';
  if (fault.kind === 'pg_refusal' || fault.kind === 'lose_response') return fault.route ?? 'cancel';
  return fault.route ?? 'any';
};

/** The fake's queue of faults (the kit's, with this fake's routes). */
export type FaultQueue = KitFaultQueue<Fault, FakeRoute>;

export const createFaultQueue = (): FaultQueue => createKitFaultQueue<Fault, FakeRoute>(targetOf);
