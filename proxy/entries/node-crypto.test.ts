// The Node entry's own AES-256-GCM seals and opens refund accounts interchangeably with WebCrypto's (rows sealed by
// one open with the other, so an instance on another runtime reads them), and refuses what another key sealed or
// what was altered.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSealer, randomDataKey } from '../requests/account-crypto.ts';
import { aesGcm } from './node-crypto.ts';

const ACCOUNT = JSON.stringify({ refund_holder: '홍길동', refund_account: '110-123-456789' });

describe('node:crypto AES-256-GCM for sealed refund accounts', () => {
  it('opens what WebCrypto sealed, and WebCrypto opens what it sealed', async () => {
    const keys = { current: randomDataKey(), previous: null };
    const node = await createSealer(keys, aesGcm);
    const web = await createSealer(keys);
    assert.ok(node && web);
    assert.equal(await node.open(await web.seal(ACCOUNT)), ACCOUNT);
    assert.equal(await web.open(await node.seal(ACCOUNT)), ACCOUNT);
    assert.notEqual(await node.seal(ACCOUNT), await node.seal(ACCOUNT), 'a fresh IV each time');
  });

  it('opens a value sealed under the previous key after a rotation, and nothing another key sealed', async () => {
    const oldKey = randomDataKey();
    const sealedBefore = await (await createSealer({ current: oldKey, previous: null }, aesGcm))?.seal(ACCOUNT);
    assert.ok(sealedBefore);
    const rotated = await createSealer({ current: randomDataKey(), previous: oldKey }, aesGcm);
    assert.equal(await rotated?.open(sealedBefore), ACCOUNT);
    const stranger = await createSealer({ current: randomDataKey(), previous: null }, aesGcm);
    assert.equal(await stranger?.open(sealedBefore), null);
  });

  it('refuses an altered value instead of opening it', async () => {
    const sealer = await createSealer({ current: randomDataKey(), previous: null }, aesGcm);
    assert.ok(sealer);
    const sealed = await sealer.seal(ACCOUNT);
    const body = sealed.split('.')[3]!;
    const flipped = `${body.slice(0, 4)}${body[4] === 'A' ? 'B' : 'A'}${body.slice(5)}`;
    assert.equal(await sealer.open(sealed.replace(body, flipped)), null, 'a changed ciphertext byte');
    assert.equal(await sealer.open(sealed.replace(body, body.slice(0, 10))), null, 'cut short');
  });
});
