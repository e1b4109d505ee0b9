// parseIp() and isLoopbackHost(): canonical forms, IPv4-mapped IPv6, /64 groups, and junk refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isLoopbackHost, parseIp } from './ip.ts';

describe('parseIp()', () => {
  it('reads IPv4 as a dotted quad, grouped by the address itself', () => {
    assert.deepEqual(parseIp('203.0.113.7'), { version: 4, address: '203.0.113.7', group: '203.0.113.7' });
    assert.deepEqual(parseIp(' 0.0.0.0 '), { version: 4, address: '0.0.0.0', group: '0.0.0.0' });
    assert.equal(parseIp('255.255.255.255')?.address, '255.255.255.255');
  });

  it('writes IPv6 in RFC 5952 form: lower case, no leading zeros, the longest zero run as ::', () => {
    const cases: [string, string][] = [
      ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // the first of two equal runs
      ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero group stays
      ['2001:db8:1:0:0:0:0:0', '2001:db8:1::'],
      ['0:0:0:0:0:0:0:0', '::'],
      ['::1', '::1'],
      ['[2001:db8::7]', '2001:db8::7'],
      ['fe80::1:2:3:4', 'fe80::1:2:3:4'],
      ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'], // a trailing dotted quad is two groups
    ];
    for (const [input, canonical] of cases) {
      const ip = parseIp(input);
      assert.equal(ip?.version, 6, input);
      assert.equal(ip.address, canonical, input);
    }
  });

  it('groups an IPv6 address by its /64 prefix', () => {
    assert.equal(parseIp('2001:db8:1:2:aaaa:bbbb:cccc:dddd')?.group, '2001:db8:1:2::/64');
    assert.equal(parseIp('2001:0db8:0001:0002::1')?.group, '2001:db8:1:2::/64');
    assert.equal(parseIp('2001:db8::1')?.group, '2001:db8::/64');
    assert.equal(parseIp('::1')?.group, '::/64');
    assert.notEqual(parseIp('2001:db8:1:2::1')?.group, parseIp('2001:db8:1:3::1')?.group);
  });

  it('reads an IPv4-mapped IPv6 address (a dual-stack socket) as the IPv4 client it is', () => {
    for (const input of [
      '::ffff:203.0.113.7',
      '::FFFF:cb00:7107',
      '0:0:0:0:0:ffff:203.0.113.7',
      '[::ffff:203.0.113.7]',
    ]) {
      assert.deepEqual(parseIp(input), { version: 4, address: '203.0.113.7', group: '203.0.113.7' }, input);
    }
    assert.equal(parseIp('::203.0.113.7')?.version, 6, 'the old IPv4-compatible form is not mapped');
  });

  it('refuses anything that is not one address', () => {
    const junk = [
      '',
      ' ',
      'unknown',
      'localhost',
      'x'.repeat(8192),
      '203.0.113.7, 198.51.100.1',
      '203.0.113.7:443',
      '203.0.113',
      '256.1.1.1',
      '1.2.3.4.5',
      '01.2.3.4',
      '1.2.3.-4',
      '1.2.3.4/32',
      '2001:db8::1/64',
      '2001:db8:::1',
      '2001::db8::1',
      '1:2:3:4:5:6:7:8:9',
      '1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7::8',
      '12345::1',
      'fe80::1%eth0',
      '::ffff:1.2.3.256',
      'g::1',
      ':1',
      '1:',
      '[::1',
      '::1]',
    ];
    for (const input of junk) assert.equal(parseIp(input), null, JSON.stringify(input.slice(0, 40)));
    assert.equal(parseIp(null), null);
    assert.equal(parseIp(undefined), null);
  });
});

describe('isLoopbackHost()', () => {
  it('knows localhost, 127.0.0.0/8 and ::1 in any spelling', () => {
    for (const host of [
      'localhost',
      'LOCALHOST',
      '127.0.0.1',
      '127.1.2.3',
      '::1',
      '[::1]',
      '0:0:0:0:0:0:0:1',
      '::ffff:127.0.0.1',
    ]) {
      assert.equal(isLoopbackHost(host), true, host);
    }
  });

  it('refuses every other host, and names that merely start like loopback', () => {
    for (const host of [
      '0.0.0.0',
      '::',
      '10.0.0.1',
      '128.0.0.1',
      '::2',
      'localhost.example.com',
      '127.0.0.1.example.com',
      '',
    ]) {
      assert.equal(isLoopbackHost(host), false, host);
    }
  });
});
