/**
 * @module The demo page's webhooks panel: GET lists what the sandbox's receiver got (polled by the page), POST tells it
 * to fail the next deliveries or to answer slowly, so a visitor sees the outbox retry.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import * as v from 'valibot';
import { AppError } from '../errors.ts';
import { MAX_DELAY_MS, MAX_FAIL_NEXT, type SandboxReceiver } from './webhook-receiver.ts';

/** Where the sandbox's merchant webhooks go: its own receiver, the merchant's MERCHANT_WEBHOOK_URL, or nowhere. */
export type SandboxWebhooks =
  | { readonly kind: 'receiver'; readonly receiver: SandboxReceiver }
  | { readonly kind: 'merchant' }
  | { readonly kind: 'off' };

const Settings = v.strictObject({
  fail_next: v.optional(
    v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_FAIL_NEXT, `at most ${MAX_FAIL_NEXT}`)),
  ),
  delay_ms: v.optional(
    v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(MAX_DELAY_MS, `at most ${MAX_DELAY_MS} (20 s)`)),
  ),
});

/** `guard`: the sandbox's controls guard (JSON only, never from a foreign page), on the POST. */
export const webhookRoutes = (webhooks: SandboxWebhooks, guard: MiddlewareHandler): Hono =>
  new Hono()
    .get('/', (c) => {
      c.header('Cache-Control', 'no-store');
      if (webhooks.kind !== 'receiver') return c.json({ target: webhooks.kind, received: [], settings: null });
      const { receiver } = webhooks;
      return c.json({ target: 'receiver', received: receiver.received(), settings: receiver.settings() });
    })
    .post('/', guard, async (c) => {
      if (webhooks.kind !== 'receiver') {
        throw new AppError(
          'INVALID_REQUEST',
          webhooks.kind === 'merchant'
            ? "Events go to MERCHANT_WEBHOOK_URL, not to the sandbox's receiver: make your own receiver fail instead."
            : "The sandbox's receiver is off (the standardwebhooks package is not installed).",
        );
      }
      const parsed = v.safeParse(Settings, await c.req.json().catch(() => undefined));
      if (!parsed.success) {
        const issue = parsed.issues[0];
        const field = v.getDotPath(issue);
        throw new AppError(
          'INVALID_REQUEST',
          `Not receiver settings: ${field ? `${field} ` : ''}${issue.message} (send {"fail_next":3} or {"delay_ms":5000}).`,
        );
      }
      return c.json({ settings: webhooks.receiver.configure(parsed.output) });
    });
