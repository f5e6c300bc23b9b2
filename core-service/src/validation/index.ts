export { validateInput, checkInput, createValidator } from './validate-input.js';
export type { InputCheckResult } from './validate-input.js';
export { createValidationError, toInvalidFields } from './validation-error.js';
export type { InvalidField } from './validation-error.js';
