// `npm run -s grant` as a developer runs it: which secret it signs with, and a grant it mints working on the sandbox.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { verifyGrant } from '../auth/grant.ts';
import { verifyStaffGrant } from '../auth/staff-grant.ts';
import { startChild } from '../test-support/child-process.ts';
import { startNodeProxy } from '../test-support/node-process.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const LIVE_SECRET = 'live-secret-0123456789-abcdefghijklmnop';
const SANDBOX_SECRET = 'sandbox-secret-0123456789-abcdefghijklm';

/** `npm run -s grant -- <args>` with only `env` (and PATH): its exit code, stdout alone, and everything printed. */
const grantCli = async (args: string[], env: Record<string, string>) => {
  const child = startChild({
    name: 'npm run -s grant',
    command: 'npm',
    args: ['run', '-s', 'grant', '--', ...args],
    cwd: root,
    env,
  });
  const code = await child.waitForExit({ timeoutMs: 30_000 });
  return { code, stdout: child.stdout(), out: child.output() };
};

describe('npm run -s grant', () => {
  it('signs with SANDBOX_TOKEN_SECRET when REFUND_TOKEN_SECRET is unset, and prints the grant alone', async () => {
    const { code, stdout } = await grantCli(['ORD-SB-1', '--ttl', '600'], { SANDBOX_TOKEN_SECRET: SANDBOX_SECRET });
    assert.equal(code, 0);
    assert.match(stdout, /^[\w-]+\.[\w-]+\.[\w-]+\n$/, 'one line, the JWT: nothing of npm around it for $(…)');
    const check = await verifyGrant(stdout.trim(), SANDBOX_SECRET);
    assert.ok(check.ok && check.grant.sub === 'ORD-SB-1', JSON.stringify(check));
  });

  it('mints a request-mode grant with --mode request, and refuses another mode', async () => {
    const { code, stdout } = await grantCli(['ORD-RQ-1', '--mode', 'request'], { REFUND_TOKEN_SECRET: LIVE_SECRET });
    assert.equal(code, 0);
    const check = await verifyGrant(stdout.trim(), LIVE_SECRET);
    assert.ok(check.ok && check.grant.mode === 'request', JSON.stringify(check));
    const bad = await grantCli(['ORD-RQ-1', '--mode', 'approve'], { REFUND_TOKEN_SECRET: LIVE_SECRET });
    assert.equal(bad.code, 2);
    assert.match(bad.out, /--mode must be refund or request/);
  });

  it('answers an option it does not know (--max_amount for --max-amount) with the usage and exit 2, no stack trace', async () => {
    const { code, stdout, out } = await grantCli(['ORD-1', '--max_amount', '5000'], {
      REFUND_TOKEN_SECRET: LIVE_SECRET,
    });
    assert.equal(code, 2);
    assert.equal(stdout, '', 'no grant printed');
    assert.match(out, /Unknown option '--max_amount'/);
    assert.match(out, /usage: npm run -s grant -- <merchant_uid>/);
    assert.doesNotMatch(out, /\n\s+at /, 'no stack trace');
  });

  it('prefers REFUND_TOKEN_SECRET when both are set', async () => {
    const env = { REFUND_TOKEN_SECRET: LIVE_SECRET, SANDBOX_TOKEN_SECRET: SANDBOX_SECRET };
    const { code, stdout } = await grantCli(['ORD-1'], env);
    assert.equal(code, 0);
    assert.ok((await verifyGrant(stdout.trim(), LIVE_SECRET)).ok);
    assert.equal((await verifyGrant(stdout.trim(), SANDBOX_SECRET)).ok, false);
  });

  it('mints a staff grant with --staff <id>, which opens no order, and refuses order options beside it', async () => {
    const env = { REFUND_TOKEN_SECRET: LIVE_SECRET };
    const { code, stdout } = await grantCli(['--staff', 'alice@shop.example', '--ttl', '600'], env);
    assert.equal(code, 0);
    const check = await verifyStaffGrant(stdout.trim(), LIVE_SECRET);
    assert.ok(check.ok && check.grant.sub === 'alice@shop.example' && check.grant.exp - check.grant.iat! === 600);
    assert.equal((await verifyGrant(stdout.trim(), LIVE_SECRET)).ok, false);
    for (const args of [
      ['--staff', 'alice', '--max-amount', '100'],
      ['--staff', 'alice', 'ORD-1'],
      ['--staff', ' alice'],
      ['--staff', 'alice', '--ttl', '3601'], // over the proxy's MAX_GRANT_TTL (3600 unless set): it would refuse it
    ]) {
      const refused = await grantCli(args, env);
      assert.equal(refused.code, 2, args.join(' '));
      assert.equal(refused.stdout, '');
    }
    const longer = await grantCli(['--staff', 'alice', '--ttl', '7200'], { ...env, MAX_GRANT_TTL: '7200' });
    assert.equal(longer.code, 0, 'as long as the MAX_GRANT_TTL it is given');
  });

  it('refuses a SANDBOX_TOKEN_SECRET shorter than 32 characters as the proxy does, printing no grant', async () => {
    const short = await grantCli(['ORD-1'], { SANDBOX_TOKEN_SECRET: 'too-short' });
    assert.equal(short.code, 2);
    assert.equal(short.stdout, '');
    assert.match(short.out, /SANDBOX_TOKEN_SECRET must be at least 32 characters/);
    const none = await grantCli(['ORD-1'], {});
    assert.equal(none.code, 2);
    assert.equal(none.stdout, '');
    assert.match(none.out, /REFUND_TOKEN_SECRET .*SANDBOX_TOKEN_SECRET.* is not set/);
  });

  it('mints a grant the sandbox started with the same SANDBOX_TOKEN_SECRET accepts for its demo order', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'refund-grant-cli-'));
    const sandbox = await startNodeProxy({ DATA_DIR: dataDir, SANDBOX_TOKEN_SECRET: SANDBOX_SECRET });
    try {
      const { orders } = (await (await fetch(`${sandbox.url}/sandbox/orders`)).json()) as {
        orders: Array<{ merchant_uid: string }>;
      };
      const order = orders[0]!.merchant_uid;
      const { stdout } = await grantCli([order], { SANDBOX_TOKEN_SECRET: SANDBOX_SECRET });
      const view = await fetch(`${sandbox.url}/payments/${order}`, {
        headers: { Authorization: `Bearer ${stdout.trim()}` },
      });
      assert.equal(view.status, 200, await view.clone().text());
      assert.equal(((await view.json()) as { merchant_uid: string }).merchant_uid, order);
      const other = await grantCli([order], { SANDBOX_TOKEN_SECRET: 'another-secret-0123456789-abcdefghijkl' });
      const refused = await fetch(`${sandbox.url}/payments/${order}`, {
        headers: { Authorization: `Bearer ${other.stdout.trim()}` },
      });
      assert.equal(refused.status, 401, 'a grant signed with another secret is refused');
    } finally {
      await sandbox.kill();
    }
  });
});
