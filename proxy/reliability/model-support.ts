/**
 * @module What the model-based test (model.test.ts) needs beyond the reliability adapter: orders of each kind seeded on
 * either fake, a cancel made at the gateway behind the proxy's back, the gateway's own webhook for an order, and a
 * merchant webhook receiver on loopback that verifies with `standardwebhooks` at the test clock's time (the proxy
 * signs with its injected clock, which the model moves by hours; the package's own verify() reads the real clock).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { BASE, issueToken, json } from '../gateways/iamport/fake/test-fixture.ts';
import { signWebhook } from '../gateways/portone/fake/webhooks.ts';
import { toMinor } from '../gateways/portone/minor-units.ts';
import type { SqlDriver } from '../store/sql-driver.ts';
import { PORTONE_WEBHOOK_SECRET } from '../test-support/harness.ts';
import { notifyOf } from '../test-support/iamport-side.ts';
import { impUidOf, type Running } from './gateways.ts';

/** A paid card, a paid virtual account, an unpaid one, and a PayPal payment in USD. */
export type OrderKind = 'card' | 'vbank' | 'vbank_ready' | 'paypal';

/** The refund account a paid virtual account's refund names, in the PG's bank code of each gateway. */
export const ACCOUNT = '110-123-456789';
export const ACCOUNT_DIGITS = '110123456789';
/** The holder's phone number, which Smartro wants with the account (iamport-v1.md §5.2). */
export const REFUND_TEL = '01012345678';
/** `smartro`: the account is a Smartro (v2) one on i'mport, whose bank codes are the KFTC's, with the holder's phone. */
export const accountFields = (g: Running, smartro = false) => ({
  refund_holder: '홍길동',
  refund_bank: g.gateway === 'iamport' ? (smartro ? '088' : '88') : 'SHINHAN',
  refund_account: ACCOUNT,
  ...(smartro ? { refund_tel: REFUND_TEL } : {}),
});

/**
 * Seeds an order of `kind` on the gateway's fake. `later`: on V2 a card's refunds finish later too (REQUESTED); on
 * i'mport PayPal approves its refunds later (i'mport answers code 0 with the payment unchanged), as it may, and the paid
 * virtual account is a Smartro (v2) one, whose refunds the PG finalises after paying them out (§3.4), later too.
 */
export const seedOrder = (g: Running, orderId: string, kind: OrderKind, amount: number, later = false): void => {
  if (g.gateway === 'iamport') {
    const base = { imp_uid: impUidOf(orderId), merchant_uid: orderId, amount };
    if (later) g.h.fake.holdForApproval();
    if (kind === 'card') g.h.fake.addPayment(base);
    else if (kind === 'paypal')
      g.h.fake.addPayment({ ...base, currency: 'USD', pay_method: 'paypal', pg_provider: 'paypal_v2' });
    else
      g.h.fake.addPayment({
        ...base,
        pay_method: 'vbank',
        pg_provider: later && kind === 'vbank' ? 'smartro_v2' : 'html5_inicis',
        ...(kind === 'vbank_ready' ? { status: 'ready' as const } : {}),
      });
    return;
  }
  const fake = g.portone!;
  // PayPal through V2: dollars, in cents on V2's wire; its refunds finish later (REQUESTED), as on i'mport.
  if (kind === 'paypal') {
    fake.addPayment({
      paymentId: orderId,
      total: toMinor(amount, 'USD'),
      currency: 'USD',
      pgProvider: 'PAYPAL_V2',
      ...(later ? { cancelMode: 'REQUESTED' as const } : {}),
    });
    return;
  }
  // `later`: V2 takes a card's refunds to finish later too (REQUESTED), as some PGs' are.
  if (kind === 'card')
    fake.addPayment({ paymentId: orderId, total: amount, ...(later ? { cancelMode: 'REQUESTED' } : {}) });
  else
    fake.addPayment({
      paymentId: orderId,
      total: amount,
      method: 'virtual_account',
      // V2 takes a virtual account's refund to finish later (REQUESTED), as a PG's transfer does.
      ...(kind === 'vbank_ready'
        ? { status: 'VIRTUAL_ACCOUNT_ISSUED' as const }
        : { cancelMode: 'REQUESTED' as const }),
    });
};

