/**
 * @module `GET /platform/bank-accounts/{bank}/{accountNumber}/holder` (operation getPlatformAccountHolder, 예금주
 * 조회): PlatformAccountHolder `{ holderName, accountVerificationId }`, or GetPlatformAccountHolderError. Only for
 * stores with PortOne's Platform product (`platformEnabled`), as PlatformNotEnabledError documents.
 */
import { Hono } from 'hono';
import { isBank, isHolderLookupSupported } from './banks.ts';
import { answerError, refusal } from './errors.ts';
import { accountKey, type FakeState } from './state.ts';

export const platformRoutes = (state: FakeState) =>
  new Hono().get('/platform/bank-accounts/:bank/:accountNumber/holder', (c) => {
    if (!state.settings.platformEnabled) {
      return answerError(c, refusal('PLATFORM_NOT_ENABLED', '플랫폼 기능이 활성화되지 않았습니다.'));
    }
    const bank = c.req.param('bank');
    if (!isBank(bank)) return answerError(c, refusal('INVALID_REQUEST', `bank: 알 수 없는 은행입니다. (${bank})`));
    if (c.req.query('birthdate') !== undefined && c.req.query('businessRegistrationNumber') !== undefined) {
      // "birthdate과 businessRegistrationNumber 중 하나만 사용해야 합니다." (the operation's parameters)
      return answerError(
        c,
        refusal('INVALID_REQUEST', 'birthdate과 businessRegistrationNumber 중 하나만 사용해야 합니다.'),
      );
    }
    if (!isHolderLookupSupported(bank)) {
      return answerError(c, refusal('PLATFORM_NOT_SUPPORTED_BANK', '지원하지 않는 은행입니다.'));
    }
    const holderName = state.accounts.get(accountKey(bank, c.req.param('accountNumber')));
    if (holderName === undefined) {
      // No error type names a missing account; the bank's side failing is the closest documented one.
      return answerError(c, refusal('PLATFORM_EXTERNAL_API_FAILED', '계좌 정보를 조회할 수 없습니다.'));
    }
    return c.json({ holderName, accountVerificationId: crypto.randomUUID() }, 200);
  });
