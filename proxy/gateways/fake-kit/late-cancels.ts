/**
 * @module The cancels both fake gateways take on and answer nobody for (the `apply_later` fault): the PG has the cancel
 * and is slow, the caller's own timeout ends the call, and the cancel appears on the payment later, or never. Each is
 * held here, in the fake's route, until a test applies it (the route goes on as if the PG had just finished) or drops
 * it (the PG gave up: the route answers its refusal, which nobody reads).
 */

/** What becomes of a held cancel: applied now, or refused by the PG. */
export type LateOutcome = 'apply' | 'drop';

/** A held cancel, as a test sees it: the payment (imp_uid on V1, paymentId on V2) and when it arrived (epoch ms). */
export interface HeldCancel {
  readonly payment: string;
  readonly at: number;
}

export interface LateCancels {
  /** Called by the route: waits until a test applies or drops this cancel. */
  hold(payment: string, at: number): Promise<LateOutcome>;
  /** The cancels held now, oldest first. */
  held(): readonly HeldCancel[];
  /**
   * Applies (or drops) every held cancel `which` picks, oldest first, and waits for their routes to finish; returns how
   * many there were.
   */
  release(which: (cancel: HeldCancel) => boolean, how: LateOutcome): Promise<number>;
}

// The route goes on in microtasks after its hold resolves, and then only reads and writes memory; a turn of the event
// loop (two, for the answer's bookkeeping after it) lets it finish.
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

export const createLateCancels = (): LateCancels => {
  let pending: (HeldCancel & { readonly resolve: (how: LateOutcome) => void })[] = [];
  return {
    hold: (payment, at) => new Promise((resolve) => void pending.push({ payment, at, resolve })),
    held: () => pending.map(({ payment, at }) => ({ payment, at })),
    async release(which, how) {
      const picked = pending.filter((p) => which({ payment: p.payment, at: p.at }));
      pending = pending.filter((p) => !picked.includes(p));
      for (const p of picked) {
        p.resolve(how);
        await turn();
        await turn();
      }
      return picked.length;
    },
  };
};
