/**
 * @module `npm run -s grant -- <merchant_uid> [--ttl <seconds>] [--max-amount <n>] [--jti <id>] [--mode refund|request]`: prints a
 * grant; `--mode request` makes a request-mode grant (the customer asks, the shop approves).
 * `--max-amount` caps the total refunded under the grant; it then carries a jti (a random one unless given).
 * `npm run -s grant -- --staff <staff id> [--ttl <seconds>]`: prints a staff grant (the /staff/ routes, <refund-desk>).
 * Signs with REFUND_TOKEN_SECRET, else SANDBOX_TOKEN_SECRET (the sandbox's, when it was started with one). Only the
 * grant goes to stdout: `$(npm run -s grant -- …)` captures it whole.
 */
import { parseArgs } from 'node:util';
import * as v from 'valibot';
import { GRANT_MODES, mintGrant } from '../auth/grant.ts';
import { mintStaffGrant, StaffSubSchema } from '../auth/staff-grant.ts';
import { grantSecretOf } from '../config.ts';

const usage =
  'usage: npm run -s grant -- <merchant_uid> [--ttl <seconds>] [--max-amount <n>] [--jti <id>] [--mode refund|request]\n' +
  '       npm run -s grant -- --staff <staff id> [--ttl <seconds>]\n' +
  '(signs with REFUND_TOKEN_SECRET, else SANDBOX_TOKEN_SECRET: the secret of the proxy or sandbox it is for)';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    ttl: { type: 'string' },
    'max-amount': { type: 'string' },
    jti: { type: 'string' },
    staff: { type: 'string' },
    mode: { type: 'string' },
    help: { type: 'boolean' },
  },
});
const secret = grantSecretOf(process.env);
const merchantUid = positionals[0];
const number = (name: string, raw: string | undefined): number | undefined => {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) <= 0) {
    console.error(`--${name} must be a positive whole number\n${usage}`);
    process.exit(2);
  }
  return Number(raw);
};
const staff = values.staff;
if (values.help || (staff === undefined) === (merchantUid === undefined)) {
  console.error(usage);
  process.exit(values.help ? 0 : 2);
}
if (!secret.ok) {
  console.error(`${secret.problem}: set it to the secret the proxy (or the sandbox) checks grants with.\n${usage}`);
  process.exit(2);
}
const ttl = number('ttl', values.ttl);
if (staff !== undefined) {
  // A staff grant names a person and no order: the order's options have no place on it.
  const orderOptions = values['max-amount'] !== undefined || values.jti !== undefined || values.mode !== undefined;
  if (orderOptions || !v.is(StaffSubSchema, staff)) {
    console.error(`--staff takes 1–128 printable characters, without --max-amount, --jti or --mode\n${usage}`);
    process.exit(2);
  }
  console.log(await mintStaffGrant(secret.secret, { sub: staff, ...(ttl === undefined ? {} : { ttlSeconds: ttl }) }));
} else {
  const mode = GRANT_MODES.find((m) => m === values.mode);
  if (values.mode !== undefined && !mode) {
    console.error(`--mode must be refund or request\n${usage}`);
    process.exit(2);
  }
  const maxAmount = number('max-amount', values['max-amount']);
  console.log(
    await mintGrant(secret.secret, {
      merchantUid: merchantUid!,
      ...(ttl === undefined ? {} : { ttlSeconds: ttl }),
      ...(maxAmount === undefined ? {} : { maxAmount }),
      ...(mode === undefined ? {} : { mode }),
      // A cap is kept per grant, by its jti: a capped grant gets one even when none was asked for.
      ...(values.jti !== undefined ? { jti: values.jti } : maxAmount !== undefined ? { jti: crypto.randomUUID() } : {}),
    }),
  );
}
