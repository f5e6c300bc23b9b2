import { Decimal128, Double, Int32, Long, ObjectId, type Timestamp } from 'bson';
import { ErrorCode, MongoCommandError } from '../../../errors.js';
import { decimalFromDecimal128, decimalFromDoubleForArithmetic, decimalToBigInt, decimalToDecimal128, decimalToNumber, parseDecimalString } from '../../values/decimal.js';
import { INT64_MAX, INT64_MIN, NumericWidth, isNumeric, numericWidth, toDouble, longToBigInt, longFromBigInt } from '../../values/numeric.js';
import { BsonType, bsonTypeAlias, bsonTypeCode, isPlainDocument } from '../../values/type-order.js';
import { expressionError, requireArgumentCount, typeNameForError } from '../expression-errors.js';
import { operandList, type CompiledExpression, type OperatorTable } from '../expression-types.js';

/**
 * Type conversion expressions ($convert and its $toX shorthands) with MongoDB's rules: null or
 * missing input gives null, an impossible conversion fails with ConversionFailure (241) unless
 * $convert supplies onError.
 */
type Target = 'double' | 'string' | 'objectId' | 'bool' | 'date' | 'int' | 'long' | 'decimal';

const TARGET_BY_CODE: Record<number, Target> = {
  1: 'double',
  2: 'string',
  7: 'objectId',
  8: 'bool',
  9: 'date',
  16: 'int',
  18: 'long',
  19: 'decimal',
};

function conversionFailure(message: string): MongoCommandError {
  return new MongoCommandError(ErrorCode.ConversionFailure, message);
}

function cannotConvert(value: unknown, target: Target): MongoCommandError {
  return conversionFailure(`Unsupported conversion from ${typeNameForError(value)} to ${target} in $convert with no onError value`);
}

/** MongoDB prints doubles like the shell: integral values without a fraction, others shortest round-trip. */
export function doubleToString(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  if (Object.is(value, -0)) return '-0';
  return String(value);
}

export function convertValue(value: unknown, target: Target): unknown {
  const code = bsonTypeCode(value);
  switch (target) {
    case 'string':
      switch (code) {
        case BsonType.string:
          return value;
        case BsonType.int:
          return String((value as Int32).value);
        case BsonType.long:
          return (value as Long).toString();
        case BsonType.double:
          return doubleToString(toDouble(value));
        case BsonType.decimal:
          return (value as Decimal128).toString();
        case BsonType.bool:
          return value ? 'true' : 'false';
        case BsonType.objectId:
          return (value as ObjectId).toHexString();
        case BsonType.date:
          return (value as Date).toISOString();
        case BsonType.symbol:
          return (value as { value: string }).value;
        default:
          throw cannotConvert(value, target);
      }
    case 'bool':
      if (code === BsonType.bool) return value;
      if (isNumeric(value)) return toDouble(value) !== 0;
      return true;
    case 'int': {
      const integer = toIntegerForConversion(value, target);
      if (integer < -2147483648n || integer > 2147483647n) {
        throw conversionFailure(`Conversion would overflow target type in $convert with no onError value: ${String(integer)}`);
      }
      return new Int32(Number(integer));
    }
    case 'long': {
      const integer = toIntegerForConversion(value, target);
      if (integer < INT64_MIN || integer > INT64_MAX) {
        throw conversionFailure(`Conversion would overflow target type in $convert with no onError value: ${String(integer)}`);
      }
      return longFromBigInt(integer);
    }
    case 'double':
      switch (code) {
        case BsonType.bool:
          return new Double(value ? 1 : 0);
        case BsonType.date:
          return new Double((value as Date).getTime());
        case BsonType.string: {
          const text = (value as string).trim();
          if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) && !/^[+-]?(Infinity|inf|NaN)$/i.test(text)) {
            throw conversionFailure(`Failed to parse number '${value as string}' in $convert with no onError value: Did not consume whole string.`);
          }
          return new Double(Number(text.replace(/^([+-]?)inf$/i, '$1Infinity')));
        }
        case BsonType.decimal:
          return new Double(decimalToNumber(decimalFromDecimal128(value as Decimal128)));
        default:
          if (isNumeric(value)) return new Double(toDouble(value));
          throw cannotConvert(value, target);
      }
    case 'decimal':
      switch (code) {
        case BsonType.decimal:
          return value;
        case BsonType.int:
          return Decimal128.fromString(String((value as Int32).value));
        case BsonType.long:
          return Decimal128.fromString((value as Long).toString());
        case BsonType.double:
          return decimalToDecimal128(decimalFromDoubleForArithmetic(toDouble(value)));
        case BsonType.bool:
          return Decimal128.fromString(value ? '1' : '0');
        case BsonType.date:
          return Decimal128.fromString(String((value as Date).getTime()));
        case BsonType.string:
          try {
            return decimalToDecimal128(parseDecimalString(value as string));
          } catch {
            throw conversionFailure(`Failed to parse number '${value as string}' in $convert with no onError value`);
          }
        default:
          throw cannotConvert(value, target);
      }
    case 'objectId':
      if (code === BsonType.objectId) return value;
      if (code === BsonType.string && /^[0-9a-fA-F]{24}$/.test(value as string)) return new ObjectId(value as string);
      if (code === BsonType.string)
        throw conversionFailure(
          `Failed to parse objectId '${value as string}' in $convert with no onError value: Invalid string length for parsing to OID, expected 24 but found ${(value as string).length}`,
        );
      throw cannotConvert(value, target);
    case 'date':
      switch (code) {
        case BsonType.date:
          return value;
        case BsonType.double:
        case BsonType.long:
        case BsonType.decimal:
        case BsonType.int: {
          if (code === BsonType.int) throw cannotConvert(value, target);
          const millis = toDouble(value);
          if (!Number.isFinite(millis)) throw conversionFailure(`Conversion would overflow target type in $convert with no onError value`);
          return new Date(Math.trunc(millis));
        }
        case BsonType.string: {
          const parsed = new Date(value as string);
          if (Number.isNaN(parsed.getTime())) throw conversionFailure(`Error parsing date string '${value as string}'`);
          return parsed;
        }
        case BsonType.objectId:
          return (value as ObjectId).getTimestamp();
        case BsonType.timestamp:
          return new Date((value as Timestamp).high * 1000);
        default:
          throw cannotConvert(value, target);
      }
  }
}

