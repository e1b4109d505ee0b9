// i'mport V1's hidden holder lookup behind the seam: offered only when turned on, and each answer of the fake's
// GET /vbanks/holder read as the seam's HolderLookup.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Gateway } from '../gateway.ts';
import { createFakeIamport } from './fake/fake-iamport.ts';
import { createIamportGateway } from './gateway.ts';

const setup = (holderLookup: boolean) => {
  const fake = createFakeIamport();
  const logs: Record<string, unknown>[] = [];
  const gateway = createIamportGateway({
    baseUrl: 'http://iamport.test',
    apiKey: 'test_imp_key',
    apiSecret: 'test_imp_secret',
    fetch: fake.fetch,
    log: (line) => logs.push(line),
    holderLookup,
  });
  return { fake, gateway, logs };
};

const lookup = (gateway: Gateway, bank: string, number: string) => {
  assert.ok(gateway.lookupHolder, 'the gateway offers the lookup');
  return gateway.lookupHolder({ bank, number });
};

describe("i'mport V1's holder lookup (GET /vbanks/holder)", () => {
  it('is not offered unless IAMPORT_HOLDER_LOOKUP turned it on', () => {
    assert.equal(setup(false).gateway.lookupHolder, undefined);
  });

  it("answers the bank's holder for a known account, sending the PG's bank code and the number", async () => {
    const { fake, gateway } = setup(true);
    fake.addAccount({ bank: '088', number: '110123456789', holder: '홍길동' });
    assert.deepEqual(await lookup(gateway, '088', '110123456789'), { kind: 'ok', holder: '홍길동' });
    const call = fake.calls.find((c) => c.route === 'holder');
    assert.equal(call?.path, '/vbanks/holder');
  });

  it('answers not_found for an account the bank does not know ("계좌정보 조회 실패")', async () => {
    const { gateway } = setup(true);
    assert.deepEqual(await lookup(gateway, '088', '999'), { kind: 'not_found' });
  });

  it("answers not_offered when i'mport has hidden the route (404 Not Found)", async () => {
    const { fake, gateway } = setup(true);
    fake.addAccount({ bank: '088', number: '1', holder: '홍길동' });
    fake.hideHolderLookup();
    assert.deepEqual(await lookup(gateway, '088', '1'), { kind: 'not_offered' });
  });

  it("answers unavailable when i'mport fails (5xx) or answers without a holder", async () => {
    const { fake, gateway, logs } = setup(true);
    fake.addAccount({ bank: '088', number: '1', holder: '홍길동' });
    fake.inject({ kind: 'http_5xx', status: 503, route: 'holder' });
    const failed = await lookup(gateway, '088', '1');
    assert.equal(failed.kind, 'unavailable');
    assert.equal(failed.kind === 'unavailable' && failed.reason, 'http_error');
    fake.addAccount({ bank: '088', number: '2', holder: ' ' });
    const empty = await lookup(gateway, '088', '2');
    assert.equal(empty.kind === 'unavailable' && empty.reason, 'bad_response');
    assert.ok(logs.some((line) => line.endpoint === '/vbanks/holder'));
  });
});
