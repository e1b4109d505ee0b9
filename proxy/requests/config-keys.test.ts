// DATA_ENCRYPTION_KEY(_PREVIOUS): a bad key stops start-up, none turns request mode off (said at start), the sandbox
// makes its own; and what the configured keys seal, they (and only they) open.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig } from '../config.ts';
import { createSealer, randomDataKey } from './account-crypto.ts';

const live = { IMP_KEY: 'key', IMP_SECRET: 'secret', REFUND_TOKEN_SECRET: 's'.repeat(32) };

describe('DATA_ENCRYPTION_KEY', () => {
  it('stops start-up when a set key is not base64 of exactly 32 bytes, naming it without quoting it', () => {
    for (const [name, value] of [
      ['DATA_ENCRYPTION_KEY', btoa('short')],
      ['DATA_ENCRYPTION_KEY', 'not base64 at all!'],
      ['DATA_ENCRYPTION_KEY_PREVIOUS', btoa('x'.repeat(33))],
    ] as const) {
      const env = { ...live, DATA_ENCRYPTION_KEY: randomDataKey(), [name]: value };
      assert.throws(
        () => parseConfig(env),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.message.includes(`${name} must be base64 of exactly 32 bytes`) &&
          !error.message.includes(value),
      );
    }
  });

  it('stops start-up when only the previous key is set (a rotation whose new key is missing or misspelt)', () => {
    const previous = randomDataKey();
    assert.throws(
      () => parseConfig({ ...live, DATA_ENCRYPTION_KEY_PREVIOUS: previous }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.message.includes('DATA_ENCRYPTION_KEY_PREVIOUS is set, but DATA_ENCRYPTION_KEY is not') &&
        !error.message.includes(previous),
    );
    assert.equal(parseConfig({ DATA_ENCRYPTION_KEY_PREVIOUS: previous }).dataKeys.previous, previous, 'the sandbox');
  });

  it('turns request mode off with a start-up warning when unset; the sandbox makes a key per start', () => {
    const off = parseConfig(live);
    assert.equal(off.dataKeys.current, null);
    assert.ok(off.warnings.some((w) => /^request mode is off: DATA_ENCRYPTION_KEY is not set/.test(w)));
    const key = randomDataKey();
    const on = parseConfig({ ...live, DATA_ENCRYPTION_KEY: key });
    assert.deepEqual(on.dataKeys, { current: key, previous: null });
    assert.ok(!on.warnings.some((w) => w.startsWith('request mode')));
    const first = parseConfig({}).dataKeys.current;
    const second = parseConfig({}).dataKeys.current;
    assert.ok(first && second && first !== second, 'a fresh key at each sandbox start');
  });

  it('seals with a fresh IV each time, opens under the current or previous key, and not under another', async () => {
    const [oldKey, newKey] = [randomDataKey(), randomDataKey()];
    const before = await createSealer({ current: oldKey, previous: null });
    const after = await createSealer({ current: newKey, previous: oldKey });
    const stranger = await createSealer({ current: randomDataKey(), previous: null });
    assert.ok(before && after && stranger);
    const sealed = await before.seal('110-123-456789');
    assert.notEqual(sealed, await before.seal('110-123-456789'));
    assert.ok(!sealed.includes('456789'));
    assert.equal(await after.open(sealed), '110-123-456789');
    assert.equal(await after.open(await after.seal('x')), 'x');
    assert.equal(await stranger.open(sealed), null);
    assert.equal(await createSealer({ current: null, previous: oldKey }), null);
  });
});
