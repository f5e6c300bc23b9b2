import { GraphQLScalarType, Kind, print, type ValueNode } from 'graphql';
import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import { CORE_ERRORS } from '../errors/core-errors.js';
import { createServiceError } from '../errors/graphql-error.js';

/**
 * Money: an integer count of the currency's minor unit, a JavaScript safe integer, never a
 * float and never a string (ARCHITECTURE.md, Data). Hand-written instead of graphql-scalars'
 * `SafeInt`: that one accepts numeric strings on input, and money must fail loudly on "10"
 * rather than guess; it also reports BAD_USER_INPUT here, not a bare TypeError.
 */
export const AmountScalar = new GraphQLScalarType<number, number>({
  name: 'Amount',
  description: 'An integer count of the currency minor unit (cents); a JavaScript safe integer.',
  serialize(value) {
    // Output: a non-integer here is a bug in our own code, so a plain error (masked, logged).
    if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
    if (typeof value === 'bigint' && value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)) {
      return Number(value);
    }
    throw new TypeError(`Amount cannot represent ${describe(value)}: not a safe integer`);
  },
  parseValue(value) {
    if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
    throw amountInputError(describe(value));
  },
  parseLiteral(node) {
    if (node.kind === Kind.INT) {
      const value = Number(node.value);
      if (Number.isSafeInteger(value)) return value;
    }
    throw amountInputError(print(node));
  },
});

function amountInputError(shown: string): Error {
  return createServiceError(CORE_ERRORS.BadUserInput, `Amount must be a safe integer count of minor units, got ${shown}`, { scalar: 'Amount' });
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  return String(value);
}

/**
 * Re-badges a library scalar's input errors as BAD_USER_INPUT. graphql-scalars throws bare
 * GraphQLErrors without a code, which the error formatter would otherwise treat as unknown.
 */
function withInputErrorCode(scalar: GraphQLScalarType): GraphQLScalarType {
  const config = scalar.toConfig();
  const rethrow = (error: unknown): never => {
    throw createServiceError(CORE_ERRORS.BadUserInput, error instanceof Error ? error.message : `Invalid ${config.name}`, { scalar: config.name });
  };
  return new GraphQLScalarType({
    ...config,
    parseValue(value) {
      try {
        return config.parseValue ? config.parseValue(value) : value;
      } catch (error) {
        return rethrow(error);
      }
    },
    parseLiteral(node: ValueNode, variables) {
      try {
        return config.parseLiteral ? config.parseLiteral(node, variables) : undefined;
      } catch (error) {
        return rethrow(error);
      }
    },
  });
}

/** ISO-8601 date-time; resolvers receive and may return `Date`s. */
export const DateTimeScalar = withInputErrorCode(DateTimeResolver);

/** Any JSON value. */
export const JSONScalar = withInputErrorCode(JSONResolver);

/** The standard scalars every subgraph gets, by schema name. */
export const STANDARD_SCALARS: Readonly<Record<string, GraphQLScalarType>> = {
  Amount: AmountScalar,
  DateTime: DateTimeScalar,
  JSON: JSONScalar,
};
