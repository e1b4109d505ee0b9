/**
 * @module The media type of a Content-Type header, isJsonContentType(): `application/json` itself, and charsetOf(): the
 * charset it names.
 */

/** `application/json` of `Application/JSON; charset=utf-8`: the type and subtype, lower case, without parameters. */
export const mediaTypeOf = (header: string | undefined | null): string =>
  (header ?? '').split(';')[0]!.trim().toLowerCase();

/** True for `application/json` and `application/json; charset=utf-8`; false for `application/json-patch+json` and others. */
export const isJsonContentType = (header: string | undefined | null): boolean =>
  mediaTypeOf(header) === 'application/json';

/** The `charset` parameter, lower case and unquoted (`utf-8` of `application/json; Charset="UTF-8"`); null when none. */
export const charsetOf = (header: string | undefined | null): string | null => {
  for (const parameter of (header ?? '').split(';').slice(1)) {
    const [name, ...value] = parameter.split('=');
    if (name?.trim().toLowerCase() === 'charset') return value.join('=').trim().replace(/^"|"$/g, '').toLowerCase();
  }
  return null;
};
