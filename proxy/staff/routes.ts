/**
 * @module The staff routes, for the back office's `<refund-desk>` in a browser: the admin API's shared routes
 * (proxy/admin/shared-routes.ts, the same handlers) under /staff, behind a staff grant instead of an admin key. Unlike
 * /admin they answer browsers: CORS for ALLOWED_ORIGINS (and the proxy's own origins) and the origin guard, as the
 * payment routes. Each call is logged with the staff member's id and limited per id (RATE_LIMIT_STAFF_PER_SUB).
 * No /staff/grants: staff cannot mint grants.
 */
import { Hono } from 'hono';
import { sharedRoutes } from '../admin/shared-routes.ts';
import type { AppDeps } from '../app-deps.ts';
import { cors } from '../middleware/cors.ts';
import { originGuard } from '../middleware/origin-guard.ts';
import { rateLimit } from '../middleware/rate-limit.ts';
import { requireStaffGrant } from './staff-door.ts';

/** All of AppDeps: the shared routes include approving a refund request, which runs the refund. */
export type StaffDeps = AppDeps;

export interface StaffOptions {
  /** Whether a page on `origin` may call (ALLOWED_ORIGINS and the proxy's own origins). */
  readonly isAllowed: (origin: string) => boolean;
  /** Told each refused Origin (the refused-origin log line). */
  readonly onRefused?: (origin: string) => void;
  /** Requests per minute per staff member (RATE_LIMIT_STAFF_PER_SUB); 0 is off. */
  readonly perSubPerMinute: number;
}

/**
 * The console's doors for /staff/*: CORS for ALLOWED_ORIGINS and the Origin guard. app.ts puts them before the body
 * limit, as the customer's, so a refusal of any kind (413 too) reaches the console's page with its CORS headers.
 */
export const staffDoors = (options: Pick<StaffOptions, 'isAllowed' | 'onRefused'>) =>
  [
    cors({
      isAllowed: options.isAllowed,
      allowMethods: ['GET', 'POST', 'OPTIONS'],
      allowHeaders: ['Authorization', 'Content-Type'],
      exposeHeaders: ['Retry-After', 'Content-Disposition'],
      maxAge: 600,
      ...(options.onRefused ? { onRefused: options.onRefused } : {}),
    }),
    originGuard({ isAllowed: options.isAllowed }),
  ] as const;

/** The staff routes behind the staff grant and its rate limit; staffDoors() must come before them. */
export const staffRoutes = (deps: StaffDeps, options: StaffOptions) =>
  new Hono()
    .use(
      '/staff/*',
      requireStaffGrant({
        secret: deps.grantSecret,
        previousSecret: deps.previousGrantSecret,
        maxTtlSeconds: deps.maxGrantTtlSeconds,
        now: deps.now,
      }),
    )
    .use(
      '/staff/*',
      rateLimit({
        limit: options.perSubPerMinute,
        windowMs: 60_000,
        now: deps.now,
        key: (c) => `staff:${c.get('staffSub')}`,
      }),
    )
    .route('/staff', sharedRoutes(deps));
