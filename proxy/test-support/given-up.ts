/**
 * A caller's signal, aborted as its timeout would be once a fake holds `n` cancels (`held()`, an apply_later fault's
 * count): a known point, however slow the machine, where a timer would race the fake.
 */
export const givenUp = (held: () => number, n = 1): AbortSignal => {
  const controller = new AbortController();
  const wait = async () => {
    while (held() < n) await new Promise((resolve) => setImmediate(resolve));
    controller.abort(new DOMException('timed out', 'TimeoutError'));
  };
  void wait();
  return controller.signal;
};
