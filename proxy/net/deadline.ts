/**
 * @module withDeadline(): runs work given an AbortSignal that fires after `ms`, and lets go of the signal and its timer
 * the moment the work ends; answerWithin(), the same bound for work that takes no signal. Not `AbortSignal.timeout()`: its signal and timer live out the whole timeout even when the
 * request took a millisecond, and on Node each holds on to the request it was given until then, so at a refund or a
 * webhook every few milliseconds thousands of finished requests stay alive for the garbage collector to walk.
 */

/** The same error `AbortSignal.timeout()` aborts with, so callers tell a timeout from a refused connection alike. */
const timedOut = (): DOMException => new DOMException('The operation was aborted due to timeout', 'TimeoutError');

export const withDeadline = async <T>(ms: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> => {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(timedOut()), ms);
  try {
    return await work(controller.signal);
  } finally {
    clearTimeout(timer);
  }
};

/**
 * `answer`, or a rejection "no answer within `ms` ms" once `ms` have passed, for work that takes no signal (a ledger
 * call that hangs: a PostgreSQL host gone silent, a lock held): the caller answers without it, the work left to end
 * on its own. The timer goes the moment either comes.
 */
export const answerWithin = async <T>(ms: number, answer: Promise<T>): Promise<T> => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([answer, late]);
  } finally {
    clearTimeout(timer);
  }
};
