/**
 * @module Merchant webhooks: how soon after a refund's answer the merchant's receiver has its event, and what sending
 * events costs the refund itself (webhooks on against off), at concurrency 1 and 32, on each ledger backend.
 * Targets: delivery p50 under 50 ms with a local receiver; the refund's p50 grows by at most 10%.
 * `--webhook-stage` runs only a part of webhooks on the "on" side (bench/support/webhook-stage.ts): the cost table
 * then says what that part costs, and there is no delivery table (nothing reaches the receiver).
 */
import { join } from 'node:path';
import type { Child } from './support/children.ts';
import { createLedger, type Ledger, seedLedger } from './support/ledger.ts';
import { type LoadResult, runLoad } from './support/load.ts';
import { merchantUidOf, mintGrants, proxyRefund, refunded } from './support/orders.ts';
import { benchWebhookSecret, type Receiver, sharedNow, startReceiver } from './support/receiver.ts';
import { type Part, startFake, startProxy } from './support/stack.ts';
import { firstFailure, fmtCount, fmtMs, percentile, summarize, type Table } from './support/stats.ts';
import { STAGE_MEANS, type WebhookStage } from './support/webhook-stage.ts';

const DELIVERY_TARGET_MS = 50;
const OVERHEAD_TARGET = 1.1;
/**
 * The fake i'mport's delay on every call in the last two stages: the same refunds at a gateway's pace (i'mport's own
 * calls take tens to hundreds of milliseconds), where the first two stages take the fake's sub-millisecond answers.
 */
const GATEWAY_DELAY_MS = 50;
/** Set: the proxy's CPU profile of each side's timed runs goes here, one file a run (CPU figures then include it). */
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR;
/** Each stage alternates webhooks-on and -off runs this many times, so drift in the machine hits both alike. */
const ROUNDS = 8;

interface Side {
  readonly name: 'on' | 'off';
  readonly ledger: Ledger;
  proxy: Child | null;
  readonly runs: LoadResult[];
  /** The proxy process's CPU time over the stage's timed runs (and, when on, its deliveries), µs. */
  cpuUs: number;
}

