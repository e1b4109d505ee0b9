/**
 * @module CSV for accounting (RFC 4180): a header row, CRLF line ends, cells quoted when they hold a quote, a comma or
 * a line break, and text that a spreadsheet would run as a formula (= + - @, tab, CR first) defused with a leading `'`.
 */

export type CsvValue = string | number | boolean | null;

/** Starts a spreadsheet reads as a formula: a refund reason such as `=HYPERLINK(…)` must stay text. */
const FORMULA_START = /^[=+\-@\t\r]/;

export const csvCell = (value: CsvValue): string => {
  if (value === null) return '';
  // A number we wrote (an amount, a time) is data; only text can carry a formula.
  const text = typeof value === 'string' && FORMULA_START.test(value) ? `'${value}` : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

export const csvLine = (values: readonly CsvValue[]): string => `${values.map(csvCell).join(',')}\r\n`;

/**
 * A CSV body written page by page as `pages` yields them: the header at once, each page when it is read, so a long
 * export starts at once and never sits in memory whole. Stops reading when the client goes away. It begins with a
 * UTF-8 byte-order mark: without one, Excel reads the file in the system's code page and Korean text comes out garbled.
 */
export const csvStream = <T>(
  columns: readonly (keyof T & string)[],
  pages: AsyncIterator<readonly T[]>,
): ReadableStream<Uint8Array> => {
  const encoder = new TextEncoder();
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(`\ufeff${csvLine(columns)}`));
        return;
      }
      // A pull that enqueues nothing is not called again: read past empty pages until there is a row or the end.
      for (;;) {
        const page = await pages.next();
        if (page.done) {
          controller.close();
          return;
        }
        const rows = page.value.map((row) => csvLine(columns.map((column) => row[column] as CsvValue))).join('');
        if (rows) {
          controller.enqueue(encoder.encode(rows));
          return;
        }
      }
    },
    async cancel() {
      await pages.return?.();
    },
  });
};
