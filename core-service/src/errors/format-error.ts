import { GraphQLError as BaseGraphQLError, type GraphQLFormattedError } from 'graphql';
import { getCorrelationId } from '../logger/correlation.js';
import { getLogger } from '../logger/logger.js';
import { CORE_ERRORS } from './core-errors.js';
import { isRegisteredErrorCode } from './registry.js';

export const MASKED_ERROR_MESSAGE = 'Internal server error';

/**
 * Decides what a client sees. Errors the code raised on purpose (a `GraphQLError` with a
 * registered code other than INTERNAL_SERVER_ERROR) and graphql-js's own query errors (syntax,
 * validation: no original error) go out as they are. An unreachable database or Redis is
 * MSCoreServiceUnavailable with `retryable: true`. Anything else — a bug, an unexpected driver
 * error, an unregistered code — is logged whole with the correlation id and reaches the client as
 * INTERNAL_SERVER_ERROR carrying only that id, so support can find the log line.
 *
 * Signature matches Apollo Server's `formatError(formattedError, error)`; other servers can
 * call it the same way.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapOriginalError(error);
  if (isClientSafe(error, original)) {
    const { extensions, ...rest } = formatted;
    // Never ship stack traces, whatever the server's debug setting.
    // `http` is an instruction to the HTTP layer (Apollo strips it there); never shown to clients.
    const { stacktrace: _stacktrace, exception: _exception, http: _http, ...safeExtensions } = extensions ?? {};
    return { ...rest, extensions: safeExtensions };
  }

  const correlationId = getCorrelationId();
  if (isUnavailableDependency(original ?? error)) {
    getLogger().warn({ err: original ?? error, path: formatted.path, correlationId }, 'a dependency was unreachable; answered as retryable');
    return {
      message: 'A service this operation needs is unreachable right now; retry it (a money operation with the same idempotency key)',
      ...(formatted.locations !== undefined ? { locations: formatted.locations } : {}),
      ...(formatted.path !== undefined ? { path: formatted.path } : {}),
      extensions: { code: CORE_ERRORS.ServiceUnavailable, retryable: true, ...(correlationId !== undefined ? { correlationId } : {}) },
    };
  }
  getLogger().error({ err: original ?? error, path: formatted.path, correlationId }, 'internal error masked for the client');
  return {
    message: MASKED_ERROR_MESSAGE,
    ...(formatted.locations !== undefined ? { locations: formatted.locations } : {}),
    ...(formatted.path !== undefined ? { path: formatted.path } : {}),
    extensions: {
      code: CORE_ERRORS.InternalServerError,
      ...(correlationId !== undefined ? { correlationId } : {}),
    },
  };
}

/**
 * The database or Redis could not be reached (a failover, a restart, a network cut): nothing is
 * wrong with the request, and the same request can succeed in a moment. Recognised by the
 * drivers' error names and labels, so this module needs neither driver. An unknown commit result
 * is included: it may have committed, which is why money mutations are retried with their
 * idempotency key, which replays the first result.
 */
const UNAVAILABLE_ERROR_NAMES = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MaxRetriesPerRequestError',
]);
const UNAVAILABLE_ERROR_LABELS = ['TransientTransactionError', 'RetryableWriteError', 'UnknownTransactionCommitResult'];

function isUnavailableDependency(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (UNAVAILABLE_ERROR_NAMES.has(error.name)) return true;
  const labelled = error as Error & { hasErrorLabel?: (label: string) => boolean };
  return typeof labelled.hasErrorLabel === 'function' && UNAVAILABLE_ERROR_LABELS.some((label) => labelled.hasErrorLabel!(label));
}

/** True when the error is safe to show to a client unchanged. */
export function isClientSafeError(error: unknown): boolean {
  return isClientSafe(error, unwrapOriginalError(error));
}

function isClientSafe(error: unknown, original: unknown): boolean {
  // A GraphQLError thrown by a resolver arrives wrapped by graphql-js, with itself as original.
  const candidate = original ?? error;
  if (!(candidate instanceof BaseGraphQLError)) return false;
  const code = candidate.extensions['code'];
  if (isRegisteredErrorCode(code)) return code !== CORE_ERRORS.InternalServerError;
  // graphql-js's own syntax and validation errors wrap nothing and only describe the query.
  return original === undefined && candidate.originalError == null;
}

function unwrapOriginalError(error: unknown): unknown {
  let current = error;
  // graphql-js wraps resolver errors (possibly more than once through federation layers).
  for (let depth = 0; depth < 5; depth += 1) {
    if (current instanceof BaseGraphQLError && current.originalError != null) current = current.originalError;
    else break;
  }
  return current === error ? undefined : current;
}
