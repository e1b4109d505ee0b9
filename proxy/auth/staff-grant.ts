/**
 * @module Staff grants: the same HS256 JWT as a customer's grant, signed with the same REFUND_TOKEN_SECRET, with
 * `role: "staff"` and `sub` = the staff member's id, and no order in it. They open the /staff/ routes (the back
 * office's `<refund-desk>`) and nothing else; a customer's grant opens no /staff/ route (verifyGrant in grant.ts holds
 * the other direction).
 */
import { sign } from 'hono/jwt';
import * as v from 'valibot';
import {
  claimProblem,
  type GrantKeys,
  type GrantRefusal,
  ttlRefusal,
  type VerifyOptions,
  verifySignature,
} from './grant.ts';

/** What a verified staff grant says: who the staff member is, until when. */
export interface StaffGrant {
  readonly role: 'staff';
  readonly sub: string;
  readonly exp: number;
  readonly iat?: number;
}

/**
 * A staff member's id: 1–128 characters, none a control or format character (it goes into the log and into what is
 * recorded as the actor), without spaces around it (so `alice` and `alice ` are not two people).
 */
export const StaffSubSchema = v.pipe(
  v.string(),
  v.check((sub) => /^[^\p{C}]{1,128}$/u.test(sub), 'must be 1–128 printable characters'),
  v.check((sub) => sub === sub.trim(), 'must not start or end with a space'),
);

const StaffClaimsSchema = v.object({
  role: v.literal('staff'),
  sub: StaffSubSchema,
  exp: v.pipe(v.number(), v.integer()),
  iat: v.optional(v.pipe(v.number(), v.integer())),
  // Order-scoped claims have no meaning on a staff grant: one carrying them was minted by mistake.
  max_amount: v.optional(v.never('is not a staff grant claim')),
  mode: v.optional(v.never('is not a staff grant claim')),
  tax_free_amount: v.optional(v.never('is not a staff grant claim')),
  vat_amount: v.optional(v.never('is not a staff grant claim')),
});

export type StaffGrantCheck = { ok: true; grant: StaffGrant } | GrantRefusal;

/**
 * Verifies a staff grant. `customer: true` on a refusal marks a valid customer's grant (no role), which the staff
 * door answers 403 rather than 401.
 */
export const verifyStaffGrant = async (
  token: string,
  keys: GrantKeys,
  options: VerifyOptions = {},
): Promise<StaffGrantCheck | { ok: false; reason: string; customer: true }> => {
  const signed = await verifySignature(token, keys, options);
  if (!signed.ok) return signed;
  const { payload, nowSec } = signed;
  if (payload.role === undefined) return { ok: false, reason: 'a customer grant is not a staff grant', customer: true };
  const claims = v.safeParse(StaffClaimsSchema, payload);
  if (!claims.success) {
    return { ok: false, reason: `the staff grant's claims are not valid: ${claimProblem(claims.issues)}` };
  }
  const { role, sub, exp, iat } = claims.output;
  const late = ttlRefusal(exp, iat, nowSec, options.maxTtlSeconds);
  if (late) return { ok: false, reason: late };
  return { ok: true, grant: { role, sub, exp, ...(iat === undefined ? {} : { iat }) } };
};

export interface MintStaffOptions {
  readonly sub: string;
  readonly ttlSeconds?: number;
  /** UNIX seconds; defaults to now. */
  readonly now?: number;
}

/** Signs a staff grant the way a merchant backend would (POST /admin/grants, `npm run grant -- --staff`, tests). */
export const mintStaffGrant = (secret: string, options: MintStaffOptions): Promise<string> => {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  return sign({ role: 'staff', sub: options.sub, iat: now, exp: now + (options.ttlSeconds ?? 900) }, secret, 'HS256');
};
