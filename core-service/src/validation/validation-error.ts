import { ArkErrors } from 'arktype';
import { CORE_ERRORS } from '../errors/core-errors.js';
import { createServiceError, type GraphQLError } from '../errors/graphql-error.js';

/** One rejected field, as the client receives it in `extensions.fields`. */
export interface InvalidField {
  /** Dotted path (`nested.amount`, `tags[0]`); empty for the value as a whole. */
  path: string;
  message: string;
  /** arktype's reason code (`domain`, `pattern`, `required`, ...). */
  code: string;
}

/**
 * Turns arktype's errors into one field entry per problem. The offending value is cut from the
 * message ("(was ...)"): inputs can hold secrets, and error payloads end up in logs.
 */
export function toInvalidFields(errors: ArkErrors): InvalidField[] {
  return [...errors].map((error) => ({
    path: error.propString,
    message: error.problem.replace(/\s*\(was [\s\S]*\)$/, ''),
    code: error.code,
  }));
}

/** BAD_USER_INPUT listing every bad field (`extensions.fields`). */
export function createValidationError(errors: ArkErrors | InvalidField[], message = 'Invalid input'): GraphQLError {
  const fields = errors instanceof ArkErrors ? toInvalidFields(errors) : errors;
  return createServiceError(CORE_ERRORS.BadUserInput, message, { fields });
}
