import { CORE_ERRORS, createServiceError, type GraphQLError } from '../errors/index.js';

/** A client mistake in pagination arguments: `BAD_USER_INPUT`, with the argument in the extensions. */
export function badUserInput(message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return createServiceError(CORE_ERRORS.BadUserInput, message, extensions);
}
