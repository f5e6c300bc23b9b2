import { CombinedGraphQLErrors } from '@apollo/client';

/** The stable code of the first GraphQL error (`extensions.code`), or undefined for network failures. */
export function errorCode(error: unknown): string | undefined {
  if (CombinedGraphQLErrors.is(error)) {
    const code = error.errors[0]?.extensions?.['code'];
    return typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
  }
  return undefined;
}

/** Whether the server answered with a decision (a GraphQL error), rather than the request failing on the way. */
export function isDefinitiveAnswer(error: unknown): boolean {
  if (!CombinedGraphQLErrors.is(error)) return false;
  const code = errorCode(error);
  return code !== 'INTERNAL_SERVER_ERROR' && code !== 'MSCoreServiceUnavailable' && code !== 'RATE_LIMITED';
}

/** A sentence for people from a GraphQL or network error: the page's own messages first, then common codes. */
export function describeError(error: unknown, messages: Readonly<Record<string, string>> = {}): string {
  const code = errorCode(error);
  if (code === undefined) return 'Could not reach the server. Check your connection and try again.';
  if (code === 'MSAuthWeakPassword' && CombinedGraphQLErrors.is(error)) {
    const problems = error.errors[0]?.extensions?.['problems'];
    if (Array.isArray(problems) && problems.length > 0) return `Choose another password: ${problems.map((p) => PASSWORD_PROBLEMS[String(p)] ?? String(p)).join('; ')}.`;
  }
  const own = messages[code] ?? COMMON_MESSAGES[code];
  if (own) return own;
  const message = CombinedGraphQLErrors.is(error) ? error.errors[0]?.message : undefined;
  return message ? `${message}` : 'Something went wrong. Please try again.';
}

const PASSWORD_PROBLEMS: Readonly<Record<string, string>> = {
  too_short: 'it is too short (at least 10 characters)',
  too_long: 'it is too long',
  too_common: 'it is one of the most common passwords',
  contains_email: 'it contains your email name',
};

const COMMON_MESSAGES: Readonly<Record<string, string>> = {
  UNAUTHENTICATED: 'Your session has ended. Please sign in again.',
  FORBIDDEN: 'You do not have permission to do that.',
  RATE_LIMITED: 'Too many requests right now. Wait a moment and try again.',
  QUERY_TOO_COMPLEX: 'That request asks for too much at once.',
  INTERNAL_SERVER_ERROR: 'Something went wrong on our side. Please try again.',
  MSCoreServiceUnavailable: 'The service is briefly unavailable. Please try again.',
  MSAuthInvalidCredentials: 'Email or password is not right.',
  MSAuthAccountLocked: 'This account is locked. Contact support.',
  MSAuthAccountSuspended: 'This account is suspended. Contact support.',
  MSAuthEmailTaken: 'An account with this email already exists. Sign in instead.',
  MSAuthWeakPassword: 'Choose a longer password (at least 10 characters, not a common one).',
  MSAuthOtpInvalid: 'That code is not right.',
  MSAuthOtpExpired: 'That code has expired. Ask for a new one.',
  MSAuthOtpAttemptsExceeded: 'Too many wrong codes. Ask for a new one.',
  MSAuthRoleNotFound: 'No role with that name.',
  MSAuthInvalidRole: 'The role is not valid.',
  MSAuthRoleNotAllowed: 'Only platform operators may assign or edit that role.',
  MSAuthUserNotFound: 'No such user.',
  BAD_USER_INPUT: 'Some of the input is not valid.',
};

/** The first error's message, for validation answers whose message says what is wrong (config, roles). */
export function serverMessage(error: unknown): string {
  if (CombinedGraphQLErrors.is(error)) return error.errors.map((e) => e.message).join(' ');
  return describeError(error);
}