function toIntegerForConversion(value: unknown, target: Target): bigint {
  const width = numericWidth(value);
  if (width === NumericWidth.int) return BigInt((value as Int32).value);
  if (width === NumericWidth.long) return longToBigInt(value as Long);
  if (width === NumericWidth.double) {
    const number = toDouble(value);
    if (!Number.isFinite(number)) throw conversionFailure(`Attempt to convert ${doubleToString(number)} value to integer type in $convert with no onError value`);
    return BigInt(Math.trunc(number));
  }
  if (width === NumericWidth.decimal) {
    const integer = decimalToBigInt(decimalFromDecimal128(value as Decimal128));
    if (integer === undefined) throw conversionFailure(`Attempt to convert NaN or infinity value to integer type in $convert with no onError value`);
    return integer;
  }
  if (typeof value === 'boolean') return value ? 1n : 0n;
  if (value instanceof Date && target === 'long') return BigInt(value.getTime());
  if (typeof value === 'string') {
    if (!/^[+-]?\d+$/.test(value)) {
      throw conversionFailure(`Failed to parse number '${value}' in $convert with no onError value: Did not consume whole string.`);
    }
    return BigInt(value);
  }
  throw cannotConvert(value, target);
}

function shorthand(target: Target) {
  return (operand: unknown, compile: (expression: unknown) => CompiledExpression, name: string): CompiledExpression => {
    const args = operandList(operand);
    requireArgumentCount(name, args, 1);
    const arg = compile(args[0]);
    return (current, variables) => {
      const value = arg(current, variables);
      return value === null || value === undefined ? null : convertValue(value, target);
    };
  };
}

function parseTarget(value: unknown): Target {
  if (typeof value === 'string') {
    if (['double', 'string', 'objectId', 'bool', 'date', 'int', 'long', 'decimal'].includes(value)) return value as Target;
    throw expressionError(ErrorCode.BadValue, `Unknown type name: ${value}`);
  }
  if (isNumeric(value)) {
    const target = TARGET_BY_CODE[toDouble(value)];
    if (target !== undefined) return target;
  }
  throw expressionError(ErrorCode.BadValue, `$convert's 'to' argument must be a string or number, but is ${typeNameForError(value)}`);
}

export const conversionOperators: OperatorTable = {
  $toString: shorthand('string'),
  $toBool: shorthand('bool'),
  $toInt: shorthand('int'),
  $toLong: shorthand('long'),
  $toDouble: shorthand('double'),
  $toDecimal: shorthand('decimal'),
  $toObjectId: shorthand('objectId'),
  $toDate: shorthand('date'),
  $convert: (operand, compile) => {
    if (!isPlainDocument(operand)) throw expressionError(ErrorCode.FailedToParse, '$convert expects an object of named arguments but found: ' + typeNameForError(operand));
    if (!('input' in operand)) throw expressionError(ErrorCode.FailedToParse, "Missing 'input' parameter to $convert");
    if (!('to' in operand)) throw expressionError(ErrorCode.FailedToParse, "Missing 'to' parameter to $convert");
    const input = compile(operand.input);
    const to = compile(operand.to);
    const onError = 'onError' in operand ? compile(operand.onError) : undefined;
    const onNull = 'onNull' in operand ? compile(operand.onNull) : undefined;
    return (current, variables) => {
      const value = input(current, variables);
      const targetValue = to(current, variables);
      if (value === null || value === undefined || targetValue === null || targetValue === undefined) {
        return onNull ? onNull(current, variables) : null;
      }
      const target = parseTarget(targetValue);
      try {
        return convertValue(value, target);
      } catch (error) {
        if (onError && error instanceof MongoCommandError && error.code === ErrorCode.ConversionFailure) return onError(current, variables);
        throw error;
      }
    };
  },
  $type: (operand, compile, name) => {
    const args = operandList(operand);
    requireArgumentCount(name, args, 1);
    const arg = compile(args[0]);
    return (current, variables) => {
      const value = arg(current, variables);
      return value === undefined ? 'missing' : bsonTypeAlias(value);
    };
  },
  $isNumber: (operand, compile, name) => {
    const args = operandList(operand);
    requireArgumentCount(name, args, 1);
    const arg = compile(args[0]);
    return (current, variables) => isNumeric(arg(current, variables));
  },
};
