import { GraphQLError } from 'core-service';
import type { AuthErrorCode } from '../error-codes.js';

/** `new GraphQLError(code, extensions, { message })` with the auth-service's codes. */
export function authError(code: AuthErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(code, extensions, { message });
}

/** MongoDB's duplicate-key error, whatever wraps it. */
export function isDuplicateKeyError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;
}
