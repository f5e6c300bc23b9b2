/**
 * Codes every service shares. Error codes are data: a const object per service, registered once
 * with `registerServiceErrorCodes`, listed by `errorCodes`.
 */
export const CORE_ERRORS = {
  Unauthenticated: 'UNAUTHENTICATED',
  Forbidden: 'FORBIDDEN',
  BadUserInput: 'BAD_USER_INPUT',
  NotFound: 'NOT_FOUND',
  InternalServerError: 'INTERNAL_SERVER_ERROR',
  RateLimited: 'RATE_LIMITED',
  QueryTooComplex: 'QUERY_TOO_COMPLEX',
  BatchTooLarge: 'BATCH_TOO_LARGE',
  InvalidConfig: 'MSCoreInvalidConfig',
  ServiceUnavailable: 'MSCoreServiceUnavailable',
  /** A transaction kept colliding with concurrent writers past its retry budget; safe to retry (`extensions.retryable`). */
  TransactionConflict: 'MSCoreTransactionConflict',
} as const;

export type CoreErrorCode = (typeof CORE_ERRORS)[keyof typeof CORE_ERRORS];

export const CORE_ERROR_CODES = Object.values(CORE_ERRORS) as readonly string[];
