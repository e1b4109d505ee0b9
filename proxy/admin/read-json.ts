/** @module readJson(): a JSON body or 400 INVALID_REQUEST, for the admin and staff routes that take one. */
import { AppError } from '../errors.ts';
import { isJsonContentType } from '../http/content-type.ts';

export const readJson = async (text: () => Promise<string>, contentType: string | undefined): Promise<unknown> => {
  if (!isJsonContentType(contentType)) {
    throw new AppError('INVALID_REQUEST', 'Send the request as JSON (Content-Type: application/json).');
  }
  try {
    return JSON.parse(await text());
  } catch {
    throw new AppError('INVALID_REQUEST', 'The body is not valid JSON.');
  }
};
