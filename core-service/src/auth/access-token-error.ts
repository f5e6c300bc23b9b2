import { CORE_ERRORS } from '../errors/core-errors.js';
import { GraphQLError } from '../errors/graphql-error.js';

/**
 * Why a token was refused. Clients act differently on them: an expired token is refreshed, an
 * invalid one means logging in again. Everything that is not "expired" or "not yet valid" is
 * `TOKEN_INVALID`, deliberately without detail (which check failed helps only an attacker).
 */
export const ACCESS_TOKEN_REJECTIONS = {
  Expired: 'TOKEN_EXPIRED',
  NotYetValid: 'TOKEN_NOT_YET_VALID',
  Invalid: 'TOKEN_INVALID',
  Revoked: 'SESSION_REVOKED',
} as const;

export type AccessTokenRejection = (typeof ACCESS_TOKEN_REJECTIONS)[keyof typeof ACCESS_TOKEN_REJECTIONS];

/** `UNAUTHENTICATED` with `extensions.reason`, the one error verification throws. */
export class AccessTokenError extends GraphQLError {
  readonly reason: AccessTokenRejection;

  constructor(reason: AccessTokenRejection, cause?: unknown) {
    const message = reason === ACCESS_TOKEN_REJECTIONS.Expired ? 'Access token expired' : 'Invalid access token';
    super(CORE_ERRORS.Unauthenticated, { reason }, { message, cause });
    this.name = 'AccessTokenError';
    this.reason = reason;
  }
}
