export { CORE_ERRORS, CORE_ERROR_CODES } from './core-errors.js';
export type { CoreErrorCode } from './core-errors.js';
export { registerServiceErrorCodes, getErrorCodes, errorCodes, isRegisteredErrorCode } from './registry.js';
export { GraphQLError, createServiceError, getErrorCode } from './graphql-error.js';
export { formatError, isClientSafeError, MASKED_ERROR_MESSAGE } from './format-error.js';
