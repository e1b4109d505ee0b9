/**
 * @module Whether a ledger error says the connection to the database is gone: then a write sent on it may have
 * committed (its COMMIT's answer lost) or not, and nobody can tell from here. postgres.ts writes nothing more on such a
 * connection; event-writes.ts does not run such a write again.
 */

/** Node's socket errors that mean the connection to the server is gone. */
const SOCKET_GONE = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Whether `error` says the connection itself is gone (the driver's CONNECTION_CLOSED and kin, a socket error, the server
 * ending the session: class 08, 57P01 to 57P05, a FATAL), not that a statement failed on a connection still open.
 */
export const connectionGone = (error: unknown): boolean => {
  if (typeof error !== 'object' || error === null) return false;
  const code = 'code' in error ? String(error.code) : '';
  const severity = 'severity' in error ? String(error.severity) : '';
  return (
    code.startsWith('CONNECTION_') ||
    code === 'CONNECT_TIMEOUT' ||
    code.startsWith('08') ||
    code.startsWith('57P') ||
    SOCKET_GONE.has(code) ||
    severity === 'FATAL' ||
    severity === 'PANIC'
  );
};
