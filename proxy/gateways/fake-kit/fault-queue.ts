/** @module The queue a fake hands its injected faults out from: each used up in order, `times` uses each. */

/** What every fake's fault has: a kind, and how many matching requests it affects (default 1). */
export interface QueuedFault {
  readonly kind: string;
  readonly times?: number;
}

export interface FaultQueue<F extends QueuedFault, R extends string> {
  push(fault: F): void;
  /** Takes one use of the earliest queued fault of these kinds that applies to the route. */
  take<K extends F['kind']>(route: R, kinds: readonly K[]): Extract<F, { kind: K }> | undefined;
  clear(): void;
}

/** `targetOf`: the route a fault hits, or 'any' for every route. */
export const createFaultQueue = <F extends QueuedFault, R extends string>(
  targetOf: (fault: F) => R | 'any',
): FaultQueue<F, R> => {
  const isOneOf = <K extends F['kind']>(fault: F, kinds: readonly K[]): fault is Extract<F, { kind: K }> =>
    kinds.some((kind) => kind === fault.kind);
  let pending: { fault: F; left: number }[] = [];
  return {
    push: (fault) => void pending.push({ fault, left: fault.times ?? 1 }),
    take(route, kinds) {
      const entry = pending.find(({ fault }) => {
        const target = targetOf(fault);
        return isOneOf(fault, kinds) && (target === 'any' || target === route);
      });
      if (!entry || !isOneOf(entry.fault, kinds)) return undefined;
      entry.left -= 1;
      if (entry.left <= 0) pending = pending.filter((p) => p !== entry);
      return entry.fault;
    },
    clear: () => void (pending = []),
  };
};