export const webhooks: Part = async (ctx) => {
  const webhookStage = ctx.webhookStage;
  const stages = [
    { name: 'warm', concurrency: 8, count: ctx.quick ? 32 : 160, timed: false, delayMs: 0 },
    { name: 'c1', concurrency: 1, count: ctx.quick ? 64 : 1_000, timed: true, delayMs: 0 },
    { name: 'c32', concurrency: 32, count: ctx.quick ? 256 : 2_048, timed: true, delayMs: 0 },
    { name: 'c1slow', concurrency: 1, count: ctx.quick ? 16 : 160, timed: true, delayMs: GATEWAY_DELAY_MS },
    { name: 'c32slow', concurrency: 32, count: ctx.quick ? 128 : 1_024, timed: true, delayMs: GATEWAY_DELAY_MS },
  ] as const;
  const deliveryRows: string[][] = [];
  const costRows: string[][] = [];

  for (const backend of ctx.backends) {
    ctx.progress(`webhooks: ${backend}: seeding`);
    const server = backend === 'postgres' ? await ctx.postgres() : null;
    const fake = await startFake();
    const receiver = await startReceiver();
    const sides: Side[] = [];
    /** Refunds (one event each) the "on" proxy has made so far, the warm-up's included. */
    let onEvents = 0;
    try {
      // One ledger and one proxy each: the same build, with and without MERCHANT_WEBHOOK_URL.
      for (const name of ['on', 'off'] as const) {
        const ledger = await createLedger(backend, `bench_webhooks_${name}`, server);
        sides.push({ name, ledger, proxy: null, runs: [], cpuUs: 0 });
        for (const stage of stages) {
          await fake.call('seed', { prefix: `${name}${stage.name}`, count: stage.count });
          await seedLedger(ledger.target, `${name}${stage.name}`, stage.count);
        }
        const hooks = name === 'on' ? { merchantWebhooks: { urls: [receiver.url], secret: benchWebhookSecret() } } : {};
        sides[sides.length - 1]!.proxy = await startProxy({
          mode: 'proxy',
          ledger: ledger.target,
          iamportUrl: fake.url,
          ...hooks,
          ...(name === 'on' ? { webhookStage } : {}),
        });
      }
      for (const stage of stages) {
        ctx.progress(`webhooks: ${backend}: ${stage.name}`);
        await fake.call('clearFaults');
        if (stage.delayMs > 0) {
          await fake.call('inject', { kind: 'delay', ms: stage.delayMs, route: 'any', times: 1e9 });
        }
        const chunk = Math.ceil(stage.count / ROUNDS);
        const delays: number[] = [];
        let missing = 0;
        for (const side of sides) {
          side.runs.length = 0;
          side.cpuUs = 0;
        }
        const grants = await Promise.all(sides.map((s) => mintGrants(`${s.name}${stage.name}`, stage.count)));
        for (let round = 0; round < ROUNDS; round++) {
          const from = round * chunk;
          const count = Math.min(chunk, stage.count - from);
          // Which side goes first swaps every round: a run just after the other's may find the machine warmer.
          for (const s of round % 2 === 0 ? [0, 1] : [1, 0]) {
            const side = sides[s]!;
            const prefix = `${side.name}${stage.name}`;
            const answeredAt: number[] = [];
            const before = await receiver.count();
            const url = side.proxy?.url ?? '';
            const cpuBefore = (await side.proxy?.call<number>('cpu')) ?? 0;
            if (PROFILE_DIR && stage.timed) await side.proxy?.call('profileStart');
            side.runs.push(
              await runLoad({
                count,
                concurrency: stage.concurrency,
                maxMs: 120_000,
                exchange: (i) => proxyRefund(url, prefix, from + i, grants[s]?.[from + i] ?? ''),
                check: (answer, i) => {
                  answeredAt[i] = sharedNow();
                  return refunded(answer);
                },
              }),
            );
            // Every event in before the next run, so neither side's runs overlap the other's deliveries.
            if (side.name === 'on') {
              onEvents += count;
              const total = webhookStage === 'no-http' ? onEvents : before + count;
              missing += await settle(webhookStage, receiver, side.proxy, total);
            }
            side.cpuUs += ((await side.proxy?.call<number>('cpu')) ?? 0) - cpuBefore;
            if (PROFILE_DIR && stage.timed) {
              const file = `webhooks-${backend}-${stage.name}-${side.name}-${round}.cpuprofile`;
              await side.proxy?.call('profileStop', join(PROFILE_DIR, file));
            }
            if (side.name === 'off' || webhookStage !== 'full') continue;
            const arrivals = await receiver.arrivals(answeredAt.map((_, i) => merchantUidOf(prefix, from + i)));
            answeredAt.forEach((at, i) => {
              const arrived = arrivals[i];
              if (arrived !== null && arrived !== undefined) delays.push(arrived - at);
            });
          }
        }
        if (!stage.timed) continue;
        const [on, off] = sides.map((side) => summarize(...side.runs));
        if (!on || !off) continue;
        const failure = firstFailure(...sides.flatMap((side) => side.runs));
        delays.sort((a, b) => a - b);
        const p50 = percentile(delays, 50);
        const lost = missing > 0 ? `invalid: ${missing} events not received within 30 s` : null;
        if (webhookStage === 'full')
          deliveryRows.push([
            backend,
            String(stage.concurrency),
            String(stage.delayMs),
            fmtCount(delays.length),
            fmtMs(p50),
            fmtMs(percentile(delays, 99)),
            fmtMs(delays.at(-1) ?? Number.NaN),
            failure ? `invalid: ${failure}` : (lost ?? (p50 < DELIVERY_TARGET_MS ? 'met' : 'missed')),
          ]);
        const ratio = on.p50 / off.p50;
        const [onCpu, offCpu] = sides.map((side) => side.cpuUs / 1000 / Math.max(1, summarize(...side.runs).n));
        costRows.push([
          backend,
          String(stage.concurrency),
          String(stage.delayMs),
          fmtCount(on.n),
          fmtMs(off.p50),
          fmtMs(off.p99),
          fmtMs(on.p50),
          fmtMs(on.p99),
          `${ratio.toFixed(2)}x`,
          `${(on.p99 / off.p99).toFixed(2)}x`,
          fmtMs(offCpu ?? Number.NaN),
          fmtMs(onCpu ?? Number.NaN),
          failure ? `invalid: ${failure}` : verdict(webhookStage, ratio),
        ]);
      }
    } finally {
      for (const side of sides) await side.proxy?.stop();
      await receiver.close();
      await fake.stop();
      for (const side of sides) await side.ledger.dispose();
    }
  }

  const delivery: Table = {
    title: "Merchant webhooks: from a refund's answer at the client to its event at the merchant's receiver",
    columns: [
      'ledger',
      'concurrency',
      "i'mport ms a call",
      'events',
      'p50 ms',
      'p99 ms',
      'max ms',
      `target: p50 < ${DELIVERY_TARGET_MS} ms`,
    ],
    rows: deliveryRows,
    notes: [
      'The receiver is a plain node:http server in a process of its own (loopback, answers 204 without verifying),',
      "as a merchant's server is another machine; the proxy is its own process with MERCHANT_WEBHOOK_URL pointing",
      "at it. Each delay is the time from the refund's answer read in full by the client to the event's body read",
      'in full by the receiver, both on the wall clock at full resolution (performance.timeOrigin + now() in each',
      'process). Each refund is a partial one of its own order (one `refund.succeeded` each), sent back to back by',
      'that many clients; the first attempt goes out right after the answer (no retries were needed in these runs',
      'unless a row says invalid). Under load the client may read an answer only after the receiver has read its',
      'event (the proxy sends it on the turn after the answer is written), so a delay can be below zero.',
      GATEWAY_NOTE,
    ],
  };
  const cost: Table = {
    title:
      webhookStage === 'full'
        ? "Merchant webhooks' cost to a refund: the refund's own latency with webhooks on against off"
        : `A part of merchant webhooks' cost to a refund (--webhook-stage=${webhookStage}): on against off`,
    columns: [
      'ledger',
      'concurrency',
      "i'mport ms a call",
      'refunds each',
      'off p50 ms',
      'off p99 ms',
      'on p50 ms',
      'on p99 ms',
      'p50 on/off',
      'p99 on/off',
      'off CPU ms per refund',
      'on CPU ms per refund',
      `target: p50 ≤ ${OVERHEAD_TARGET.toFixed(2)}x`,
    ],
    rows: costRows,
    notes: [
      'Two proxies, the same build, each on a ledger of its own; one with merchant webhooks on (the event written',
      "in the refund's own transaction, then delivered right after the answer, in the same process), one without.",
      `Runs alternate on/off (the first side swapping each round) ${ROUNDS} times per row, after an untimed warm-up;`,
      "each on-run's events are all received before the next run starts, so delivery after the last answer of a run",
      'is not timed against either side, but deliveries during a run are (they share the proxy with the refunds).',
      "CPU: the proxy process's user + system time over its timed runs (on: until the run's last event arrived),",
      'divided by the refunds; on minus off is what an event costs the proxy (its write, hold, POST and record).',
      GATEWAY_NOTE,
      ...(webhookStage === 'full' ? [] : [`This run's "on" proxy: ${STAGE_MEANS[webhookStage]}.`]),
    ],
  };
  // A part's run has no delivery to time, and its ratio is a share of the target's, not a verdict on it.
  return webhookStage === 'full' ? [delivery, cost] : [cost];
};

