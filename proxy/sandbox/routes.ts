/**
 * @module The sandbox's own routes, mounted only when the proxy runs without live credentials: the demo storefront
 * at `/`, its orders with fresh grants, orders for one's own page, and controls that make the fake gateway (i'mport
 * V1's, or PortOne V2's with SANDBOX_GATEWAY=portone) misbehave or start over.
 */
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { type GrantMode, mintGrant } from '../auth/grant.ts';
import { mintStaffGrant } from '../auth/staff-grant.ts';
import { AppError } from '../errors.ts';
import { isJsonContentType } from '../http/content-type.ts';
import { type DemoGateway, OrderRefused } from './demo-gateway.ts';
import { type DemoLang, renderDemoPage } from './demo-page.ts';
import { renderDeskPage, SANDBOX_STAFF } from './desk-page.ts';
import { parseNewOrder } from './own-orders.ts';
import type { DemoOrder } from './seed.ts';
import { type SandboxWebhooks, webhookRoutes } from './webhook-routes.ts';

export type { SandboxWebhooks };

export interface SandboxOptions {
  /** The fake gateway behind the demo (demo-gateway.ts): i'mport V1's, or PortOne V2's with SANDBOX_GATEWAY=portone. */
  readonly gateway: DemoGateway;
  /** The sandbox's own secret (random per start, or SANDBOX_TOKEN_SECRET): never a live REFUND_TOKEN_SECRET. */
  readonly grantSecret: string;
  readonly now: () => number;
  /** The proxy's own origins; only pages there may use the controls. */
  readonly ownOrigins: () => readonly string[];
  /** MAX_GRANT_TTL: the demo's grants live 50 minutes, or this long when it is shorter. */
  readonly maxGrantTtlSeconds?: number;
  /** The demo generation a run on this DATA_DIR left, its payments already in the fake: kept, not re-seeded. */
  readonly keptGeneration?: string | null;
  /** Told the current demo generation each time the sandbox changes the fake's payments (seeding, a new order). */
  readonly onChange?: (generation: string) => void;
  /** The panel of webhooks received; off unless given. */
  readonly webhooks?: SandboxWebhooks;
}

export interface Sandbox {
  readonly routes: Hono;
  /** The fake gateway the demo runs on. */
  readonly gateway: DemoGateway['name'];
  /** The orders of the current generation. */
  orders(): readonly DemoOrder[];
}

/**
 * The controls change what every visitor sees, so another page must not work them through a visitor's browser: JSON
 * only (a form or text/plain post needs no preflight; JSON from another origin does, and gets no CORS answer here),
 * and never with a foreign Origin. Requests without Origin (curl, the tests) are not a browser's cross-site post.
 */
const controlsGuard = (ownOrigins: () => readonly string[]): MiddlewareHandler =>
  async function controlsGuard(c, next) {
    const origin = c.req.header('Origin');
    if (origin !== undefined && !ownOrigins().includes(origin)) {
      throw new AppError('FORBIDDEN', "The sandbox controls answer only the demo shop's own page.");
    }
    if (!isJsonContentType(c.req.header('Content-Type'))) {
      throw new AppError('FORBIDDEN', 'The sandbox controls take JSON only (Content-Type: application/json).');
    }
    await next();
  };

