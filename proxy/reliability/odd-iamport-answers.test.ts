// What i'mport answers cannot break the ledger: the same off-spec answers (times in fractions or milliseconds, a
// string where a number goes, a negative amount, more cancelled than paid) give the same answers on SQLite and
// PostgreSQL, and nothing unstorable or impossible is stored.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFakeIamport } from '../gateways/iamport/fake/fake-iamport.ts';
import { createPostgresStore } from '../store/postgres.ts';
import { createSqliteStore } from '../store/sqlite.ts';
import type { Store, StoreBackend } from '../store/store.ts';
import { createClock, createHarness } from '../test-support/harness.ts';
import { useTempSchema } from '../test-support/postgres-schema.ts';
import { rewriteAnswers, withFetch } from '../test-support/rewrite-answers.ts';

const url = useTempSchema('odd_answers', 'proxy/reliability/odd-iamport-answers.test.ts');

type Seen = { status: number; body: unknown };

/** The fake's cancellation ids and receipt URLs are random: fixed ones let two runs' answers be compared. */
const fixedIds = (p: any) => {
  p.cancel_history = p.cancel_history.map((e: any, i: number) => ({
    ...e,
    cancellation_id: `cncl_${i}`,
    receipt_url: `https://receipt.test/${i}`,
  }));
};

