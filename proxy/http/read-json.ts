/** @module readJson(): a JSON body or 400 INVALID_REQUEST, for every route that takes one. */
import { AppError } from '../errors.ts';
import { isJsonContentType } from './content-type.ts';

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
