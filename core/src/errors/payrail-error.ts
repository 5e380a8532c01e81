import { ERROR_CATALOGUE, type ErrorCategory, type ErrorCode } from './catalogue';

export interface PayrailErrorOptions {
  /** What exactly went wrong and how to fix it; defaults to the catalogue message. */
  message?: string;
  /** The request field at fault, as a dotted path (`customer.email`). */
  param?: string;
  /** True when the provider may or may not have acted (e.g. a timeout after sending). */
  outcomeUnknown?: boolean;
  /** Overrides the catalogue's retryability for this occurrence. */
  retryable?: boolean;
  cause?: unknown;
  /** Extra machine-readable detail, safe to show to the merchant. */
  details?: Record<string, unknown>;
}

/** A failure (never a decline: declines are data). Carries a stable code from the catalogue. */
export class PayrailError extends Error {
  override readonly name = 'PayrailError';
  readonly code: ErrorCode;
  readonly category: ErrorCategory;
  readonly retryable: boolean;
  readonly outcomeUnknown: boolean;
  readonly param: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, options: PayrailErrorOptions = {}) {
    const entry = ERROR_CATALOGUE[code];
    super(
      options.message ?? entry.message,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
    this.category = entry.category;
    this.retryable = options.retryable ?? entry.retryable;
    this.outcomeUnknown = options.outcomeUnknown ?? false;
    this.param = options.param;
    this.details = options.details;
  }
}

export const isPayrailError = (value: unknown): value is PayrailError => value instanceof PayrailError;

export const isPayrailErrorCode = (value: unknown, code: ErrorCode): boolean =>
  isPayrailError(value) && value.code === code;
