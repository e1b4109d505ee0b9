/**
 * @module A URL's query kept out of what is shown and stored: it may hold a secret (a merchant receiver's token, KG
 * Inicis's key for i'mport), and the admin API, the staff console and the logs show URLs and the errors that name them.
 * `?…` says there was one.
 */

/** The query (and fragment) of `url`, from its `?` or `#`; '' when it has none. */
const queryOf = (url: string): string => url.slice(url.search(/[?#]|$/));

/** `url` without its query. */
export const shownUrl = (url: string): string => {
  const query = queryOf(url);
  return query ? `${url.slice(0, -query.length)}?…` : url;
};

/** `text` (a runtime's fetch error, which may name the URL it could not reach) with `url`'s query cut out. */
export const withoutQueryOf = (text: string, url: string): string => {
  const query = queryOf(url);
  return query ? text.replaceAll(query, '?…') : text;
};
