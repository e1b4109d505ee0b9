/** @module Test fixture: a fake PortOne V2 on a settable clock, and requests sent with `PortOne` auth. */
import { createFakePortOne, type FakePortOne, type FakePortOneOptions } from './fake-portone.ts';

/** The real host: the in-process fetch ignores it, which is the point. */
export const BASE = 'https://api.portone.io';

/** A fake whose clock only moves when the test moves it (starts 2026-01-15T03:00:00Z, noon in Korea). */
export const setup = (options: FakePortOneOptions = {}) => {
  const clock = { ms: Date.UTC(2026, 0, 15, 3) };
  const fake = createFakePortOne({ now: () => clock.ms, ...options });
  return { fake, clock, advance: (seconds: number) => void (clock.ms += seconds * 1000) };
};

export interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Headers;
}

export const readAnswer = async (res: Response): Promise<Answer> => ({
  status: res.status,
  body: (await res.json()) as Record<string, unknown>,
  headers: res.headers,
});

/** Requests through `fake.app.request()` with `Authorization: PortOne <secret>` unless other headers say otherwise. */
export const api = (fake: FakePortOne) => {
  const send = (path: string, init: RequestInit = {}) =>
    Promise.resolve(
      fake.app.request(`${BASE}${path}`, {
        ...init,
        headers: { Authorization: `PortOne ${fake.apiSecret}`, ...init.headers },
      }),
    ).then(readAnswer);
  return {
    get: (path: string, headers: Record<string, string> = {}) => send(path, { headers }),
    post: (path: string, body: unknown, headers: Record<string, string> = {}) =>
      send(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      }),
  };
};

/** A JSON POST with `PortOne` auth, for `fake.fetch` and real fetch. */
export const postJson = (fake: FakePortOne, body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', Authorization: `PortOne ${fake.apiSecret}`, ...headers },
  body: JSON.stringify(body),
});

/** Lets the event loop run until `done()` holds (no clock involved); fails after many turns. */
export const until = async (done: () => boolean): Promise<void> => {
  for (let turn = 0; turn < 10_000; turn += 1) {
    if (done()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('condition never held');
};