/** Runs every odd answer through a proxy on `store`; returns what each request was answered, by name. */
const runOddAnswers = async (store: Store, backend: StoreBackend) => {
  assert.equal(store.backend, backend);
  const clock = createClock();
  const fake = createFakeIamport({ now: clock.now });
  // Per imp_uid, how its payment answers (lookups and cancels alike) are changed; absent: passed on as they are.
  const patches = new Map<string, (p: any) => void>(); // eslint-free test code: i'mport's JSON, field by field
  const rewrite = rewriteAnswers(fake.fetch, ({ json }) => {
    const patch = json?.response?.imp_uid === undefined ? undefined : patches.get(json.response.imp_uid);
    if (!patch) return undefined;
    const response = structuredClone(json.response);
    patch(response);
    return { json: { ...json, response } };
  });
  const h = await createHarness({ store, clock, fake: withFetch(fake, rewrite) });
  const seen: Record<string, Seen> = {};
  const note = async (name: string, call: Promise<{ res: Response; body: unknown }> | Promise<Response> | Response) => {
    const got = await call;
    const res = got instanceof Response ? got : got.res;
    const body = got instanceof Response ? await res.json() : got.body;
    seen[name] = { status: res.status, body };
  };
  const webhook = (impUid: string) =>
    h.app.request('/webhooks/iamport', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ imp_uid: impUid }),
    });
  const seed = (merchantUid: string, n: number, patch?: (p: any) => void) => {
    const imp_uid = `imp_00000000000${n}`;
    // Fixed times, so two runs' answers can be compared.
    h.fake.addPayment({
      imp_uid,
      merchant_uid: merchantUid,
      amount: 3000,
      name: 'odd',
      started_at: 1796234200,
      paid_at: 1796234270,
    });
    if (patch) patches.set(imp_uid, patch);
    return imp_uid;
  };
  try {
    // Fractional seconds (the PostgreSQL ledger's BIGINT refused these) and milliseconds: whole seconds everywhere.
    seed('O-FRAC', 1, (p) => (p.paid_at = 1796234270.153));
    await note('fractional paid_at', h.view('O-FRAC'));
    seed('O-MS', 2, (p) => (p.paid_at = 1796234270153));
    await note('paid_at in milliseconds', h.view('O-MS'));
    const stored = [(await h.store.getPayment('O-FRAC'))?.paid_at, (await h.store.getPayment('O-MS'))?.paid_at];

    // A refund whose cancel answer and lookups carry fractional cancelled_at.
    seed('O-REFUND', 3, (p) => {
      p.paid_at += 0.5;
      fixedIds(p);
      for (const e of p.cancel_history) e.cancelled_at += 0.25;
    });
    await note(
      'refund with fractional cancelled_at',
      h.cancel({ merchant_uid: 'O-REFUND', cancel_request_amount: 1000, reason: 'odd' }),
    );
    // The refund's lease is let go after its answer: a view before that would be told the order is busy, not compared.
    await h.settled();
    await note('view after that refund', h.view('O-REFUND'));
    const history = (await h.store.getPayment('O-REFUND'))?.cancel_history ?? [];

    // What the ledger cannot store is refused as a gateway error, the field named in the log.
    seed('O-STRING', 4, (p) => (p.paid_at = String(p.paid_at)));
    await note('paid_at as a string', h.view('O-STRING'));
    seed('O-NEGATIVE', 5, (p) => (p.amount = -3000));
    await note('negative amount', h.view('O-NEGATIVE'));
    const refusedStored = [await h.store.getPayment('O-STRING'), await h.store.getPayment('O-NEGATIVE')];
    const fieldsLogged = h.logs.filter((l) => l.level === 'error').map((l) => l.field);

    // More cancelled than paid, seen by a webhook for an order the ledger holds: never stored, nothing refunded
    // (and no stale row shown) until i'mport's figures are sane again.
    const inc = seed('O-INCONSISTENT', 6);
    await note('inconsistent: first view (sane)', h.view('O-INCONSISTENT'));
    patches.set(inc, (p) => (p.cancel_amount = 4500));
    await note('inconsistent: webhook', webhook(inc));
    await h.settled();
    await note('inconsistent: view', h.view('O-INCONSISTENT'));
    await note(
      'inconsistent: refund',
      h.cancel({ merchant_uid: 'O-INCONSISTENT', cancel_request_amount: 1000, reason: 'odd' }),
    );
    await h.settled();
    const cancelsWhileInconsistent = h.fake.count('cancel');
    const storedWhileInconsistent = (await h.store.getPayment('O-INCONSISTENT'))?.cancel_amount;
    const auditWhileInconsistent = (await h.store.listAttempts('O-INCONSISTENT')).map((a) => [
      a.outcome,
      a.error_code,
      a.iamport_message,
    ]);
    patches.set(inc, fixedIds);
    await note('inconsistent: view once sane', h.view('O-INCONSISTENT'));
    await note(
      'inconsistent: refund once sane',
      h.cancel({ merchant_uid: 'O-INCONSISTENT', cancel_request_amount: 1000, reason: 'odd' }),
    );
    const inconsistentLogged = h.logs.some((l) => l.level === 'error' && l.amount === 3000 && l.cancel_amount === 4500);

    // A NUL in i'mport's text (a payment's name, a PG's refusal): no character anyone reads, and one PostgreSQL cannot
    // store: dropped as the answer is read, so the ledger takes the rest.
    seed('O-NUL', 7, (p) => (p.name = '반팔\u0000티셔츠'));
    await note('NUL in the name', h.view('O-NUL'));
    h.fake.inject({ kind: 'pg_refusal', message: '취소 실패\u0000(카드사 응답)' });
    await note('NUL in a refusal', h.cancel({ merchant_uid: 'O-NUL', cancel_request_amount: 1000, reason: 'odd' }));
    const nulAudit = (await h.store.listAttempts('O-NUL')).map((a) => [a.outcome, a.error_code, a.iamport_message]);

    return {
      seen,
      stored,
      history,
      refusedStored,
      fieldsLogged,
      cancelsWhileInconsistent,
      storedWhileInconsistent,
      auditWhileInconsistent,
      inconsistentLogged,
      nulAudit,
    };
  } finally {
    await h.close();
  }
};

type OddRun = Awaited<ReturnType<typeof runOddAnswers>>;

const code = (s: Seen | undefined) => (s?.body as { error?: { code?: string } } | undefined)?.error?.code;

