/**
 * @module stdoutLog(): the request log for Node, one JSON line per event, written to stdout in batches.
 * Node writes to a file or a pipe synchronously, one system call per write; under load that was a request's
 * largest single cost after the socket itself. Lines of one turn of the event loop go out in one write, and
 * whatever is pending is written when the process exits.
 */
import { formatLogLine } from '../log-line.ts';

export const stdoutLog = (out: NodeJS.WritableStream = process.stdout): ((line: Record<string, unknown>) => void) => {
  let pending = '';
  const flush = (): void => {
    if (pending === '') return;
    const chunk = pending;
    pending = '';
    out.write(chunk);
  };
  process.on('exit', flush);
  return (line) => {
    if (pending === '') setImmediate(flush);
    pending += `${formatLogLine(line)}\n`;
  };
};
