/** @module Summaries of a load run (nearest-rank percentiles, throughput) and the markdown tables the parts print. */
import type { LoadResult } from './load.ts';

export interface Summary {
  /** Requests that got the expected answer (only these are timed). */
  readonly n: number;
  readonly p50: number;
  readonly p99: number;
  /** Completed requests per second of wall time. */
  readonly rps: number;
  readonly failures: number;
}

/** Nearest-rank percentile of an ascending array; NaN when empty. */
export const percentile = (sorted: readonly number[], p: number): number =>
  sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

export const median = (values: readonly number[]): number =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

/** One summary over several runs of the same thing (their latencies pooled, their wall times added). */
export const summarize = (...runs: readonly LoadResult[]): Summary => {
  const latencies = runs.flatMap((run) => run.latencies).sort((a, b) => a - b);
  const wallMs = runs.reduce((sum, run) => sum + run.wallMs, 0);
  return {
    n: latencies.length,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    rps: wallMs > 0 ? (latencies.length / wallMs) * 1000 : 0,
    failures: runs.reduce((sum, run) => sum + run.failures, 0),
  };
};

/** Failures make a measurement worthless: the first one's message, to print instead of a verdict. */
export const firstFailure = (...runs: readonly LoadResult[]): string | null =>
  runs.find((run) => run.firstFailure !== null)?.firstFailure ?? null;

export const fmtMs = (ms: number): string => (Number.isFinite(ms) ? ms.toFixed(2) : '–');
export const fmtRps = (rps: number): string => (Number.isFinite(rps) ? Math.round(rps).toLocaleString('en-US') : '–');
export const fmtCount = (n: number): string => n.toLocaleString('en-US');

export interface Table {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Lines printed under the table: what was measured and how. */
  readonly notes?: readonly string[];
}

/** A markdown table, padded so it also reads well in a terminal. */
export const renderTable = ({ title, columns, rows, notes = [] }: Table): string => {
  const widths = columns.map((column, i) => Math.max(column.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [
    `### ${title}`,
    '',
    line(columns),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map(line),
    ...(notes.length ? ['', ...notes] : []),
  ].join('\n');
};
