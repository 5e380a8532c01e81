import { isPayrailError, PayrailError } from '@payrail/core';

/**
 * Translates `pg` and socket errors into PayrailErrors at the store boundary, so nothing above the
 * store ever branches on a driver's error shape. The original error stays available as `cause`.
 */
export function toStoreError(error: unknown): PayrailError {
  if (isPayrailError(error)) return error;
  const sqlState = sqlStateOf(error);
  if (isConnectionFailure(error, sqlState)) {
    return new PayrailError('PAYRAIL_ERR_STORE_UNAVAILABLE', { cause: error });
  }
  if (sqlState === '28P01' || sqlState === '28000' || sqlState === '3D000') {
    // Wrong credentials or a database that does not exist: retrying will not help, the config must change.
    return new PayrailError('PAYRAIL_ERR_CONFIG', {
      message: `The database rejected the connection: ${messageOf(error)}`,
      cause: error,
    });
  }
  if (sqlState === '40001' || sqlState === '40P01') {
    // Serialization failure or deadlock: the same call can succeed when retried.
    return new PayrailError('PAYRAIL_ERR_INTERNAL', {
      message: 'A database transaction was aborted; retry.',
      cause: error,
    });
  }
  return new PayrailError('PAYRAIL_ERR_INTERNAL', {
    message: sqlState
      ? `Database error ${sqlState}: ${messageOf(error)}`
      : `Database error: ${messageOf(error)}`,
    retryable: false,
    cause: error,
  });
}

/** Whether `error` (a driver error, or a PayrailError caused by one) is a unique violation of `constraint`. */
export function violates(error: unknown, constraint: string): boolean {
  const driverError = isPayrailError(error) ? error.cause : error;
  return (
    sqlStateOf(driverError) === '23505' &&
    (driverError as { constraint?: unknown } | null)?.constraint === constraint
  );
}

/** The SQLSTATE of a server-side error (pg's DatabaseError), if it is one. */
export function sqlStateOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
]);

function isConnectionFailure(error: unknown, sqlState: string | undefined): boolean {
  if (sqlState) {
    // 08: connection exception; 53: insufficient resources (too many connections); 57P0x: server shutting down.
    return sqlState.startsWith('08') || sqlState.startsWith('53') || /^57P0[1-4]$/.test(sqlState);
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  // Node reports a refused dual-stack connect as an AggregateError holding one error per address.
  if (error instanceof AggregateError)
    return error.errors.some((inner) => isConnectionFailure(inner, undefined));
  const message = messageOf(error);
  return (
    message.includes('Connection terminated') ||
    message.includes('timeout exceeded when trying to connect') ||
    message.includes('Client has encountered a connection error')
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