/**
 * The PG finishing the order's oldest cancel that waits for it, as `outcome`: on V2 a cancellation held as REQUESTED;
 * on i'mport one PayPal has yet to approve (approved, the payment shows it; refused, nothing shows). Whether there was
 * one.
 */
export const pgFinishes = (g: Running, orderId: string, outcome: 'SUCCEEDED' | 'FAILED'): boolean => {
  if (g.gateway === 'iamport') return g.h.fake.pgDecides(impUidOf(orderId), outcome === 'SUCCEEDED');
  const fake = g.portone;
  const waiting = fake?.getPayment(orderId)?.cancellations.find((c) => c.status === 'REQUESTED');
  if (!fake || !waiting) return false;
  fake.settleCancellation(orderId, waiting.id, outcome);
  return true;
};

/** Whether the order has a cancel waiting for its PG (V2's REQUESTED, PayPal's approval on i'mport). */
export const waitsForPg = (g: Running, orderId: string): boolean =>
  g.gateway === 'iamport'
    ? g.h.fake.awaitingApproval().some((x) => x.payment === impUidOf(orderId))
    : (g.portone?.getPayment(orderId)?.cancellations.some((c) => c.status === 'REQUESTED') ?? false);

/** The reason a cancel made behind the proxy's back carries at the gateway. */
export const CONSOLE_REASON = 'console';

const CONSOLE_WAIT = () => AbortSignal.timeout(250);

/**
 * A cancel of `amount` made at the gateway (its console), not through the proxy, in the staff's words (`reason`); it may
 * be refused there, or held by an `apply_later` fault (the console gives up waiting after a quarter of a second; the
 * cancel may land later).
 */
export const cancelBehindTheProxy = async (
  g: Running,
  orderId: string,
  kind: OrderKind,
  amount: number,
  smartro = false,
  reason = CONSOLE_REASON,
) => {
  if (g.gateway === 'iamport') {
    const token = await issueToken(g.h.fake);
    const account = kind === 'vbank' ? { ...accountFields(g, smartro), refund_account: ACCOUNT_DIGITS } : {};
    const body = { imp_uid: impUidOf(orderId), amount, reason, ...account };
    const res = await g.h.fake.fetch(`${BASE}/payments/cancel`, { ...json(body, token), signal: CONSOLE_WAIT() });
    await res.body?.cancel();
    return;
  }
  const fake = g.portone!;
  const account =
    kind === 'vbank' ? { refundAccount: { bank: 'SHINHAN', number: '110123456789', holderName: '홍길동' } } : {};
  const res = await fake.fetch(`https://api.portone.io/payments/${orderId}/cancel`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', Authorization: `PortOne ${fake.apiSecret}` },
    // The console's amount in V2's unit (cents for a dollar payment).
    body: JSON.stringify({ amount: toMinor(amount, fake.getPayment(orderId)!.currency), reason, ...account }),
    signal: CONSOLE_WAIT(),
  });
  await res.body?.cancel();
};

/** The gateway's own webhook for the order, as it would send it: i'mport's notification, or V2's signed one. */
export const gatewayWebhook = async (g: Running, orderId: string): Promise<Response> => {
  if (g.gateway === 'iamport') return notifyOf(g.h, impUidOf(orderId), orderId);
  const payment = g.portone!.getPayment(orderId)!;
  const id = `msg_${crypto.randomUUID()}`;
  const ts = Math.floor(g.h.clock.now() / 1000);
  const body = JSON.stringify({
    type: 'Transaction.Cancelled',
    timestamp: new Date(g.h.clock.now()).toISOString(),
    data: {
      paymentId: orderId,
      storeId: payment.storeId,
      transactionId: payment.transactionId,
      cancellationId: payment.cancellations.at(-1)?.id ?? 'none',
    },
  });
  return g.h.app.request('/webhooks/portone', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(ts),
      'webhook-signature': await signWebhook(PORTONE_WEBHOOK_SECRET, id, ts, body),
    },
    body,
  });
};

