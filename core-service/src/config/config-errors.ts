import { CORE_ERRORS } from '../errors/core-errors.js';
import { GraphQLError } from '../errors/graphql-error.js';
import type { InvalidField } from '../validation/validation-error.js';

export type ConfigSource = 'env' | 'store' | 'default' | 'write';

/**
 * A config value that fails its schema, from wherever it came. Typed so start-up code can tell
 * a broken deployment (fail fast) from a transient store error (retry).
 */
export class ConfigValidationError extends GraphQLError {
  constructor(
    readonly service: string,
    readonly key: string,
    readonly configSource: ConfigSource,
    readonly fields: InvalidField[],
  ) {
    super(
      CORE_ERRORS.InvalidConfig,
      { service, key, source: configSource, fields },
      { message: `invalid config ${service}.${key} (from ${configSource}): ${fields.map((field) => `${field.path || '(value)'} ${field.message}`).join('; ')}` },
    );
    this.name = 'ConfigValidationError';
  }
}

export class ConfigNotFoundError extends GraphQLError {
  constructor(
    readonly service: string,
    readonly key: string,
  ) {
    super(CORE_ERRORS.NotFound, { service, key }, { message: `no config ${service}.${key}: not in env, store or defaults` });
    this.name = 'ConfigNotFoundError';
  }
}
