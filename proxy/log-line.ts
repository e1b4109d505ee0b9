/** @module The log's shape on every runtime: one JSON line per event, the time first, then the event's fields. */

export type Log = (line: Record<string, unknown>) => void;

export const formatLogLine = (line: Record<string, unknown>): string =>
  JSON.stringify({ time: new Date().toISOString(), ...line });

/** Each line written at once with console.log: for Deno, Bun and Workers, and start-up warnings on Node. */
export const consoleLog: Log = (line) => console.log(formatLogLine(line));
