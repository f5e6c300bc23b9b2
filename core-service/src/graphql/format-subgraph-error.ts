import { GraphQLError as BaseGraphQLError, type GraphQLFormattedError } from 'graphql';
import { CORE_ERRORS } from '../errors/core-errors.js';
import { formatError } from '../errors/format-error.js';
import { isRegisteredErrorCode } from '../errors/registry.js';
import { getCorrelationId } from '../logger/correlation.js';

/**
 * Apollo Server's own request errors: they describe the client's document or variables, never
 * our internals. Apollo wraps graphql-js's error in its own class with the original as
 * `originalError`, which the SDK formatter cannot tell from a wrapped resolver failure, so they
 * are recognised here by code (and by having no `path`: nothing was executed yet).
 */
const APOLLO_REQUEST_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/**
 * The subgraph's `formatError`: the SDK's `formatError` (registered codes pass, everything else
 * is masked and logged whole) with two additions: every error carries the request's
 * `correlationId`, and a registered code raised by our own code during validation (e.g.
 * `Amount` rejecting the literal `1.5`: BAD_USER_INPUT) wins over Apollo's generic
 * GRAPHQL_VALIDATION_FAILED.
 */
export function formatSubgraphError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const correlationId = getCorrelationId();
  const apolloCode = formatted.extensions?.['code'];
  let result: GraphQLFormattedError;
  if (formatted.path === undefined && typeof apolloCode === 'string' && APOLLO_REQUEST_ERROR_CODES.has(apolloCode)) {
    const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
    const ownCode = innermostRegisteredCode(error);
    result = { ...formatted, extensions: { ...extensions, ...(ownCode !== undefined ? { code: ownCode } : {}) } };
  } else {
    result = formatError(formatted, error);
  }
  return correlationId === undefined ? result : { ...result, extensions: { ...result.extensions, correlationId } };
}

function innermostRegisteredCode(error: unknown): string | undefined {
  let found: string | undefined;
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof BaseGraphQLError; depth += 1) {
    const code = current.extensions['code'];
    if (isRegisteredErrorCode(code) && code !== CORE_ERRORS.InternalServerError) found = code;
    current = current.originalError;
  }
  return found;
}