export const createSandbox = (options: SandboxOptions): Sandbox => {
  const { grantSecret, now, ownOrigins, maxGrantTtlSeconds = Infinity, onChange = () => {} } = options;
  const fake = options.gateway;
  const webhooks = options.webhooks ?? { kind: 'off' };
  const grantTtlSeconds = Math.min(50 * 60, maxGrantTtlSeconds);
  let seedings = 0;
  let generation = options.keptGeneration ?? '';
  let orders: DemoOrder[] = generation ? fake.orders(generation) : [];
  const reseed = () => {
    seedings += 1;
    // A new prefix per fresh start and per reset: the ledger keeps old orders, the demo never reuses their ids.
    generation = `${now().toString(36).slice(-5).toUpperCase()}${seedings}`;
    orders = fake.seed({ nowMs: now(), generation });
    onChange(generation);
  };
  if (!generation) reseed();

  // Staff grants are the short-lived kind (README, "Staff routes"): 15 minutes, or MAX_GRANT_TTL when shorter.
  const staffTtlSeconds = Math.min(15 * 60, maxGrantTtlSeconds);
  const nowSec = () => Math.floor(now() / 1000);
  const grantFor = (merchantUid: string, mode?: GrantMode) =>
    mintGrant(grantSecret, { merchantUid, ttlSeconds: grantTtlSeconds, now: nowSec(), ...(mode ? { mode } : {}) });
  const withGrants = () =>
    Promise.all(orders.map(async (o) => ({ ...o, grant: await grantFor(o.merchant_uid, o.mode) })));
  const langOf = (c: Context): DemoLang => (c.req.query('lang') === 'en' ? 'en' : 'ko');

  const routes = new Hono()
    .get('/', async (c) => {
      c.header('Cache-Control', 'no-store');
      return c.html(
        renderDemoPage({ lang: langOf(c), orders: await withGrants(), webhooks: webhooks.kind, gateway: fake.name }),
      );
    })
    // The staff side of request mode: what a shop's admin page does, a staff grant minted on the server per page load.
    .get('/sandbox/desk', async (c) => {
      c.header('Cache-Control', 'no-store');
      const token = await mintStaffGrant(grantSecret, {
        sub: SANDBOX_STAFF,
        ttlSeconds: staffTtlSeconds,
        now: nowSec(),
      });
      return c.html(renderDeskPage({ lang: langOf(c), token }));
    })
    .get('/sandbox/orders', async (c) => c.json({ orders: await withGrants() }))
    .post('/sandbox/orders', controlsGuard(ownOrigins), async (c) => {
      const parsed = parseNewOrder(await c.req.json().catch(() => undefined));
      if (!parsed.ok) throw new AppError('INVALID_REQUEST', `Not an order: ${parsed.message}`);
      let merchant_uid: string;
      try {
        merchant_uid = fake.addOwnOrder(parsed.order, now());
      } catch (error) {
        if (error instanceof OrderRefused) throw new AppError('INVALID_REQUEST', `Not an order: ${error.message}`);
        throw error;
      }
      onChange(generation);
      return c.json({ merchant_uid, grant: await grantFor(merchant_uid) }, 201);
    })
    .use('/sandbox/faults', controlsGuard(ownOrigins))
    .use('/sandbox/reset', controlsGuard(ownOrigins))
    .post('/sandbox/faults', async (c) => {
      let fault: unknown;
      try {
        fault = await c.req.json();
      } catch {
        throw new AppError('INVALID_REQUEST', 'Send a fault as JSON, e.g. {"kind":"pg_refusal"}.');
      }
      // A cancel held for a test to apply later: nothing in the sandbox applies it, so its refund would hang at the
      // fake for good (the proxy's own timeout answering "not known yet"), and the demo could never show it land.
      if (typeof fault === 'object' && fault !== null && (fault as { kind?: unknown }).kind === 'apply_later') {
        throw new AppError('INVALID_REQUEST', 'Not a fault the sandbox offers: apply_later needs a test to apply it.');
      }
      try {
        fake.inject(fault);
      } catch (error) {
        throw new AppError('INVALID_REQUEST', `Not a fault: ${error instanceof Error ? error.message : String(error)}`);
      }
      return c.body(null, 204);
    })
    // Drops every queued fault: a test or a demo that made i'mport fail can make it answer again, orders unchanged.
    .delete('/sandbox/faults', (c) => {
      fake.clearFaults();
      return c.body(null, 204);
    })
    .post('/sandbox/reset', async (c) => {
      fake.reset();
      if (webhooks.kind === 'receiver') webhooks.receiver.clear();
      reseed();
      return c.json({ orders: await withGrants() });
    })
    .route('/sandbox/webhooks', webhookRoutes(webhooks, controlsGuard(ownOrigins)));

  return { routes, gateway: fake.name, orders: () => orders };
};
