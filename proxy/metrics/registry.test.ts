// The exporter against the text format: every line read back by a parser written from the format's rules (HELP and
// TYPE before samples, escaped label values, cumulative buckets ending in +Inf equal to _count).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkHistogram, parseExposition } from './exposition-parser.ts';
import { createRegistry, escapeLabelValue } from './registry.ts';

describe('the metrics registry, rendered', () => {
  it('writes HELP and TYPE, then each series, ending with a line feed', () => {
    const registry = createRegistry();
    const counter = registry.counter('jobs_total', 'Jobs done.\nSecond line with a \\ backslash.', ['kind', 'code']);
    const gauge = registry.gauge('queue_depth', 'Jobs waiting.');
    counter.inc({ kind: 'a', code: '' });
    counter.inc({ kind: 'a', code: '' }, 2);
    counter.inc({ kind: 'b', code: 'E1' });
    gauge.set(7.5);
    const text = registry.render();
    const families = parseExposition(text);
    assert.deepEqual([...families.keys()], ['jobs_total', 'queue_depth']);
    const jobs = families.get('jobs_total')!;
    assert.equal(jobs.type, 'counter');
    assert.equal(jobs.help, 'Jobs done.\nSecond line with a \\ backslash.');
    assert.deepEqual(
      jobs.samples.map((s) => [s.labels, s.value]),
      [
        [{ kind: 'a', code: '' }, 3],
        [{ kind: 'b', code: 'E1' }, 1],
      ],
    );
    assert.deepEqual(families.get('queue_depth')!.samples, [{ name: 'queue_depth', labels: {}, value: 7.5 }]);
    assert.match(
      text,
      /^# HELP jobs_total Jobs done\.\\nSecond line with a \\\\ backslash\.\n# TYPE jobs_total counter\n/,
    );
  });

  it('escapes backslash, double quote and line feed in label values, and reads them back as they were', () => {
    assert.equal(escapeLabelValue('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
    const registry = createRegistry();
    const counter = registry.counter('odd_total', 'Odd labels.', ['v']);
    const odd = ['back\\slash', 'say "hi"', 'two\nlines', '{},=', '한국어'];
    for (const v of odd) counter.inc({ v });
    const samples = parseExposition(registry.render()).get('odd_total')!.samples;
    assert.deepEqual(
      samples.map((s) => s.labels.v),
      odd,
    );
  });

  it('renders a histogram as cumulative _bucket{le} lines, +Inf, _sum and _count, per label set', () => {
    const registry = createRegistry();
    const histogram = registry.histogram('wait_seconds', 'Waits.', ['call'], [1, 0.1, 0.5]);
    for (const v of [0.05, 0.1, 0.3, 2]) histogram.observe({ call: 'x' }, v);
    histogram.observe({ call: 'y' }, 0.7);
    const family = parseExposition(registry.render()).get('wait_seconds')!;
    assert.equal(family.type, 'histogram');
    checkHistogram(family);
    const x = family.samples.filter((s) => s.labels.call === 'x');
    assert.deepEqual(
      x.map((s) => [s.name, s.labels.le ?? null, s.value]),
      [
        ['wait_seconds_bucket', '0.1', 2],
        ['wait_seconds_bucket', '0.5', 3],
        ['wait_seconds_bucket', '1', 3],
        ['wait_seconds_bucket', '+Inf', 4],
        ['wait_seconds_sum', null, 2.45],
        ['wait_seconds_count', null, 4],
      ],
    );
  });

  it('refuses a bad metric or label name, a name made twice, and a counter going down', () => {
    const registry = createRegistry();
    assert.throws(() => registry.counter('bad-name', 'x', []), /bad metric name/);
    assert.throws(() => registry.counter('ok_total', 'x', ['le']), /bad label name/);
    assert.throws(() => registry.counter('ok2_total', 'x', ['__reserved']), /bad label name/);
    registry.gauge('once', 'x');
    assert.throws(() => registry.gauge('once', 'x'), /made twice/);
    const counter = registry.counter('up_total', 'x', []);
    assert.throws(() => counter.inc({}, -1), /only go up/);
  });

  it('the parser refuses what a scraper would: a sample before its TYPE, a bad escape, no final line feed', () => {
    assert.throws(() => parseExposition('# TYPE a counter\nb 1\n'), /outside its family/);
    assert.throws(() => parseExposition('# TYPE a counter\na{x="\\t"} 1\n'), /bad escape/);
    assert.throws(() => parseExposition('# TYPE a counter\na 1'), /line feed/);
  });
});
