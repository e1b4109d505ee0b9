/** @module What every part is given (BenchContext), and starting the fake i'mport and proxy processes it measures. */

import { type Child, startChild } from './children.ts';
import type { Backend } from './ledger.ts';
import { jsonField } from './load.ts';
import { IMP_KEY, IMP_SECRET } from './orders.ts';
import type { ProxyProcessOptions } from './proxy-process.ts';
import type { Table } from './stats.ts';

export interface BenchContext {
  /** The ledger backends to measure, in order. */
  readonly backends: readonly Backend[];
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

/** An access token from the fake, for sending it requests directly. */
export const fakeToken = async (fakeUrl: string): Promise<string> => {
  const res = await fetch(`${fakeUrl}/users/getToken`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ imp_key: IMP_KEY, imp_secret: IMP_SECRET }),
  });
  const response = jsonField(await res.text(), 'response');
  const token =
    typeof response === 'object' && response !== null && 'access_token' in response ? response.access_token : undefined;
  if (typeof token !== 'string') throw new Error(`no token from the fake: HTTP ${res.status}`);
  return token;
};
