// Which database failures are the database's bad day rather than a bug: the server is down or
// restarting (answer 503 database_unavailable), or a bounded wait ran out (503 database_busy).
// Both say "try again with the same Idempotency-Key"; neither is a 500.
// SQLSTATEs: https://www.postgresql.org/docs/current/errcodes-appendix.html

export type DatabaseFailure = 'unavailable' | 'busy';

/** Serialization failure and deadlock: the transaction may simply be run again. */
export const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']);

const UNAVAILABLE_SQLSTATES = new Set([
  '57P01', // admin_shutdown: the server is shutting down (restart, failover)
  '57P02', // crash_shutdown: another backend crashed, the server restarts
  '57P03', // cannot_connect_now: starting up, or in recovery
  '53300', // too_many_connections
  '25006', // read_only_sql_transaction: connected to a standby (a failover under way)
]);

const BUSY_SQLSTATES = new Set([
  '55P03', // lock_not_available: lock_timeout
  '57014', // query_canceled: statement_timeout
  ...RETRYABLE_SQLSTATES, // still failing after the transaction helper's retries
]);

const NETWORK_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

// node-postgres and Kysely report a lost connection in words only
const UNAVAILABLE_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /is not queryable/,
  /^Postgres connection has been discarded/,
  /^Client was closed and is not queryable/,
];

function codeOf(error: object): string | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

export function databaseFailure(error: unknown, depth = 0): DatabaseFailure | null {
  if (typeof error !== 'object' || error === null || depth > 4) return null;
  const code = codeOf(error);
  if (code !== undefined) {
    if (code.startsWith('08') && code.length === 5) return 'unavailable'; // connection exception
    if (UNAVAILABLE_SQLSTATES.has(code) || NETWORK_ERRORS.has(code)) return 'unavailable';
    if (BUSY_SQLSTATES.has(code)) return 'busy';
  }
  if (error instanceof Error && UNAVAILABLE_MESSAGES.some((re) => re.test(error.message)))
    return 'unavailable';
  // Node's happy-eyeballs connect reports an AggregateError of each address's failure
  if (error instanceof AggregateError) {
    for (const inner of error.errors) {
      const failure = databaseFailure(inner, depth + 1);
      if (failure !== null) return failure;
    }
  }
  return error instanceof Error ? databaseFailure(error.cause, depth + 1) : null;
}

export function isRetryableTransactionError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = codeOf(error);
  return code !== undefined && RETRYABLE_SQLSTATES.has(code);
}