const GATEWAY_NOTE =
  `i'mport ms a call: 0, the fake as it is (it answers within a millisecond); ${GATEWAY_DELAY_MS}, every call to it ` +
  "waits that long first, as a real gateway's calls take tens to hundreds of milliseconds (fewer refunds per row).";

/** The target's verdict on a full run; a part's run only says where its share stands against the whole budget. */
const verdict = (stage: WebhookStage, ratio: number): string => {
  const within = ratio <= OVERHEAD_TARGET;
  if (stage === 'full') return within ? 'met' : 'missed';
  return within ? 'a part: within the budget' : 'a part: over the budget alone';
};

/**
 * Waits (at most 30 s) until `total` events have gone out: reached the receiver (stage full), or been answered inside
 * the proxy (no-http; `total` then counts the proxy's events since it started); how many were still missing. The
 * other stages deliver nothing.
 */
const settle = async (stage: WebhookStage, receiver: Receiver, proxy: Child | null, total: number): Promise<number> => {
  if (stage === 'full') {
    return (await receiver.waitFor(total, 30_000)) ? 0 : total - (await receiver.count());
  }
  if (stage !== 'no-http' || !proxy) return 0;
  const deadline = performance.now() + 30_000;
  for (;;) {
    const answered = await proxy.call<number>('webhooksAnswered');
    if (answered >= total || performance.now() > deadline) return Math.max(0, total - answered);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};
