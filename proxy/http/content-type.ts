/** @module isJsonContentType(): `application/json` exactly, with parameters such as charset allowed. */

/** True for `application/json` and `application/json; charset=utf-8`; false for `application/json-patch+json` and others. */
export const isJsonContentType = (header: string | undefined | null): boolean =>
  (header ?? '').split(';')[0]!.trim().toLowerCase() === 'application/json';
