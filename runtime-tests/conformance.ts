/**
 * @module The conformance suite: the same HTTP-level scenarios against the proxy on one runtime, started as its own
 * process (harness.ts), talking over loopback to the fake i'mport (serveFakeIamport) and to PostgreSQL. Each runtime's
 * test file calls runConformance(name). The scenarios both gateways share are in refund-scenarios.ts (PortOne V2 runs
 * them too: conformance-portone.ts); here are those only i'mport V1 runs. The audit is read straight from the runtime's
 * PostgreSQL schema, so every scenario also checks what reached the ledger.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { eventually } from './eventually.ts';
import { iamportProbe } from './gateway-probes.ts';
import { proxyEnv, RUNTIME_LABELS, type RuntimeName, startProxy, startRefused } from './harness.ts';
import { runRefundScenarios } from './refund-scenarios.ts';
import { scenarioClient } from './scenario-client.ts';
import { runtimeStack } from './stack.ts';

export const runConformance = (runtime: RuntimeName): void => {
  describe(`the proxy on ${RUNTIME_LABELS[runtime]}`, () => {
    const stack = runtimeStack(runtime, { schema: runtime });
    const { fake } = stack;
    const { client, call, cancel, attempts, ledgerCancelAmount } = scenarioClient(runtime, stack);

    runRefundScenarios(runtime, stack, iamportProbe(fake));

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

    it("sends a cancel once when i'mport applies it and the connection drops before the answer, and settles it as refunded", async () => {
      fake.addPayment({ merchant_uid: 'RT-LOST', amount: 5000 });
      // The view's lookup leaves a kept-alive connection to i'mport, the one a runtime may take the drop for stale on.
      assert.equal((await call('/payments/RT-LOST', { merchantUid: 'RT-LOST' })).res.status, 200);
      fake.inject({ kind: 'lose_response' });
      const before = fake.count('cancel');
      const { res, body } = await cancel({ merchant_uid: 'RT-LOST', reason: 'lost answer' });
      assert.equal(fake.count('cancel') - before, 1, "i'mport was sent the cancel once");
      assert.equal(res.status, 200, JSON.stringify(body));
      assert.equal(body.cancelable_amount, 0);
      assert.deepEqual(
        (await attempts('RT-LOST')).map((a) => [a.outcome, a.refunded]),
        [['succeeded', 5000]],
        "the refund i'mport made, settled from its lookup; not a refusal beside a cancel made elsewhere",
      );
      assert.equal(await ledgerCancelAmount('RT-LOST'), 5000);
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

    if (runtime !== 'workerd') {
      it("stopped with SIGTERM while i'mport takes 6 s over a cancel, lets it finish: the customer is answered with the refund", async () => {
        const ledger = await stack.server.ledger(`${runtime}_sigterm`);
        // i'mport may take 10 s here (the suite's others give it 5), so that the cancel outlives the old 5 s.
        const env = { ...proxyEnv(stack.served.url, ledger.url), IAMPORT_TIMEOUT_MS: '10000' };
        const own = await startProxy(runtime, env);
        try {
          fake.addPayment({ merchant_uid: 'RT-TERM', amount: 8000 });
          fake.inject({ kind: 'delay', route: 'cancel', ms: 6000 });
          const before = fake.count('cancel');
          const answer = scenarioClient(runtime, { proxy: own, ledger }).cancel({
            merchant_uid: 'RT-TERM',
            reason: 'slow',
          });
          await eventually("the cancel reached i'mport", async () =>
            fake.count('cancel') > before ? true : undefined,
          );
          // Longer than the 5 s the entries gave work in flight before: the grace is i'mport's timeout plus 10 s.
          const stopped = own.stop({ graceMs: 30_000 });
          const { res, body } = await answer;
          assert.equal(res.status, 200, JSON.stringify(body));
          assert.equal(body.refunded, 8000);
          await stopped;
          assert.doesNotMatch(own.output(), /exiting anyway/);
        } finally {
          await own.stop();
          await ledger.drop();
        }
      });
    }

    if (runtime !== 'node') {
      it('refuses to start without DATABASE_URL, saying the ledger here is PostgreSQL', async () => {
        const { DATABASE_URL: _unset, ...env } = proxyEnv(stack.served.url, stack.ledger.url);
        const refused = await startRefused(runtime, env);
        // A process stops with code 1; a Worker has no start-up, so it answers every request 500 and logs the message.
        assert.equal(refused.code, runtime === 'workerd' ? 500 : 1, refused.text);
        assert.match(
          refused.text,
          /DATABASE_URL is not set: on (Cloudflare Workers|Deno|Bun) the ledger is PostgreSQL/,
        );
      });
    }
  });
};
