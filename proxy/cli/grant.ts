/**
 * @module `npm run -s grant -- <merchant_uid> [--ttl <seconds>] [--max-amount <n>] [--jti <id>] [--mode refund|request] [--tax-free-amount <n>] [--vat-amount <n>]`: prints a
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
import { grantSecretOf, maxGrantTtlOf } from '../config.ts';

const usage =
  'usage: npm run -s grant -- <merchant_uid> [--ttl <seconds>] [--max-amount <n>] [--jti <id>] [--mode refund|request]\n' +
  '         [--tax-free-amount <n>] [--vat-amount <n>]\n' +
  '       npm run -s grant -- --staff <staff id> [--ttl <seconds>]\n' +
  '(signs with REFUND_TOKEN_SECRET, else SANDBOX_TOKEN_SECRET: the secret of the proxy or sandbox it is for)';

const OPTIONS = {
  ttl: { type: 'string' },
  'max-amount': { type: 'string' },
  jti: { type: 'string' },
  staff: { type: 'string' },
  mode: { type: 'string' },
  'tax-free-amount': { type: 'string' },
  'vat-amount': { type: 'string' },
  help: { type: 'boolean' },
} as const;

/** The command line, or the usage and exit 2 for an option it does not know (`--max_amount`), not a stack trace. */
const parsed = (() => {
  try {
    return parseArgs({ allowPositionals: true, options: OPTIONS });
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${usage}`);
    process.exit(2);
  }
})();
const { values, positionals } = parsed;
const secret = grantSecretOf(process.env);
const merchantUid = positionals[0];
/** A whole number option; zero only where it means something (a tax-free refund's VAT is 0). */
const number = (name: string, raw: string | undefined, zero = false): number | undefined => {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < (zero ? 0 : 1)) {
    console.error(`--${name} must be a ${zero ? 'whole number' : 'positive whole number'}\n${usage}`);
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
// The proxy refuses a grant that lives longer than its MAX_GRANT_TTL: say so here rather than print one it refuses.
const maxTtl = maxGrantTtlOf(process.env);
if (ttl !== undefined && maxTtl !== null && ttl > maxTtl) {
  console.error(
    `--ttl must be at most ${maxTtl} (the proxy's MAX_GRANT_TTL; set it the same here to allow more)\n${usage}`,
  );
  process.exit(2);
}
if (staff !== undefined) {
  // A staff grant names a person and no order: the order's options have no place on it.
  const orderOptions = ['max-amount', 'jti', 'mode', 'tax-free-amount', 'vat-amount'].some(
    (option) => values[option as keyof typeof values] !== undefined,
  );
  if (orderOptions || !v.is(StaffSubSchema, staff)) {
    console.error(`--staff takes 1–128 printable characters, without an order's options\n${usage}`);
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
  const taxFreeAmount = number('tax-free-amount', values['tax-free-amount'], true);
  const vatAmount = number('vat-amount', values['vat-amount'], true);
  console.log(
    await mintGrant(secret.secret, {
      merchantUid: merchantUid!,
      ...(ttl === undefined ? {} : { ttlSeconds: ttl }),
      ...(maxAmount === undefined ? {} : { maxAmount }),
      ...(mode === undefined ? {} : { mode }),
      ...(taxFreeAmount === undefined ? {} : { taxFreeAmount }),
      ...(vatAmount === undefined ? {} : { vatAmount }),
      // A cap is kept per grant, by its jti: a capped grant gets one even when none was asked for.
      ...(values.jti !== undefined ? { jti: values.jti } : maxAmount !== undefined ? { jti: crypto.randomUUID() } : {}),
    }),
  );
}
