import { type } from 'arktype';
import { CORE_ERRORS, createServiceError } from '../errors/index.js';
import type { Logger } from '../logger/index.js';

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

export interface FieldProblem {
  path: string;
  message: string;
}

/**
 * Checks `data` against `schema` without using arktype's output: validation here only ever
 * judges a document, it never rewrites one (a morph in a schema would otherwise change what is
 * stored depending on the mode).
 */
export function validateDocument(
  schema: DocumentSchema,
  data: unknown,
  mode: ValidationMode,
  where: { collection: string; operation: string; logger: Logger },
): void {
  if (mode === 'off') return;
  const outcome = schema(data);
  if (!(outcome instanceof type.errors)) return;
  const fields: FieldProblem[] = outcome.map((problem) => ({
    path: problem.path.join('.') || '(document)',
    message: problem.message,
  }));
  if (mode === 'throw') {
    throw createServiceError(CORE_ERRORS.BadUserInput, `invalid ${where.collection} document: ${outcome.summary}`, {
      collection: where.collection,
      fields,
    });
  }
  where.logger.warn({ collection: where.collection, operation: where.operation, fields }, 'document failed schema validation; written anyway');
}
