/**
 * @module parseExposition(): a reader of the Prometheus text format (0.0.4) for tests, written from the format's
 * rules, not from our renderer: it refuses what a scraper would refuse, so a test over it can fail on a bad render.
 */

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  readonly type: string;
  readonly help: string;
  readonly samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(\\{(.*)\\})? (\\S+)$`);

/** A label set `a="x",b="y\\"z"`: values are double-quoted with \\\\, \\" and \\n escaped, nothing else. */
const parseLabels = (text: string): Record<string, string> => {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const name = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(text.slice(i))?.[0];
    if (!name || text[i + name.length] !== '=' || text[i + name.length + 1] !== '"') {
      throw new Error(`bad label at ${i}: ${text}`);
    }
    i += name.length + 2;
    let value = '';
    for (;;) {
      const ch = text[i];
      if (ch === undefined) throw new Error(`unterminated label value: ${text}`);
      if (ch === '"') break;
      if (ch === '\n') throw new Error('a raw line feed in a label value');
      if (ch === '\\') {
        const next = text[i + 1];
        if (next === '\\') value += '\\';
        else if (next === '"') value += '"';
        else if (next === 'n') value += '\n';
        else throw new Error(`bad escape \\${next} in ${text}`);
        i += 2;
        continue;
      }
      value += ch;
      i += 1;
    }
    if (name in labels) throw new Error(`label ${name} twice`);
    labels[name] = value;
    i += 1;
    if (i < text.length) {
      if (text[i] !== ',') throw new Error(`expected , at ${i}: ${text}`);
      i += 1;
    }
  }
  return labels;
};

const parseValue = (text: string): number => {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (text === 'NaN') return Number.NaN;
  if (!/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`bad value ${text}`);
  return Number(text);
};

/** The sample names a family of this type may have. */
const belongs = (family: string, type: string, sample: string): boolean =>
  type === 'histogram' ? [`${family}_bucket`, `${family}_sum`, `${family}_count`].includes(sample) : sample === family;

export const parseExposition = (text: string): Map<string, Family> => {
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a line feed');
  const families = new Map<string, Family>();
  let current: Family | null = null;
  for (const line of text.slice(0, -1).split('\n')) {
    const meta = new RegExp(`^# (HELP|TYPE) (${NAME}) ?(.*)$`).exec(line);
    if (meta) {
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      let family = families.get(name);
      if (!family) {
        family = { name, type: 'untyped', help: '', samples: [] };
        families.set(name, family);
      } else if (family.samples.length > 0) throw new Error(`${kind} for ${name} after its samples`);
      if (kind === 'TYPE') {
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest)) throw new Error(`type ${rest}`);
        families.set(name, { ...family, type: rest });
      } else families.set(name, { ...family, help: rest.replace(/\\n/g, '\n').replace(/\\\\/g, '\\') });
      current = families.get(name)!;
      continue;
    }
    if (line.startsWith('#') || line === '') continue;
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const [, name, , labelText, value] = match as unknown as [string, string, string, string | undefined, string];
    if (!current || !belongs(current.name, current.type, name)) throw new Error(`${name} outside its family`);
    current.samples.push({ name, labels: parseLabels(labelText ?? ''), value: parseValue(value) });
  }
  return families;
};

/** Checks a histogram family's series: buckets by rising `le`, cumulative, the +Inf one equal to _count. */
export const checkHistogram = (family: Family): void => {
  const series = new Map<string, Sample[]>();
  for (const sample of family.samples) {
    const { le: _le, ...rest } = sample.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    series.set(key, [...(series.get(key) ?? []), sample]);
  }
  for (const [key, samples] of series) {
    const buckets = samples.filter((s) => s.name.endsWith('_bucket'));
    const count = samples.find((s) => s.name.endsWith('_count'));
    const sum = samples.find((s) => s.name.endsWith('_sum'));
    if (!count || !sum) throw new Error(`${family.name} ${key}: no _count or _sum`);
    const bounds = buckets.map((b) => parseValue(b.labels.le ?? 'missing'));
    if (bounds.at(-1) !== Number.POSITIVE_INFINITY) throw new Error(`${family.name} ${key}: no +Inf bucket`);
    for (let i = 1; i < buckets.length; i += 1) {
      if (!(bounds[i]! > bounds[i - 1]!)) throw new Error(`${family.name} ${key}: le not rising`);
      if (buckets[i]!.value < buckets[i - 1]!.value) throw new Error(`${family.name} ${key}: not cumulative`);
    }
    if (buckets.at(-1)!.value !== count.value) throw new Error(`${family.name} ${key}: +Inf bucket is not _count`);
  }
};