export interface ReceivedEvent {
  readonly id: string;
  readonly body: string;
  readonly verified: boolean;
}

export interface ModelReceiver {
  readonly url: string;
  readonly received: ReceivedEvent[];
  /** Answer 503 to `n` more deliveries (the merchant's server down a moment): the proxy retries them. */
  failNext(n: number): void;
  close(): Promise<void>;
}

/**
 * A merchant's endpoint on loopback (port 0): each POST is checked against `standardwebhooks`' own signature of its
 * id, timestamp and body (any of the header's `v1,` signatures may match) and answered 204, or 400 when none does.
 */
export const startModelReceiver = async (secret: string): Promise<ModelReceiver> => {
  const webhook = new Webhook(secret);
  const received: ReceivedEvent[] = [];
  let failing = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const id = String(req.headers['webhook-id'] ?? '');
      const ts = Number(req.headers['webhook-timestamp']);
      const given = String(req.headers['webhook-signature'] ?? '').split(' ');
      let verified = false;
      try {
        verified = Number.isInteger(ts) && given.includes(webhook.sign(id, new Date(ts * 1000), body));
      } catch {
        verified = false;
      }
      const down = failing > 0;
      if (down) failing -= 1;
      received.push({ id, body, verified });
      res.writeHead(down ? 503 : verified ? 204 : 400).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    failNext: (n) => {
      failing += n;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

/**
 * How a ledger call fails. `before`: without reaching the ledger (SQLite's `database is locked` past its busy timeout,
 * a disk I/O error or a full disk; nothing written). `after`: once the call has been made and committed, its answer
 * lost (PostgreSQL's connection dropped after COMMIT): the write holds, the caller learns nothing of it, not even what
 * a write tells through its callbacks (a request's move, store.ts RequestSettled), which a lost COMMIT never reaches.
 */
export type LedgerFaultMode = 'before' | 'after' | 'lost';

/**
 * PostgreSQL only (`losingDriver`): `lost`, the first trip the call makes to the server (a statement, a pipelined
 * sequence, or a transaction up to its COMMIT) done and its answer lost, the connection dropped, below the store, which
 * goes on as it would then: a call of several trips fails after its first, and a write the store runs again when it
 * fails is not run again once its connection is gone (event-writes.ts; run again, it found its own work done and took
 * it for another's). `after` is the whole call done, then failed.
 */
export const LOST_ON_POSTGRES: readonly LedgerFaultMode[] = ['before', 'after', 'lost'];

/**
 * The Store methods a ledger fault may strike: the money path's writes, the reads it decides from, and the reads an
 * answer makes after a change (orderCurrencies: a decision's; getRequest: an approval's request read again).
 */
export const LEDGER_METHODS = [
  'takeOrder',
  'insertAttempt',
  'finishAttempt',
  'setIdempotencyAttempt',
  'completeIdempotencyKey',
  'upsertPayment',
  'markNeedsSync',
  'releaseLease',
  'claimApproval',
  'transitionRequest',
  'insertRequest',
  'insertEvent',
  'finishRounds',
  'listAttempts',
  'getPayment',
  'getRequest',
  'orderCurrencies',
  'acquireLease',
] as const;
export type LedgerMethod = (typeof LEDGER_METHODS)[number];

const BEFORE_ERRORS = [
  () => Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }),
  () => Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' }),
  () => Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }),
];
const AFTER_ERROR = () => Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });

