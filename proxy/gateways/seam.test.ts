// The gateway seam holds: no module outside proxy/gateways/iamport/ reaches into it but the factory and the tests'
// and the sandbox's wiring of its fake, and the view, a refund and a webhook run through app.request() against a
// small gateway written here (not i'mport), so nothing above the seam assumes V1.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Bank } from '../../shared/banks.ts';
import type { Payment } from '../payments/payment.ts';
import { createHarness, type Harness } from '../test-support/harness.ts';
import { ACCOUNT, requestCalls, withRequests } from '../test-support/request-calls.ts';
import type { CancelCommand, ChangeResult, Gateway, LookupResult, WebhookReading } from './gateway.ts';

const PROXY = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const IAMPORT = join(PROXY, 'gateways', 'iamport');
const IAMPORT_FAKE = join(IAMPORT, 'fake');

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });

/** Every module a file names in an import or export statement, or a dynamic import(). */
const importsOf = (source: string): string[] =>
  [
    ...source.matchAll(
      /(?:^|\n)\s*(?:import|export)\b[^;]*?from\s+'([^']+)'|(?:^|\n)\s*import\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g,
    ),
  ].map((m) => m[1] ?? m[2] ?? m[3] ?? '');

const isInside = (path: string, dir: string): boolean => path === dir || path.startsWith(`${dir}/`);

/** Tests and their helpers may build the V1 client and its fake directly. */
const isTestWiring = (file: string): boolean =>
  file.endsWith('.test.ts') ||
  isInside(file, join(PROXY, 'test-support')) ||
  isInside(file, join(PROXY, 'reliability'));

/** The sandbox runs the fake i'mport itself (npm start): its wiring may name the fake, never the client. */
const isFakeWiring = (file: string): boolean =>
  isInside(file, join(PROXY, 'sandbox')) || /\/entries\/sandbox-[^/]+\.ts$/.test(file);

describe('the gateway seam', () => {
  it("lets no module outside proxy/gateways/iamport/ import from it but the factory, tests, and the sandbox's fake", () => {
    const files = sourceFiles(PROXY);
    const crossings: string[] = [];
    for (const file of files) {
      if (isInside(file, IAMPORT)) continue;
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        if (!spec.startsWith('.')) continue;
        const target = resolve(dirname(file), spec);
        if (!isInside(target, IAMPORT)) continue;
        const allowed =
          file === join(PROXY, 'gateways', 'create-gateway.ts') ||
          isTestWiring(file) ||
          (isInside(target, IAMPORT_FAKE) && isFakeWiring(file));
        crossings.push(`${allowed ? 'ok' : 'NOT ALLOWED'} ${relative(PROXY, file)} -> ${relative(PROXY, target)}`);
      }
    }
    assert.deepEqual(
      crossings.filter((c) => c.startsWith('NOT ALLOWED')),
      [],
    );
    // The scan must see the imports it judges, or it proves nothing.
    assert.ok(crossings.includes('ok gateways/create-gateway.ts -> gateways/iamport/gateway.ts'), crossings.join('\n'));
  });

  it('reads the import statements the scan relies on, in each form a module may write', () => {
    const source = [
      "import { a } from '../gateways/iamport/client.ts';",
      "import type {\n  B,\n  C,\n} from './x.ts';",
      "export { d } from '../y.ts';",
      "import '../side-effect.ts';",
      "const e = await import('../z.ts');",
    ].join('\n');
    assert.deepEqual(importsOf(source), [
      '../gateways/iamport/client.ts',
      './x.ts',
      '../y.ts',
      '../side-effect.ts',
      '../z.ts',
    ]);
  });
});

const T0 = Date.UTC(2026, 5, 1, 3) / 1000;
// Not a V1 bank code table: the seam's own list, in a gateway's own spelling.
const BANKS: readonly Bank[] = [
  { code: 'SHINHAN', name_ko: '신한은행', name_en: 'Shinhan Bank' },
  { code: 'KOOKMIN', name_ko: 'KB국민은행', name_en: 'KB Kookmin Bank' },
];

