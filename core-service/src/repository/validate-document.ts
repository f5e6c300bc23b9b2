import { ArkErrors } from 'arktype';
import type { Logger } from '../logger/index.js';
import { createValidationError, toInvalidFields } from '../validation/index.js';

/** Any arktype type: called with data, returns the data or `ArkErrors`. */
export interface DocumentSchema {
  (data: unknown): unknown;
  /** Object types have it; used to check the fields an update sets. */
  partial?: () => DocumentSchema;
}

/**
 * `log`: a document that fails the schema is written anyway and a warning names each bad field
 * (soft validation while a schema is being introduced over existing data). `throw`: it is
 * rejected with BAD_USER_INPUT listing each bad field. `off`: the schema is not consulted.
 */
export type ValidationMode = 'off' | 'log' | 'throw';

/**
 * Checks `data` against `schema` without using arktype's output: validation here only ever
 * judges a document, it never rewrites one (a morph in a schema would otherwise change what is
 * stored depending on the mode). Field lists come from the SDK's validation module, so clients
 * and logs see the same shape as for resolver input (offending values left out).
 */
export function validateDocument(
  schema: DocumentSchema,
  data: unknown,
  mode: ValidationMode,
  where: { collection: string; operation: string; logger: Logger },
): void {
  if (mode === 'off') return;
  const outcome = schema(data);
  if (!(outcome instanceof ArkErrors)) return;
  const fields = toInvalidFields(outcome);
  if (mode === 'throw') throw createValidationError(fields, `invalid ${where.collection} document`);
  where.logger.warn(
    { collection: where.collection, operation: where.operation, fields },
    'document failed schema validation; written anyway',
  );
}
