import { ArkErrors, type Type } from 'arktype';
import { createValidationError, toInvalidFields, type InvalidField } from './validation-error.js';

export type InputCheckResult<T> = { ok: true; value: T } | { ok: false; fields: InvalidField[] };

/** Checks `data` against an arktype schema without throwing. */
export function checkInput<T>(schema: Type<T>, data: unknown): InputCheckResult<T> {
  const out = schema(data);
  return out instanceof ArkErrors ? { ok: false, fields: toInvalidFields(out) } : { ok: true, value: out as T };
}

/**
 * The validated (and, for morphs, transformed) value, or a BAD_USER_INPUT error listing each
 * bad field. Resolvers call it first thing: bad input never reaches domain code.
 */
export function validateInput<T>(schema: Type<T>, data: unknown, message?: string): T {
  const out = schema(data);
  if (out instanceof ArkErrors) throw createValidationError(out, message);
  return out as T;
}

/** A reusable validator for one schema. */
export function createValidator<T>(schema: Type<T>, message?: string): (data: unknown) => T {
  return (data) => validateInput(schema, data, message);
}
