/** @module Request bodies as i'mport takes them: JSON or x-www-form-urlencoded (`a[b]=c` nests), read once. */

export type Fields = Readonly<Record<string, unknown>>;

/** The parsed body (`{}` when empty); not ok when it is neither a JSON object nor a form. */
export type ParsedBody =
  | { readonly ok: true; readonly fields: Fields; readonly raw: string }
  | { readonly ok: false; readonly raw: string };

// Keyed by the raw Request: the traffic log and the route both read the body, but a stream reads only once.
const cache = new WeakMap<Request, Promise<ParsedBody>>();

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const parseForm = (raw: string): Fields => {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    const nested = /^([^[\]]+)\[([^[\]]+)\]$/.exec(key);
    if (!nested?.[1] || !nested[2]) {
      fields[key] = value;
      continue;
    }
    const outer = fields[nested[1]];
    const inner = isRecord(outer) ? outer : {};
    inner[nested[2]] = value;
    fields[nested[1]] = inner;
  }
  return fields;
};

const parse = (raw: string, contentType: string): ParsedBody => {
  if (raw.trim() === '') return { ok: true, fields: {}, raw };
  if (contentType.includes('application/x-www-form-urlencoded')) return { ok: true, fields: parseForm(raw), raw };
  try {
    const json: unknown = JSON.parse(raw);
    return isRecord(json) ? { ok: true, fields: json, raw } : { ok: false, raw };
  } catch {
    return { ok: false, raw };
  }
};

export const readBody = (request: Request): Promise<ParsedBody> => {
  let body = cache.get(request);
  if (!body) {
    body = request.text().then((raw) => parse(raw, request.headers.get('content-type') ?? ''));
    cache.set(request, body);
  }
  return body;
};

/** A non-empty string field, else undefined. */
export const stringField = (fields: Fields, name: string): string | undefined => {
  const value = fields[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

/** A number field (form bodies send numbers as strings); undefined when absent or empty, NaN when not a number. */
export const numberField = (fields: Fields, name: string): number | undefined => {
  const value = fields[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'number') return value;
  return typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
};
