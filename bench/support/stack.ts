/** @module What every part is given (BenchContext), and starting the fake i'mport and proxy processes it measures. */

import { type Child, startChild } from './children.ts';
import type { GatewayName } from './gateway-profile.ts';
import type { Backend } from './ledger.ts';
import type { ProxyProcessOptions } from './proxy-process.ts';
import type { Table } from './stats.ts';
import type { WebhookStage } from './webhook-stage.ts';

export interface BenchContext {
  /** The ledger backends to measure, in order. */
  readonly backends: readonly Backend[];
  /** The gateways to measure, in order; the overhead part runs on each, the others on i'mport only. */
  readonly gateways: readonly GatewayName[];
  /** How much of merchant webhooks the webhooks part's "on" proxy runs (--webhook-stage; default full). */
  readonly webhookStage: WebhookStage;
  /** The throwaway PostgreSQL server's URL (started on first use). */
  postgres(): Promise<string>;
  /** Smaller counts: a smoke run that checks the bench works, not one to quote. */
  readonly quick: boolean;
  /** A progress line (stderr), so a long part shows it is alive. */
  progress(line: string): void;
}

export type Part = (ctx: BenchContext) => Promise<Table[]>;

export const startFake = (): Promise<Child> => startChild('fake-process.ts', {});

export const startProxy = (options: ProxyProcessOptions): Promise<Child> => startChild('proxy-process.ts', options);
