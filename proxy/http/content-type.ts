/** @module The media type of a Content-Type header, and isJsonContentType(): `application/json` itself. */

/** `application/json` of `Application/JSON; charset=utf-8`: the type and subtype, lower case, without parameters. */
export const mediaTypeOf = (header: string | undefined | null): string =>
  (header ?? '').split(';')[0]!.trim().toLowerCase();

/** True for `application/json` and `application/json; charset=utf-8`; false for `application/json-patch+json` and others. */
export const isJsonContentType = (header: string | undefined | null): boolean =>
  mediaTypeOf(header) === 'application/json';
