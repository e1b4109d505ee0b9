// How the proxy reads PortOne V2's date-times: the same instant on every server, whatever its time zone.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as v from 'valibot';
import { DateTimeSchema } from './wire.ts';

const seconds = (s: string) => v.parse(DateTimeSchema, s);

describe("PortOne V2's date-times", () => {
  // A server in Korea: Date.parse alone would read an offset-less date-time nine hours earlier there than on one in UTC.
  const zone = process.env.TZ;
  before(() => {
    process.env.TZ = 'Asia/Seoul';
  });
  after(() => {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  });

  it('reads RFC 3339 with its offset as that instant, in whole seconds', () => {
    const instant = Date.UTC(2026, 1, 1) / 1000;
    for (const s of ['2026-02-01T00:00:00Z', '2026-02-01T09:00:00+09:00', '2026-02-01T00:00:00.999Z']) {
      assert.equal(seconds(s), instant, s);
    }
  });

  it("reads one without an offset (never documented) as UTC, not in the server's zone", () => {
    assert.equal(new Date(2026, 1, 1).getTimezoneOffset(), -540, 'the test runs as a server in Korea would');
    assert.equal(seconds('2026-02-01T00:00:00'), Date.UTC(2026, 1, 1) / 1000);
    assert.equal(seconds('2026-01-31T15:00:00-00:00'), Date.UTC(2026, 0, 31, 15) / 1000);
    assert.equal(v.safeParse(DateTimeSchema, 'not a date').success, false);
  });
});
