export { validateInput, checkInput, createValidator } from './validate-input.js';
export type { ValidationResult } from './validate-input.js';
export { createValidationError, toInvalidFields } from './validation-error.js';
export type { InvalidField } from './validation-error.js';
