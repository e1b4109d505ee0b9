/**
 * @module The conformance suite: the same HTTP-level scenarios against the proxy on one runtime, started as its own
 * process (harness.ts), talking over loopback to the fake i'mport (serveFakeIamport) and to PostgreSQL. Each runtime's
 * test file calls runConformance(name). The audit is read straight from the runtime's PostgreSQL schema, so every
 * scenario also checks what reached the ledger.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { mintGrant } from '../proxy/auth/grant.ts';
import { GRANT_SECRET, proxyEnv, RUNTIME_LABELS, type RuntimeName, startRefused } from './harness.ts';
import { scenarioClient } from './scenario-client.ts';
import { runtimeStack } from './stack.ts';

export const runConformance = (runtime: RuntimeName): void => {
  describe(`the proxy on ${RUNTIME_LABELS[runtime]}`, () => {
    const stack = runtimeStack(runtime, { schema: runtime });
    const { fake } = stack;
    const { client, call, cancel, attempts, ledgerCancelAmount } = scenarioClient(runtime, stack);

    it("answers /health: ok, on the PostgreSQL ledger, with the fake i'mport as its i'mport", async () => {
      const { res, body } = await call('/health');
      assert.equal(res.status, 200);
      assert.deepEqual(
        body,
        { ok: true, store: 'postgres', gateway: 'iamport', iamport: stack.served.url, mode: 'live' },
        'HEALTH_DETAILS=true shows more',
      );
      const [migrations] = await stack.ledger.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM schema_migrations`;
      assert.ok(migrations!.n >= 1, 'the runtime migrated the ledger in its own schema');
    });

    it('serves the built widget with its ETag, and 304 for a matching If-None-Match', async () => {
      const res = await fetch(`${stack.proxy.url}/refund-button.js`, { headers: client.headers });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('Content-Type') ?? '', /^text\/javascript/);
      assert.equal(res.headers.get('Access-Control-Allow-Origin'), '*');
      const body = await res.text();
      assert.match(body, /customElements\.define\(`refund-button`/, 'it is the built widget');
      // The ETag is the body's hash (computed at build time for the bundles, at first read on Node). Compared with
      // the hash, not with dist/ on disk, which another build may be rewriting meanwhile.
      const etag = res.headers.get('ETag');
      assert.equal(etag, `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`);
      const again = await fetch(`${stack.proxy.url}/refund-button.js`, {
        headers: { ...client.headers, 'If-None-Match': etag! },
      });
      assert.equal(again.status, 304);
    });

    it("shows the refund view of an order it first fetches from i'mport", async () => {
      const p = fake.addPayment({
        merchant_uid: 'RT-VIEW',
        amount: 9000,
        name: '반팔 티셔츠',
        pay_method: 'card',
        pg_provider: 'kcp',
      });
      const { res, body } = await call('/payments/RT-VIEW', { merchantUid: 'RT-VIEW' });
      assert.equal(res.status, 200);
      assert.deepEqual(body, {
        merchant_uid: 'RT-VIEW',
        name: '반팔 티셔츠',
        amount: 9000,
        cancel_amount: 0,
        cancelable_amount: 9000,
        cancelable_tax_free_amount: null,
        currency: 'KRW',
        pay_method: 'card',
        pg_provider: 'kcp',
        status: 'paid',
        paid_at: p.paid_at,
        refundable: true,
        revocable: false,
        refund_account_required: false,
        refund_tel_required: false,
        payout_estimate: null,
        request_mode: false,
        request: null,
      });
      assert.equal(await ledgerCancelAmount('RT-VIEW'), 0, 'the order is in the ledger now');
    });

    it("refunds a card payment in full, and audits it with the client's IP", async () => {
      const p = fake.addPayment({ merchant_uid: 'RT-FULL', amount: 4000 });
      const { res, body } = await cancel({ merchant_uid: 'RT-FULL', reason: '단순 변심' });
      assert.equal(res.status, 200, JSON.stringify(body));
      assert.equal(body.refunded, 4000);
      assert.equal(body.cancelable_amount, 0);
      assert.equal(fake.getPayment(p.imp_uid)!.cancel_amount, 4000);
      assert.equal(await ledgerCancelAmount('RT-FULL'), 4000);
      const [attempt] = await attempts('RT-FULL');
      assert.equal(attempt!.outcome, 'succeeded');
      assert.equal(attempt!.refunded, 4000);
      assert.match(attempt!.client_ip ?? '', client.ip);
    });

    it('refunds part of a payment, twice, leaving the rest refundable', async () => {
      const p = fake.addPayment({ merchant_uid: 'RT-PART', amount: 10000 });
      const first = await cancel({ merchant_uid: 'RT-PART', cancel_request_amount: 3000, reason: '부분 환불' });
      assert.equal(first.res.status, 200, JSON.stringify(first.body));
      assert.equal(first.body.refunded, 3000);
      assert.equal(first.body.cancelable_amount, 7000);
      const second = await cancel({ merchant_uid: 'RT-PART', cancel_request_amount: 2000, reason: '부분 환불' });
      assert.equal(second.body.cancelable_amount, 5000);
      assert.equal(fake.getPayment(p.imp_uid)!.cancel_amount, 5000);
      assert.equal(await ledgerCancelAmount('RT-PART'), 5000);
      const view = await call('/payments/RT-PART', { merchantUid: 'RT-PART' });
      assert.equal(view.body.cancelable_amount, 5000);
    });

    it("refunds a paid virtual account into the customer's account, and audits only a masked account number", async () => {
      fake.addPayment({ merchant_uid: 'RT-VBANK', amount: 20000, pay_method: 'vbank', pg_provider: 'html5_inicis' });
      const missing = await cancel({ merchant_uid: 'RT-VBANK', reason: 'x' });
      assert.equal(missing.body.error.code, 'REFUND_ACCOUNT_REQUIRED');
      const cancelsBefore = fake.count('cancel');
      const ok = await cancel({
        merchant_uid: 'RT-VBANK',
        reason: '환불',
        refund_holder: '홍길동',
        refund_bank: '88',
        refund_account: '110-123-456789',
      });
      assert.equal(ok.res.status, 200, JSON.stringify(ok.body));
      assert.equal(ok.body.pay_method, 'vbank');
      assert.equal(ok.body.refunded, 20000);
      assert.equal(fake.count('cancel'), cancelsBefore + 1);
      const sent = fake.calls.filter((c) => c.route === 'cancel').at(-1)!.body as Record<string, unknown>;
      assert.deepEqual([sent.refund_holder, sent.refund_bank, sent.refund_account], ['홍길동', '88', '110123456789']);
      const audit = await attempts('RT-VBANK');
      assert.equal(audit.find((a) => a.outcome === 'succeeded')?.refund_account_masked, '****6789');
      assert.ok(!JSON.stringify(audit).includes('110123456789'), 'the audit never holds the full account number');
    });

    it("refuses a bad grant (wrong secret, another order, none) without calling i'mport", async () => {
      const p = fake.addPayment({ merchant_uid: 'RT-GRANT', amount: 5000 });
      const callsBefore = fake.calls.length;
      const forged = await mintGrant('another-secret-that-is-long-enough-0123456789', { merchantUid: 'RT-GRANT' });
      const otherOrder = await mintGrant(GRANT_SECRET, { merchantUid: 'RT-OTHER' });
      for (const grant of [forged, otherOrder, null]) {
        const { res, body } = await cancel({ merchant_uid: 'RT-GRANT', reason: 'x' }, { grant });
        assert.ok([401, 403].includes(res.status), `${res.status} ${JSON.stringify(body)}`);
        assert.equal(body.ok, false);
      }
      assert.equal(fake.calls.length, callsBefore, "not one request reached i'mport");
      assert.equal(fake.getPayment(p.imp_uid)!.cancel_amount, 0);
    });

    it('replays the stored answer for a repeated Idempotency-Key, refunding once, and refuses the key with another body', async () => {
      fake.addPayment({ merchant_uid: 'RT-IDEM', amount: 9000 });
      const cancelsBefore = fake.count('cancel');
      const request = { merchant_uid: 'RT-IDEM', cancel_request_amount: 1000, reason: 'x' };
      const first = await cancel(request, { key: 'rt-key-1' });
      const again = await cancel(request, { key: 'rt-key-1' });
      assert.equal(first.res.status, 200, JSON.stringify(first.body));
      assert.equal(first.res.headers.get('Idempotent-Replayed'), null);
      assert.equal(again.res.status, 200);
      assert.equal(again.res.headers.get('Idempotent-Replayed'), 'true');
      assert.deepEqual(again.body, first.body);
      const other = await cancel({ ...request, cancel_request_amount: 2000 }, { key: 'rt-key-1' });
      assert.equal(other.res.status, 422);
      assert.equal(other.body.error.code, 'IDEMPOTENCY_KEY_REUSED');
      assert.equal(fake.count('cancel'), cancelsBefore + 1);
      assert.deepEqual(
        (await attempts('RT-IDEM')).map((a) => [a.outcome, a.idempotency_key]),
        [['succeeded', 'rt-key-1']],
      );
    });

    it("reconciles the ledger from i'mport on a webhook, trusting only i'mport's answer", async () => {
      const p = fake.addPayment({ merchant_uid: 'RT-HOOK', amount: 10000 });
      await call('/payments/RT-HOOK', { merchantUid: 'RT-HOOK' });
      // Cancelled in the i'mport console: the proxy's ledger does not see it.
      const token = (await (
        await fetch(`${stack.served.url}/users/getToken`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ imp_key: 'test_imp_key', imp_secret: 'test_imp_secret' }),
        })
      ).json()) as { response: { access_token: string } };
      await fetch(`${stack.served.url}/payments/cancel`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token.response.access_token}` },
        body: JSON.stringify({ imp_uid: p.imp_uid, amount: 2500, reason: 'console' }),
      });
      assert.equal(await ledgerCancelAmount('RT-HOOK'), 0);
      const hook = await call('/webhooks/iamport', {
        method: 'POST',
        body: { imp_uid: p.imp_uid, merchant_uid: 'RT-HOOK', status: 'paid', cancel_amount: 0 },
      });
      assert.equal(hook.res.status, 200, JSON.stringify(hook.body));
      assert.deepEqual(hook.body, { ok: true }, 'the webhook answers nothing about the payment');
      assert.equal(await ledgerCancelAmount('RT-HOOK'), 2500);
      assert.equal((await call('/payments/RT-HOOK', { merchantUid: 'RT-HOOK' })).body.cancelable_amount, 7500);
    });

    it("runs two concurrent refunds of one order one after the other under the lease, and the ledger equals i'mport", async () => {
      const p = fake.addPayment({ merchant_uid: 'RT-RACE', amount: 10000 });
      fake.inject({ kind: 'delay', route: 'cancel', ms: 150 });
      const [a, b] = await Promise.all([
        cancel({ merchant_uid: 'RT-RACE', cancel_request_amount: 3000, reason: 'a' }),
        cancel({ merchant_uid: 'RT-RACE', cancel_request_amount: 3000, reason: 'b' }),
      ]);
      assert.deepEqual([a.res.status, b.res.status], [200, 200], JSON.stringify([a.body, b.body]));
      assert.deepEqual([a.body.cancelable_amount, b.body.cancelable_amount].sort(), [4000, 7000]);
      assert.equal(fake.getPayment(p.imp_uid)!.cancel_amount, 6000);
      assert.equal(await ledgerCancelAmount('RT-RACE'), 6000);
      const [first, second] = await attempts('RT-RACE');
      assert.deepEqual([first?.outcome, second?.outcome], ['succeeded', 'succeeded']);
      assert.ok(second!.started_at >= first!.finished_at!, 'the second refund started only after the first had ended');
    });

    it("keeps renewing the lease while a slow i'mport cancel runs, then releases it", async () => {
      fake.addPayment({ merchant_uid: 'RT-SLOW', amount: 8000 });
      // Longer than a third of the lease's life, so at least one renewal has to happen (on Workers, from a timer).
      fake.inject({ kind: 'delay', route: 'cancel', ms: 2600 });
      const pending = cancel({ merchant_uid: 'RT-SLOW', reason: 'slow' });
      const leaseExpiry = async () =>
        (
          await stack.ledger.sql<
            { expires_at: number }[]
          >`SELECT expires_at::float8 AS expires_at FROM leases WHERE name = 'order:RT-SLOW'`
        )[0]?.expires_at;
      let first: number | undefined;
      for (let tries = 0; first === undefined && tries < 200; tries += 1) {
        first = await leaseExpiry();
        if (first === undefined) await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.ok(first !== undefined, "the refund took the order's lease");
      await new Promise((resolve) => setTimeout(resolve, 2300));
      const renewed = await leaseExpiry();
      assert.ok(renewed !== undefined && renewed > first, `the lease was renewed (${first} → ${renewed})`);
      const { res, body } = await pending;
      assert.equal(res.status, 200, JSON.stringify(body));
      // The release follows the answer (withLease's tail), so it may land a moment later.
      let left = await leaseExpiry();
      for (let tries = 0; left !== undefined && tries < 100; tries += 1) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        left = await leaseExpiry();
      }
      assert.equal(left, undefined, 'the lease is released');
      assert.doesNotMatch(stack.proxy.output(), /could not renew a lease|lost a lease/);
    });

    if (runtime !== 'node') {
      it('refuses to start without DATABASE_URL, saying the ledger here is PostgreSQL', async () => {
        const { DATABASE_URL: _unset, ...env } = proxyEnv(stack.served.url, stack.ledger.url);
        const refused = await startRefused(runtime, env);
        // A process stops with code 1; a Worker has no start-up, so it answers every request with the message.
        assert.equal(refused.code, runtime === 'workerd' ? 500 : 1, refused.text);
        assert.match(
          refused.text,
          /DATABASE_URL is not set: on (Cloudflare Workers|Deno|Bun) the ledger is PostgreSQL/,
        );
      });
    }
  });
};