/** Ledger faults queued for the model's stores (every instance's: they share one ledger), and what they struck. */
export interface LedgerFaults {
  /** The next `n` calls of `method`, on any instance, fail as `mode`. */
  queue(method: LedgerMethod, mode: LedgerFaultMode, n: number): void;
  /** How the next call of `method` fails, if a fault is queued for it (taken: one call's worth). */
  take(method: string): LedgerFaultMode | undefined;
  /** Whether a fault is still queued for `method`. */
  queued(method: LedgerMethod): boolean;
  /** Drops every queued fault (the ledger back for good). */
  clear(): void;
  /** Each call struck, in order, for a failure's trace; its length counts them. */
  readonly struck: readonly string[];
}

export const createLedgerFaults = (): LedgerFaults => {
  const queued = new Map<string, { mode: LedgerFaultMode; left: number }[]>();
  const struck: string[] = [];
  return {
    queue: (method, mode, n) => {
      const list = queued.get(method) ?? [];
      list.push({ mode, left: n });
      queued.set(method, list);
    },
    take: (method) => {
      const list = queued.get(method);
      const first = list?.[0];
      if (!list || !first) return undefined;
      first.left -= 1;
      if (first.left === 0) list.shift();
      struck.push(`${method} ${first.mode}`);
      return first.mode;
    },
    queued: (method) => (queued.get(method)?.length ?? 0) > 0,
    clear: () => queued.clear(),
    struck,
  };
};

/**
 * The argument that tells a write's caller what it moved (store.ts RequestSettled), by method: called once the write
 * committed, so not called when its answer is lost.
 */
const TOLD_AT: Partial<Record<string, number>> = { insertAttempt: 2, finishAttempt: 3 };

/** A `lost` fault's call (faultyLedger), until its first trip to the server is made (losingDriver). */
const losing = new AsyncLocalStorage<{ pending: boolean }>();

/**
 * `driver` (PostgreSQL's), with the first trip to the server each `lost` call of faultyLedger makes done and then failed
 * as a dropped connection: a statement, a sequence or a whole transaction (its COMMIT's answer lost). The statements
 * inside a transaction go straight through: one failing there rolls it back, as `before` has it.
 */
export const losingDriver = (driver: SqlDriver): SqlDriver => {
  const lose = async <T>(trip: () => Promise<T>): Promise<T> => {
    const value = await trip();
    const call = losing.getStore();
    if (call?.pending) {
      call.pending = false;
      throw AFTER_ERROR();
    }
    return value;
  };
  return {
    dialect: driver.dialect,
    query: (text, params) => lose(() => driver.query(text, params)),
    run: (text, params) => lose(() => driver.run(text, params)),
    sequence: (statements) => lose(() => driver.sequence(statements)),
    transaction: (fn) => lose(() => driver.transaction(fn)),
    close: (graceSeconds) => driver.close(graceSeconds),
  };
};

/**
 * `inner`, with the calls of `methods` (async Store methods) that `faults` has queued failing as queued; everything else
 * goes straight through. A `lost` fault needs `inner` over losingDriver (else it strikes nothing).
 */
export const faultyLedger = <S extends object>(
  inner: S,
  faults: LedgerFaults,
  methods: readonly string[] = LEDGER_METHODS,
): S =>
  new Proxy(inner, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      if (typeof property !== 'string' || !methods.includes(property)) return method.bind(target);
      const name = String(property);
      return async (...args: unknown[]) => {
        const mode = faults.take(name);
        if (mode === 'before') throw BEFORE_ERRORS[faults.struck.length % BEFORE_ERRORS.length]!();
        if (mode === 'lost') return losing.run({ pending: true }, () => method.apply(target, args));
        if (mode === 'after') {
          const told = TOLD_AT[name];
          await method.apply(
            target,
            args.map((arg, i) => (i === told && typeof arg === 'function' ? () => undefined : arg)),
          );
          throw AFTER_ERROR();
        }
        return method.apply(target, args);
      };
    },
  });
