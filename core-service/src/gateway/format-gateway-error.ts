import { GraphQLError as BaseGraphQLError, type GraphQLFormattedError } from 'graphql';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { formatError } from '../errors/format-error.js';

/**
 * core-service's `formatError` plus one case it cannot know: an error a subgraph returned. Apollo
 * Gateway rebuilds it with the subgraph's JSON error as `originalError` (a plain object, not an
 * Error). The subgraph already masked it with `formatSubgraphError`, so its code and message are
 * what that service chose to tell clients and go out unchanged (minus any stack trace); the
 * gateway masks only what went wrong in the gateway itself.
 */
export function formatGatewayError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  if (error instanceof BaseGraphQLError && isSubgraphError(error.originalError)) {
    const { stacktrace: _stacktrace, exception: _exception, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  // Apollo Server's own request errors (parse, validation, introspection off, persisted query
  // misses) describe only the request; core formatError does not know their codes.
  const code = formatted.extensions?.['code'];
  if (typeof code === 'string' && APOLLO_REQUEST_ERROR_CODES.has(code)) {
    const { stacktrace: _stacktrace, exception: _exception, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  return formatError(formatted, error);
}

const APOLLO_REQUEST_ERROR_CODES = new Set<string>(Object.values(ApolloServerErrorCode).filter((code) => code !== ApolloServerErrorCode.INTERNAL_SERVER_ERROR));

function isSubgraphError(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || value instanceof Error) return false;
  const extensions = (value as { extensions?: { code?: unknown } }).extensions;
  return typeof extensions?.code === 'string';
}