/** A gateway in memory, with payments keyed by its own id and webhooks "signed" with a header. */
const createTinyGateway = () => {
  const payments = new Map<string, Payment>();
  const cancels: CancelCommand[] = [];
  let entries = 0;
  const lookup = (payment: Payment | undefined): LookupResult =>
    payment ? { kind: 'ok', payment } : { kind: 'not_found' };
  const gateway: Gateway = {
    name: 'portone',
    baseUrl: 'http://tiny-gateway.test',
    label: 'Tiny',
    changeMayRunForMs: 0,
    checksumOrdersCancels: true,
    webhookPath: '/webhooks/tiny',
    signatureHeaders: [],
    owns: () => true,
    findPayment: async (orderId) => lookup([...payments.values()].find((p) => p.merchant_uid === orderId)),
    getPayment: async (id) => lookup(payments.get(id)),
    async cancel(command): Promise<ChangeResult> {
      cancels.push(command);
      const p = payments.get(command.payment.imp_uid);
      if (!p) return { kind: 'not_sent', detail: 'no such payment' };
      if (p.amount - p.cancel_amount !== command.checksum) {
        return {
          kind: 'refused',
          refusal: 'checksum',
          code: null,
          message: 'CANCELLABLE_AMOUNT_CONSISTENCY_BROKEN',
          httpStatus: 409,
        };
      }
      const cancel_amount = p.cancel_amount + command.amount;
      const entry = {
        amount: command.amount,
        cancelled_at: T0 + 60,
        reason: command.reason,
        cancellation_id: `c-${++entries}`,
      };
      const next: Payment = {
        ...p,
        cancel_amount,
        status: cancel_amount === p.amount ? 'cancelled' : 'paid',
        cancel_history: [...p.cancel_history, entry],
      };
      payments.set(p.imp_uid, next);
      return { kind: 'ok', payment: next };
    },
    closeVirtualAccount: async () => ({
      kind: 'refused',
      refusal: 'pg',
      code: null,
      message: 'not here',
      httpStatus: 409,
    }),
    refundBanks: (payment) => (payment.pay_method === 'vbank' ? BANKS : []),
    async readWebhook({ headers, body }): Promise<WebhookReading> {
      if (headers['x-tiny-signature'] !== 'good')
        return { kind: 'rejected', reason: 'unverified', message: 'Not signed.' };
      const { id } = JSON.parse(body) as { id: string };
      return { kind: 'refetch', paymentId: id };
    },
  };
  const add = (p: Partial<Payment> & Pick<Payment, 'imp_uid' | 'merchant_uid'>): Payment => {
    const payment: Payment = {
      pay_method: 'card',
      pg_provider: 'tiny_pg',
      name: '책 두 권',
      amount: 30000,
      cancel_amount: 0,
      currency: 'KRW',
      status: 'paid',
      paid_at: T0,
      receipt_url: null,
      cancel_history: [],
      ...p,
    };
    payments.set(payment.imp_uid, payment);
    return payment;
  };
  return { gateway, cancels, add, payments };
};