/** What every backend must show for the odd answers. */
const assertExpected = (run: OddRun) => {
  const { seen } = run;
  assert.deepEqual(
    [
      seen['fractional paid_at']?.status,
      (seen['fractional paid_at']?.body as { paid_at?: number } | undefined)?.paid_at,
    ],
    [200, 1796234270],
  );
  assert.deepEqual(
    [
      seen['paid_at in milliseconds']?.status,
      (seen['paid_at in milliseconds']?.body as { paid_at?: number } | undefined)?.paid_at,
    ],
    [200, 1796234270],
  );
  assert.deepEqual(run.stored, [1796234270, 1796234270]);
  assert.equal(
    seen['refund with fractional cancelled_at']?.status,
    200,
    JSON.stringify(seen['refund with fractional cancelled_at']),
  );
  assert.deepEqual(
    (seen['view after that refund']?.body as { cancelable_amount?: number } | undefined)?.cancelable_amount,
    2000,
  );
  assert.equal(run.history.length, 1);
  assert.ok(
    run.history.every((e) => Number.isInteger(e.cancelled_at)),
    JSON.stringify(run.history),
  );
  for (const name of ['paid_at as a string', 'negative amount']) {
    assert.deepEqual([seen[name]?.status, code(seen[name])], [503, 'UPSTREAM_UNAVAILABLE'], name);
  }
  assert.deepEqual(run.refusedStored, [null, null]);
  assert.ok(
    run.fieldsLogged.includes('paid_at') && run.fieldsLogged.includes('amount'),
    JSON.stringify(run.fieldsLogged),
  );
  assert.equal(seen['inconsistent: first view (sane)']?.status, 200);
  for (const name of ['inconsistent: webhook', 'inconsistent: view', 'inconsistent: refund']) {
    assert.deepEqual([seen[name]?.status, code(seen[name])], [503, 'UPSTREAM_UNAVAILABLE'], name);
  }
  assert.equal(run.cancelsWhileInconsistent, 1, "only the fractional refund reached i'mport");
  assert.equal(run.storedWhileInconsistent, 0, 'the impossible figures were never stored');
  assert.deepEqual(
    run.auditWhileInconsistent,
    [['rejected', 'UPSTREAM_UNAVAILABLE', 'cancel_amount 4500 exceeds amount 3000 (imp_000000000006)']],
    'the refused refund is in the audit, with why',
  );
  assert.ok(run.inconsistentLogged);
  assert.deepEqual(
    [seen['NUL in the name']?.status, (seen['NUL in the name']?.body as { name?: string } | undefined)?.name],
    [200, '반팔티셔츠'],
  );
  assert.deepEqual([seen['NUL in a refusal']?.status, code(seen['NUL in a refusal'])], [502, 'PG_PROVIDER']);
  assert.deepEqual(run.nulAudit, [['rejected', 'PG_PROVIDER', '결제취소에 실패하였습니다.(취소 실패(카드사 응답))']]);
  assert.deepEqual(
    [
      seen['inconsistent: view once sane']?.status,
      (seen['inconsistent: view once sane']?.body as { cancel_amount?: number } | undefined)?.cancel_amount,
    ],
    [200, 0],
  );
  assert.equal(seen['inconsistent: refund once sane']?.status, 200);
};

describe("odd answers from i'mport", () => {
  let onSqlite: OddRun | undefined;

  it('on SQLite: whole seconds stored, unstorable answers refused and logged, an inconsistent payment never used', async () => {
    onSqlite = await runOddAnswers(createSqliteStore({ path: ':memory:' }), 'sqlite');
    assertExpected(onSqlite);
  });

  if (url) {
    it('on PostgreSQL: the same answers as on SQLite', async () => {
      const onPostgres = await runOddAnswers(createPostgresStore({ url, max: 4 }), 'postgres');
      assertExpected(onPostgres);
      assert.deepEqual(onPostgres.seen, onSqlite?.seen);
    });
  }
});
