/**
 * @module Who is calling, as recorded: `key:<id>` for an admin key (its short hash, never the key), `staff:<sub>` for
 * a staff grant. Each door sets it; a route that records who did something (a redelivery, an approval) reads it
 * here, so the admin and staff doors share one handler and one spelling.
 */
import type { Context } from 'hono';

declare module 'hono' {
  interface ContextVariableMap {
    /** Set by the door the request came through (requireAdminKey, requireStaffGrant). */
    actor: string;
  }
}

export const adminActor = (keyId: string): string => `key:${keyId}`;
export const staffActor = (sub: string): string => `staff:${sub}`;

/** The caller as recorded; a route behind no door has none, which is a wiring mistake, not the client's. */
export const actorOf = (c: Context): string => {
  const actor = c.get('actor');
  if (!actor) throw new Error('no door set the actor of this request');
  return actor;
};