describe("the refund use case over a gateway that is not i'mport", () => {
  let h: Harness;
  afterEach(async () => h?.close());

  it('shows the view and refunds a virtual-account payment with the banks and ids the gateway gave', async () => {
    const tiny = createTinyGateway();
    h = await createHarness({ gateway: tiny.gateway });
    h.clock.set((T0 + 30) * 1000);
    // A PG no V1 bank table knows: under i'mport this payment could not be refunded to an account at all.
    tiny.add({ imp_uid: 'pay-7f3a', merchant_uid: 'order-tiny-1', pay_method: 'vbank' });

    const { res: viewed, body: view } = await h.view('order-tiny-1');
    assert.equal(viewed.status, 200, JSON.stringify(view));
    assert.deepEqual(
      { refundable: view.refundable, cancelable_amount: view.cancelable_amount, banks: view.banks },
      { refundable: true, cancelable_amount: 30000, banks: BANKS },
    );

    const { res, body } = await h.cancel(
      {
        merchant_uid: 'order-tiny-1',
        cancel_request_amount: 12000,
        reason: '파본',
        refund_holder: '홍길동',
        refund_bank: 'SHINHAN',
        refund_account: '110-123-456789',
      },
      { key: 'tiny-key-0001' },
    );
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.deepEqual(
      { refunded: body.refunded, cancelable_amount: body.cancelable_amount, imp_uid: body.imp_uid },
      { refunded: 12000, cancelable_amount: 18000, imp_uid: 'pay-7f3a' },
    );
    assert.equal(tiny.cancels.length, 1);
    const [sent] = tiny.cancels;
    assert.deepEqual(
      {
        payment: sent?.payment.imp_uid,
        amount: sent?.amount,
        all: sent?.all,
        checksum: sent?.checksum,
        requester: sent?.requester,
        refundAccount: sent?.refundAccount,
        idempotencyKey: sent?.idempotencyKey,
      },
      {
        payment: 'pay-7f3a',
        amount: 12000,
        all: false,
        checksum: 30000,
        requester: 'customer',
        refundAccount: { bank: 'SHINHAN', number: '110123456789', holder: '홍길동' },
        idempotencyKey: 'tiny-key-0001',
      },
    );
    const [attempt] = await h.store.listAttempts('order-tiny-1');
    assert.equal(attempt?.cancellation_id, 'c-1', "the audit ties the attempt to the gateway's refund");
  });

  it("sends a staff approval's refund as the admin's, with the request's key, through the same gateway", async () => {
    const tiny = createTinyGateway();
    h = await withRequests({ gateway: tiny.gateway });
    h.clock.set((T0 + 30) * 1000);
    tiny.add({ imp_uid: 'pay-5e60', merchant_uid: 'order-tiny-4', pay_method: 'vbank' });
    const { ask, approve } = requestCalls(h);
    const made = await ask({
      merchant_uid: 'order-tiny-4',
      reason: '사이즈가 맞지 않아요',
      cancel_request_amount: 8000,
      refund_holder: '홍길동',
      refund_bank: 'KOOKMIN',
      refund_account: ACCOUNT,
    });
    assert.equal(made.res.status, 201, JSON.stringify(made.body));
    const id = made.body.request.id;
    const approved = await approve(id);
    assert.equal(approved.res.status, 200, JSON.stringify(approved.body));
    assert.deepEqual(
      tiny.cancels.map((c) => ({ requester: c.requester, key: c.idempotencyKey, bank: c.refundAccount?.bank })),
      [{ requester: 'admin', key: `request:${id}`, bank: 'KOOKMIN' }],
    );
    assert.equal((await h.store.getRequest(id))?.status, 'refunded');
  });

  it("refuses a bank code that is not the gateway's, before any call", async () => {
    const tiny = createTinyGateway();
    h = await createHarness({ gateway: tiny.gateway });
    h.clock.set((T0 + 30) * 1000);
    tiny.add({ imp_uid: 'pay-8c21', merchant_uid: 'order-tiny-2', pay_method: 'vbank' });
    // KG Inicis's code for Shinhan under i'mport V1: not a code this gateway takes.
    const { res, body } = await h.cancel({
      merchant_uid: 'order-tiny-2',
      reason: '파본',
      refund_holder: '홍길동',
      refund_bank: '88',
      refund_account: '110123456789',
    });
    assert.equal(res.status, 400);
    assert.equal(body.error.code, 'INVALID_REQUEST');
    assert.equal(tiny.cancels.length, 0);
  });

  it("takes the gateway's webhook at the gateway's path: a reading it rejects is 401, a verified one re-fetches", async () => {
    const tiny = createTinyGateway();
    h = await createHarness({ gateway: tiny.gateway });
    h.clock.set((T0 + 30) * 1000);
    tiny.add({ imp_uid: 'pay-91d0', merchant_uid: 'order-tiny-3' });
    await h.view('order-tiny-3');
    tiny.payments.set('pay-91d0', { ...tiny.payments.get('pay-91d0')!, status: 'cancelled', cancel_amount: 30000 });
    const post = (headers: Record<string, string>) =>
      h.app.request('/webhooks/tiny', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body: JSON.stringify({ id: 'pay-91d0' }),
      });

    const unsigned = await post({});
    assert.equal(unsigned.status, 401);
    assert.equal((await h.store.getPayment('order-tiny-3'))?.cancel_amount, 0, 'a rejected webhook changes nothing');
    const signed = await post({ 'X-Tiny-Signature': 'good' });
    assert.equal(signed.status, 200);
    assert.equal((await h.store.getPayment('order-tiny-3'))?.cancel_amount, 30000);
    assert.equal(
      (await h.app.request('/webhooks/iamport', { method: 'POST' })).status,
      404,
      "no V1 route when V1 doesn't run",
    );
  });
});
