/** @module readJson(): a JSON body or 400 INVALID_REQUEST, for every route that takes one; readUtf8(): its text. */
import { AppError } from '../errors.ts';
import { charsetOf, isJsonContentType } from './content-type.ts';

/**
 * JSON is UTF-8 (RFC 8259). Bytes that are not, say a reason typed in EUC-KR, would otherwise be read with U+FFFD in
 * place of each character and go on to the gateway and the ledger as a reason nobody wrote: refused instead.
 */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The body as text, or 400 INVALID_REQUEST when its bytes are not UTF-8. */
export const readUtf8 = async (bytes: () => Promise<ArrayBuffer>): Promise<string> => {
  try {
    return utf8.decode(await bytes());
  } catch {
    throw new AppError('INVALID_REQUEST', 'The body is not UTF-8 text: send JSON encoded as UTF-8.');
  }
};

export const readJson = async (
  bytes: () => Promise<ArrayBuffer>,
  contentType: string | undefined,
): Promise<unknown> => {
  if (!isJsonContentType(contentType)) {
    throw new AppError('INVALID_REQUEST', 'Send the request as JSON (Content-Type: application/json).');
  }
  const charset = charsetOf(contentType);
  if (charset !== null && charset !== 'utf-8' && charset !== 'utf8') {
    throw new AppError(
      'INVALID_REQUEST',
      'Send the body as UTF-8 JSON (Content-Type: application/json; charset=utf-8).',
    );
  }
  const text = await readUtf8(bytes);
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('INVALID_REQUEST', 'The body is not valid JSON.');
  }
};
