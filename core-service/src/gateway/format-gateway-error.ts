import { GraphQLError as BaseGraphQLError, type GraphQLFormattedError } from 'graphql';
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
  return formatError(formatted, error);
}

function isSubgraphError(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || value instanceof Error) return false;
  const extensions = (value as { extensions?: { code?: unknown } }).extensions;
  return typeof extensions?.code === 'string';
}
