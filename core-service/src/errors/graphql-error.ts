import { GraphQLError as BaseGraphQLError, type GraphQLErrorOptions } from 'graphql';

/**
 * The SDK's error: a graphql-js `GraphQLError` whose first argument is a registered code, as the
 * brief writes it (`throw new GraphQLError(AUTH_ERRORS.UserNotFound, { userId })`). The code goes
 * to `extensions.code`; the second argument becomes the other extensions. Extending graphql-js's
 * class (not a parallel hierarchy) keeps it recognised by every GraphQL server and by
 * `instanceof` checks in graphql-js itself.
 */
export class GraphQLError extends BaseGraphQLError {
  readonly code: string;

  constructor(code: string, extensions: Readonly<Record<string, unknown>> = {}, options: { message?: string; cause?: unknown } & Omit<GraphQLErrorOptions, 'extensions' | 'originalError'> = {}) {
    const { message, cause, ...rest } = options;
    super(message ?? code, {
      ...rest,
      ...(cause instanceof Error ? { originalError: cause } : {}),
      extensions: { ...extensions, code },
    });
    this.code = code;
    this.name = 'GraphQLError';
  }
}

/** `new GraphQLError(code, extensions, { message })` for call sites that want a readable message. */
export function createServiceError(code: string, message?: string, extensions: Readonly<Record<string, unknown>> = {}, cause?: unknown): GraphQLError {
  return new GraphQLError(code, extensions, { ...(message !== undefined ? { message } : {}), cause });
}

/** The code of any error: `extensions.code` of a GraphQLError, else undefined. */
export function getErrorCode(error: unknown): string | undefined {
  if (error instanceof BaseGraphQLError) {
    const code = error.extensions['code'];
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
