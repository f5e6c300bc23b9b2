import { GraphQLError as BaseGraphQLError, graphql, buildSchema } from 'graphql';
import { MongoClient, MongoNetworkError, MongoServerError } from 'mongodb';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CORE_ERRORS,
  createServiceError,
  errorCodes,
  formatError,
  getErrorCode,
  getErrorCodes,
  GraphQLError,
  isRegisteredErrorCode,
  MASKED_ERROR_MESSAGE,
  registerServiceErrorCodes,
} from '../../src/errors/index.js';
import { configureLogger, runWithCorrelationId } from '../../src/logger/index.js';
import { createLogCapture } from '../logger/log-capture.js';

const AUTH_ERRORS = {
  UserNotFound: 'MSAuthUserNotFound',
  InvalidToken: 'MSAuthInvalidToken',
} as const;
const AUTH_ERROR_CODES = Object.values(AUTH_ERRORS) as readonly string[];

afterEach(() => {
  configureLogger({ level: 'silent' });
});

/** Runs a query through graphql-js so errors arrive wrapped exactly as a server sees them. */
async function executeWithError(thrown: unknown) {
  const schema = buildSchema('type Query { user: String }');
  const result = await graphql({
    schema,
    source: '{ user }',
    rootValue: {
      user: () => {
        throw thrown;
      },
    },
  });
  const error = result.errors?.[0];
  if (error === undefined) throw new Error('expected an error');
  return { error, formatted: error.toJSON() };
}

describe('error codes', () => {
  it('lists the standard codes and every registered service code once', () => {
    for (const code of ['UNAUTHENTICATED', 'FORBIDDEN', 'BAD_USER_INPUT', 'NOT_FOUND', 'INTERNAL_SERVER_ERROR', 'RATE_LIMITED', 'QUERY_TOO_COMPLEX']) {
      expect(errorCodes).toContain(code);
    }
    registerServiceErrorCodes(AUTH_ERROR_CODES);
    registerServiceErrorCodes(AUTH_ERRORS);
    expect(getErrorCodes().filter((code) => code === 'MSAuthUserNotFound')).toHaveLength(1);
    expect(isRegisteredErrorCode('MSAuthInvalidToken')).toBe(true);
    expect(isRegisteredErrorCode('MSUnknown')).toBe(false);
  });

  it('builds GraphQL errors whose code is in extensions', () => {
    const error = new GraphQLError(AUTH_ERRORS.UserNotFound, { userId: 'u1' });
    expect(error).toBeInstanceOf(BaseGraphQLError);
    expect(error.message).toBe('MSAuthUserNotFound');
    expect(error.extensions).toEqual({ userId: 'u1', code: 'MSAuthUserNotFound' });
    const withMessage = createServiceError(CORE_ERRORS.NotFound, 'Wallet not found', { walletId: 'w1' });
    expect(withMessage.message).toBe('Wallet not found');
    expect(getErrorCode(withMessage)).toBe('NOT_FOUND');
  });
});

describe('formatError', () => {
  it('passes a registered error through, without stack traces', async () => {
    registerServiceErrorCodes(AUTH_ERROR_CODES);
    const { error, formatted } = await executeWithError(new GraphQLError(AUTH_ERRORS.InvalidToken, { reason: 'expired' }));
    const out = formatError({ ...formatted, extensions: { ...formatted.extensions, stacktrace: ['at x'] } }, error);
    expect(out.message).toBe('MSAuthInvalidToken');
    expect(out.extensions).toEqual({ code: 'MSAuthInvalidToken', reason: 'expired' });
  });

  it('masks an internal error for the client and logs it whole with the correlation id', async () => {
    const capture = createLogCapture();
    configureLogger({ level: 'info', destination: capture.stream });
    const { error, formatted } = await executeWithError(new Error('E11000 duplicate key: mongodb://user:pw@db'));

    const out = runWithCorrelationId('corr-42', () => formatError(formatted, error));
    expect(out.message).toBe(MASKED_ERROR_MESSAGE);
    expect(out.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', correlationId: 'corr-42' });
    expect(JSON.stringify(out)).not.toContain('E11000');
    expect(out.path).toEqual(['user']);

    expect(capture.lines).toHaveLength(1);
    expect(capture.lines[0]).toMatchObject({ level: 50, correlationId: 'corr-42' });
    expect(JSON.stringify(capture.lines[0])).toContain('E11000 duplicate key');
  });

  it('answers an unreachable database or Redis as retryable MSCoreServiceUnavailable, without its details', async () => {
    // A real driver failure: nothing listens on port 1.
    const client = new MongoClient('mongodb://user:pw@127.0.0.1:1/?serverSelectionTimeoutMS=100');
    const selection = await client
      .db('x')
      .command({ ping: 1 })
      .then(
        () => undefined,
        (error: Error) => error,
      );
    await client.close();
    expect(selection?.name).toBe('MongoServerSelectionError');
    const conflict = new MongoServerError({ errmsg: 'WriteConflict', code: 112 });
    conflict.addErrorLabel('TransientTransactionError');
    const unreachable = [
      selection!,
      new MongoNetworkError('connection 4 to 10.0.0.5:27017 closed'),
      conflict,
      Object.assign(new Error('Reached the max retries per request limit'), { name: 'MaxRetriesPerRequestError' }),
    ];
    for (const cause of unreachable) {
      const { error, formatted } = await executeWithError(cause);
      const out = runWithCorrelationId('corr-7', () => formatError(formatted, error));
      expect(out.extensions, cause.name).toEqual({ code: 'MSCoreServiceUnavailable', retryable: true, correlationId: 'corr-7' });
      expect(JSON.stringify(out)).not.toMatch(/10\.0\.0\.5|127\.0\.0\.1|WriteConflict/);
    }
    // A server error without a transient label is a bug or a broken invariant, not an outage.
    const duplicate = await executeWithError(new MongoServerError({ errmsg: 'E11000 duplicate key', code: 11000 }));
    expect(formatError(duplicate.formatted, duplicate.error).extensions?.['code']).toBe('INTERNAL_SERVER_ERROR');
  });

  it('masks unregistered codes and explicit INTERNAL_SERVER_ERROR errors', async () => {
    const unregistered = await executeWithError(new GraphQLError('MSNeverRegistered'));
    expect(formatError(unregistered.formatted, unregistered.error).message).toBe(MASKED_ERROR_MESSAGE);
    const internal = await executeWithError(createServiceError(CORE_ERRORS.InternalServerError, 'db password wrong'));
    expect(formatError(internal.formatted, internal.error).message).toBe(MASKED_ERROR_MESSAGE);
  });

  it('passes graphql-js query errors (syntax, validation) through', async () => {
    const schema = buildSchema('type Query { user: String }');
    const result = await graphql({ schema, source: '{ nope }' });
    const error = result.errors?.[0];
    if (error === undefined) throw new Error('expected a validation error');
    expect(formatError(error.toJSON(), error).message).toContain('nope');
  });
});
