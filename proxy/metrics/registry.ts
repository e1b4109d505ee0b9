/**
 * @module createRegistry(): counters, gauges and histograms, rendered in the Prometheus text exposition format
 * (version 0.0.4). Our own rather than prom-client, which loads Node built-ins when imported (http, zlib, fs, v8; cluster
 * for its aggregator) that workerd has only in part: this is the small part of it the proxy needs, on web-standard
 * JavaScript alone, so it runs the same on every entry.
 */

/** The Content-Type of the text exposition format. */
export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type Labels<L extends string> = Readonly<Record<L, string>>;

export interface Counter<L extends string> {
  inc(labels: Labels<L>, by?: number): void;
}

export interface Gauge {
  /** Null: no sample (the value is not known now); the family's HELP and TYPE are still written. */
  set(value: number | null): void;
}

export interface Histogram<L extends string> {
  observe(labels: Labels<L>, value: number): void;
}

export interface Registry {
  counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L>;
  gauge(name: string, help: string): Gauge;
  histogram<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    buckets: readonly number[],
  ): Histogram<L>;
  /** Every metric, in the order they were made, as the text format (ending with a newline). */
  render(): string;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A label value in double quotes: backslash, double quote and line feed are the three the format escapes. */
export const escapeLabelValue = (value: string): string =>
  value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** HELP text escapes backslash and line feed only. */
const escapeHelp = (text: string): string => text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

/** A sample value: integers as such, and the format's own spellings of the infinities and NaN. */
export const formatValue = (value: number): string => {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
};

const labelText = (pairs: readonly (readonly [string, string])[]): string =>
  pairs.length === 0 ? '' : `{${pairs.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(',')}}`;

interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  lines(): string[];
}

/** Label values in the order of the metric's label names, as one map key. */
const keyOf = <L extends string>(labelNames: readonly L[], labels: Labels<L>): string =>
  JSON.stringify(labelNames.map((name) => labels[name]));

const pairsOf = (labelNames: readonly string[], key: string): [string, string][] =>
  (JSON.parse(key) as string[]).map((value, i) => [labelNames[i]!, value]);

export const createRegistry = (): Registry => {
  const families: Family[] = [];
  const add = (family: Family, labelNames: readonly string[]): void => {
    if (!NAME.test(family.name)) throw new Error(`metrics: bad metric name ${family.name}`);
    if (families.some((f) => f.name === family.name)) throw new Error(`metrics: ${family.name} is made twice`);
    for (const label of labelNames) {
      if (!LABEL.test(label) || label.startsWith('__') || label === 'le') {
        throw new Error(`metrics: bad label name ${label}`);
      }
    }
    families.push(family);
  };

  return {
    counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
      const values = new Map<string, number>();
      add(
        {
          name,
          help,
          type: 'counter',
          lines: () =>
            [...values].map(([key, value]) => `${name}${labelText(pairsOf(labelNames, key))} ${formatValue(value)}`),
        },
        labelNames,
      );
      return {
        inc(labels, by = 1) {
          if (!(by >= 0)) throw new Error(`metrics: ${name} can only go up`);
          const key = keyOf(labelNames, labels);
          values.set(key, (values.get(key) ?? 0) + by);
        },
      };
    },

    gauge(name: string, help: string): Gauge {
      let value: number | null = 0;
      add({ name, help, type: 'gauge', lines: () => (value === null ? [] : [`${name} ${formatValue(value)}`]) }, []);
      return {
        set(next) {
          value = next;
        },
      };
    },

    histogram<L extends string>(
      name: string,
      help: string,
      labelNames: readonly L[],
      buckets: readonly number[],
    ): Histogram<L> {
      const bounds = [...buckets].sort((a, b) => a - b);
      interface Series {
        readonly counts: number[];
        sum: number;
        count: number;
      }
      const series = new Map<string, Series>();
      const lines = (): string[] =>
        [...series].flatMap(([key, s]) => {
          const pairs = pairsOf(labelNames, key);
          // Buckets are cumulative: each counts every observation at or below its bound.
          const out = bounds.map(
            (bound, i) => `${name}_bucket${labelText([...pairs, ['le', formatValue(bound)]])} ${s.counts[i]!}`,
          );
          out.push(`${name}_bucket${labelText([...pairs, ['le', '+Inf']])} ${s.count}`);
          out.push(`${name}_sum${labelText(pairs)} ${formatValue(s.sum)}`);
          out.push(`${name}_count${labelText(pairs)} ${s.count}`);
          return out;
        });
      add({ name, help, type: 'histogram', lines }, labelNames);
      return {
        observe(labels, value) {
          const key = keyOf(labelNames, labels);
          let s = series.get(key);
          if (!s) {
            s = { counts: bounds.map(() => 0), sum: 0, count: 0 };
            series.set(key, s);
          }
          bounds.forEach((bound, i) => {
            if (value <= bound) s.counts[i] = (s.counts[i] ?? 0) + 1;
          });
          s.sum += value;
          s.count += 1;
        },
      };
    },

    render() {
      const out: string[] = [];
      for (const family of families) {
        out.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
        out.push(...family.lines());
      }
      return `${out.join('\n')}\n`;
    },
  };
};
