/**
 * @module controlRoutes(): the control routes every fake serves under `/__fake` (not logged, no auth, no faults):
 * faults queued and cleared, a reset, the call log; each fake adds its own (seeding, switches) to the app it returns,
 * reading their bodies with parseBody().
 */
import { type Context, Hono } from 'hono';
import * as v from 'valibot';

/** What the shared routes act on, in each fake's own state. */
export interface ControlledFake<F> {
  readonly faultSchema: v.GenericSchema<unknown, F>;
  readonly faults: { push(fault: F): void; clear(): void };
  readonly calls: readonly unknown[];
  readonly reset: () => void;
}

const readJson = async (request: Request): Promise<unknown> => {
  try {
    return await request.json();
  } catch {
    return undefined;
  }
};

/** A control body read against its schema; a body that does not fit is answered 400 with valibot's messages. */
export const parseBody = async <T>(
  c: Context,
  schema: v.GenericSchema<unknown, T>,
): Promise<{ ok: true; value: T } | { ok: false; answer: Response }> => {
  const parsed = v.safeParse(schema, await readJson(c.req.raw));
  if (parsed.success) return { ok: true, value: parsed.output };
  const issues = parsed.issues.map((issue) => issue.message);
  return { ok: false, answer: c.json({ error: 'invalid body', issues }, 400) };
};

/** Mounted at `/__fake`; the fake chains its own routes onto it. */
export const controlRoutes = <F>(fake: ControlledFake<F>) =>
  new Hono()
    .post('/faults', async (c) => {
      const body = await parseBody(c, fake.faultSchema);
      if (!body.ok) return body.answer;
      fake.faults.push(body.value);
      return c.json(body.value as object, 201);
    })
    .delete('/faults', (c) => {
      fake.faults.clear();
      return c.body(null, 204);
    })
    .post('/reset', (c) => {
      fake.reset();
      return c.body(null, 204);
    })
    .get('/calls', (c) => c.json(fake.calls));
