/**
 * The auth-service's error codes: data, registered once at start-up (`registerServiceErrorCodes`)
 * and listed by `query { errorCodes }`.
 */
export const AUTH_ERRORS = {
  /** Unknown email or wrong password: one code for both, so it cannot tell which accounts exist. */
  InvalidCredentials: 'MSAuthInvalidCredentials',
  EmailTaken: 'MSAuthEmailTaken',
  WeakPassword: 'MSAuthWeakPassword',
  /** Too many failed logins for this account (or this address); carries `retryAfterSeconds`. */
  AccountLocked: 'MSAuthAccountLocked',
  AccountSuspended: 'MSAuthAccountSuspended',
  InvalidRefreshToken: 'MSAuthInvalidRefreshToken',
  RefreshTokenReused: 'MSAuthRefreshTokenReused',
  SessionRevoked: 'MSAuthSessionRevoked',
  OtpInvalid: 'MSAuthOtpInvalid',
  OtpExpired: 'MSAuthOtpExpired',
  OtpAttemptsExceeded: 'MSAuthOtpAttemptsExceeded',
  UserNotFound: 'MSAuthUserNotFound',
  RoleNotFound: 'MSAuthRoleNotFound',
  /** The caller may not grant this role or permission (e.g. a tenant admin and `system`, or `*:*:*`). */
  RoleNotAllowed: 'MSAuthRoleNotAllowed',
  InvalidRole: 'MSAuthInvalidRole',
  TenantNotFound: 'MSAuthTenantNotFound',
  TenantExists: 'MSAuthTenantExists',
  InvalidToken: 'MSAuthInvalidToken',
  TokenExpired: 'MSAuthTokenExpired',
} as const;

export type AuthErrorCode = (typeof AUTH_ERRORS)[keyof typeof AUTH_ERRORS];

export const AUTH_ERROR_CODES = Object.values(AUTH_ERRORS) as readonly string[];
