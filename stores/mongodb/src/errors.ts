import { isPayrailError, PayrailError } from '@payrail/core';
import { MongoNetworkError, MongoServerError, MongoServerSelectionError } from 'mongodb';

/** MongoDB's duplicate key error code (a unique index, `_id` included, refused a write). */
export const DUPLICATE_KEY = 11000;

/**
 * Translates driver errors into PayrailErrors at the store boundary, so nothing above the store
 * branches on the driver's error shapes. The original error stays available as `cause`.
 */
export function toStoreError(error: unknown): PayrailError {
  if (isPayrailError(error)) return error;
  if (error instanceof MongoServerSelectionError || error instanceof MongoNetworkError) {
    return new PayrailError('PAYRAIL_ERR_STORE_UNAVAILABLE', { cause: error });
  }
  const code = codeOf(error);
  // 18 AuthenticationFailed, 13 Unauthorized: retrying will not help, the configuration must change.
  if (code === 18 || code === 13) {
    return new PayrailError('PAYRAIL_ERR_CONFIG', {
      message: `MongoDB rejected the credentials or the operation: ${messageOf(error)}`,
      cause: error,
    });
  }
  // 112 WriteConflict, 189 PrimarySteppedDown, 91 ShutdownInProgress, 10107 NotWritablePrimary: retryable.
  if (code === 112 || code === 189 || code === 91 || code === 10107) {
    return new PayrailError('PAYRAIL_ERR_STORE_UNAVAILABLE', { cause: error });
  }
  return new PayrailError('PAYRAIL_ERR_INTERNAL', {
    message:
      code === undefined
        ? `MongoDB error: ${messageOf(error)}`
        : `MongoDB error ${code}: ${messageOf(error)}`,
    retryable: false,
    cause: error,
  });
}

/** Whether `error` is a duplicate key error (also inside a bulk write). */
export function isDuplicateKey(error: unknown): boolean {
  return codeOf(error) === DUPLICATE_KEY;
}

function codeOf(error: unknown): number | undefined {
  if (error instanceof MongoServerError || (error as { code?: unknown } | null)?.code !== undefined) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'number' ? code : undefined;
  }
  return undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs a store operation, translating whatever the driver throws. */
export async function guarded<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw toStoreError(error);
  }
}

/** A malformed write is a bug in the caller and is refused whole, before anything is written. */
export const invalid = (message: string): PayrailError =>
  new PayrailError('PAYRAIL_ERR_INTERNAL', { message: `Invalid store write: ${message}`, retryable: false });

/** A `_id` digest matched a document of another key: refuse rather than answer with the wrong object. */
export const keyCollision = (kind: string, key: string): PayrailError =>
  new PayrailError('PAYRAIL_ERR_INTERNAL', {
    message: `MongoDB store: the _id digest of ${kind} "${key}" matches another ${kind}'s document`,
    retryable: false,
  });
