/**
 * @module Faults a test can queue on the fake PortOne V2, as on the V1 fake (delays, 5xx, PG refusals, drops, lost or
 * held answers), plus `stall`, and the queue handing them out.
 */
import * as v from 'valibot';
import {
  createFaultQueue as createKitFaultQueue,
  type FaultQueue as KitFaultQueue,
} from '../../fake-kit/fault-queue.ts';

/** Which V2 endpoint a request hit; 'any' matches every request (and names requests to other paths). */
export type FakeRoute = 'payment' | 'cancel' | 'close' | 'holder' | 'any';

/** Routes that change something, where a PG answers and where an answer can be lost after applying. */
export type ApplyingRoute = 'cancel' | 'close';

/**
 * A fault to inject. `times`: how many matching requests it affects (default 1); `route` defaults to 'any' for the
 * transport faults and to 'cancel' for the others.
 * - `delay`: waits `ms` before the request reaches PortOne; an abort meanwhile applies nothing (the request never
 *   arrived).
 * - `http_5xx`: the load balancer answers (502 by default) and nothing is applied.
 * - `pg_refusal`: the PG refuses; 502 `PG_PROVIDER` with its `pgCode`/`pgMessage` (PgProviderError).
 * - `drop`: the connection is dropped before anything is applied.
 * - `lose_response`: applied, then the connection is dropped instead of answering.
 * - `hold_response`: applied, then the answer is held back `ms`.
 * - `stall`: PortOne has the request (its Idempotency-Key is outstanding) but waits for the PG until the test calls
 *   `releaseStalled()`; a client disconnect does not stop it, as the V2 docs say of a real request.
 * - `apply_later` (cancel only): as `stall`, but the cancel is held by payment (`heldLate`) until the test applies it,
 *   long after the caller's timeout if it likes, or drops it (the PG refused it: the key's answer is that refusal), with
 *   `settleLate`.
 */
export type Fault =
  | { kind: 'delay'; ms: number; route?: FakeRoute; times?: number }
  | { kind: 'http_5xx'; status?: number; route?: FakeRoute; times?: number }
  | { kind: 'pg_refusal'; pgCode?: string; pgMessage?: string; route?: ApplyingRoute; times?: number }
  | { kind: 'drop'; route?: FakeRoute; times?: number }
  | { kind: 'lose_response'; route?: ApplyingRoute; times?: number }
  | { kind: 'hold_response'; ms: number; route?: ApplyingRoute; times?: number }
  | { kind: 'stall'; route?: ApplyingRoute; times?: number }
  | { kind: 'apply_later'; route?: 'cancel'; times?: number };

export type FaultKind = Fault['kind'];

const route = v.optional(v.picklist(['payment', 'cancel', 'close', 'holder', 'any']));
const applyingRoute = v.optional(v.picklist(['cancel', 'close']));
// No integer check: a test may pass Infinity for "every request".
const times = v.optional(v.pipe(v.number(), v.minValue(1)));
const ms = v.pipe(v.number(), v.minValue(0));
const serverStatus = v.pipe(v.number(), v.integer(), v.minValue(500), v.maxValue(599));

// Typed against Fault so the schema and the public type cannot drift apart.
export const FaultSchema: v.GenericSchema<Fault> = v.variant('kind', [
  v.strictObject({ kind: v.literal('delay'), ms, route, times }),
  v.strictObject({ kind: v.literal('http_5xx'), status: v.optional(serverStatus), route, times }),
  v.strictObject({
    kind: v.literal('pg_refusal'),
    pgCode: v.optional(v.string()),
    pgMessage: v.optional(v.string()),
    route: applyingRoute,
    times,
  }),
  v.strictObject({ kind: v.literal('drop'), route, times }),
  v.strictObject({ kind: v.literal('lose_response'), route: applyingRoute, times }),
  v.strictObject({ kind: v.literal('hold_response'), ms, route: applyingRoute, times }),
  v.strictObject({ kind: v.literal('stall'), route: applyingRoute, times }),
  v.strictObject({ kind: v.literal('apply_later'), route: v.optional(v.literal('cancel')), times }),
]);

const APPLYING_KINDS: readonly FaultKind[] = ['pg_refusal', 'lose_response', 'hold_response', 'stall', 'apply_later'];

const targetOf = (fault: Fault): FakeRoute => fault.route ?? (APPLYING_KINDS.includes(fault.kind) ? 'cancel' : 'any');

/** The fake's queue of faults (the kit's, with this fake's routes). */
export type FaultQueue = KitFaultQueue<Fault, FakeRoute>;

export const createFaultQueue = (): FaultQueue => createKitFaultQueue<Fault, FakeRoute>(targetOf);
