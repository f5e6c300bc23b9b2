import { Double, Int32, Long } from 'bson';
import {
  addDecimals,
  decimalFromBigInt,
  decimalFromDecimal128,
  decimalFromDoubleForArithmetic,
  decimalToDecimal128,
  divideDecimals,
  multiplyDecimals,
  negateDecimal,
  type DecimalValue,
} from './decimal.js';
import { NumericWidth, fitsInt64, numericWidth, toDouble, type NumericWidthValue, longToBigInt, longFromBigInt, longToSafeNumber } from './numeric.js';
import type { Decimal128 } from 'bson';

/**
 * Typed arithmetic with MongoDB's widening rules: the result has the wider operand type
 * (int < long < double < decimal); int overflow widens to long, long overflow to double.
 * Callers check that both operands are numeric (`isNumeric`) and raise their own error.
 */
export function addNumbers(a: unknown, b: unknown): unknown {
  return combine(a, b, 'add');
}

export function subtractNumbers(a: unknown, b: unknown): unknown {
  return combine(a, b, 'subtract');
}

export function multiplyNumbers(a: unknown, b: unknown): unknown {
  return combine(a, b, 'multiply');
}

/** `$divide`: always a double unless an operand is decimal. Division by zero is the caller's error. */
export function divideNumbers(a: unknown, b: unknown): unknown {
  if (numericWidth(a) === NumericWidth.decimal || numericWidth(b) === NumericWidth.decimal) {
    return decimalToDecimal128(divideDecimals(decimalOperand(a), decimalOperand(b)));
  }
  return new Double(toDouble(a) / toDouble(b));
}

/** `$mod`: the sign follows the dividend (truncated division), typed like the other operators. */
export function modNumbers(a: unknown, b: unknown): unknown {
  const width = Math.max(numericWidth(a), numericWidth(b)) as NumericWidthValue;
  if (width === NumericWidth.decimal) {
    const dividend = decimalOperand(a);
    const divisor = decimalOperand(b);
    const quotient = divideDecimals(dividend, divisor);
    const truncated = truncateDecimal(quotient);
    return decimalToDecimal128(addDecimals(dividend, negateDecimal(multiplyDecimals(truncated, divisor))));
  }
  if (width === NumericWidth.double) return new Double(toDouble(a) % toDouble(b));
  const result = integerOperand(a) % integerOperand(b);
  return width === NumericWidth.int ? new Int32(Number(result)) : longFromBigInt(result);
}

type Operation = 'add' | 'subtract' | 'multiply';

function combine(a: unknown, b: unknown, operation: Operation): unknown {
  const width = Math.max(numericWidth(a), numericWidth(b)) as NumericWidthValue;
  switch (width) {
    case NumericWidth.int: {
      const result = applyToNumbers((a as Int32).value, (b as Int32).value, operation);
      if (result >= -2147483648 && result <= 2147483647) return new Int32(result);
      // int32 * int32 can exceed 2^53: redo exactly.
      return longOrDouble(applyToBigInts(BigInt((a as Int32).value), BigInt((b as Int32).value), operation));
    }
    case NumericWidth.long: {
      // Fast path: both operands and the result exact as doubles (|x| < 2^53), no BigInt.
      const left = safeIntegerOperand(a);
      const right = safeIntegerOperand(b);
      if (left !== undefined && right !== undefined) {
        const result = applyToNumbers(left, right, operation);
        if (Number.isSafeInteger(result)) return Long.fromNumber(result);
      }
      return longOrDouble(applyToBigInts(integerOperand(a), integerOperand(b), operation));
    }
    case NumericWidth.double:
      return new Double(applyToNumbers(toDouble(a), toDouble(b), operation));
    default: {
      const left = decimalOperand(a);
      const right = decimalOperand(b);
      const result = operation === 'add' ? addDecimals(left, right) : operation === 'subtract' ? addDecimals(left, negateDecimal(right)) : multiplyDecimals(left, right);
      return decimalToDecimal128(result);
    }
  }
}

function applyToNumbers(a: number, b: number, operation: Operation): number {
  return operation === 'add' ? a + b : operation === 'subtract' ? a - b : a * b;
}

function applyToBigInts(a: bigint, b: bigint, operation: Operation): bigint {
  return operation === 'add' ? a + b : operation === 'subtract' ? a - b : a * b;
}

/** A long result that overflows int64 becomes a double, as in MongoDB. */
function longOrDouble(value: bigint): unknown {
  return fitsInt64(value) ? longFromBigInt(value) : new Double(Number(value));
}

function safeIntegerOperand(value: unknown): number | undefined {
  return numericWidth(value) === NumericWidth.long ? longToSafeNumber(value as Long) : toDouble(value);
}

function integerOperand(value: unknown): bigint {
  return numericWidth(value) === NumericWidth.long ? longToBigInt(value as Long) : BigInt(toDouble(value));
}

function decimalOperand(value: unknown): DecimalValue {
  switch (numericWidth(value)) {
    case NumericWidth.decimal:
      return decimalFromDecimal128(value as Decimal128);
    case NumericWidth.long:
      return decimalFromBigInt(longToBigInt(value as Long));
    case NumericWidth.int:
      return decimalFromBigInt(BigInt((value as Int32).value));
    default:
      return decimalFromDoubleForArithmetic(toDouble(value));
  }
}

function truncateDecimal(value: DecimalValue): DecimalValue {
  if (value.kind !== 'finite' || value.exponent >= 0) return value;
  const divisor = 10n ** BigInt(-value.exponent);
  return { kind: 'finite', negative: value.negative, coefficient: value.coefficient / divisor, exponent: 0 };
}
