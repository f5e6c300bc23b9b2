import { Decimal128, Double, Int32, Long } from 'bson';
import { decimalFromBigInt, decimalFromDecimal128, decimalFromDoubleExact, type DecimalValue } from './decimal.js';

/**
 * The four BSON number types ordered by width: arithmetic widens to the wider operand
 * (int < long < double < decimal), as MongoDB does.
 */
export const NumericWidth = { none: 0, int: 1, long: 2, double: 3, decimal: 4 } as const;
export type NumericWidthValue = (typeof NumericWidth)[keyof typeof NumericWidth];

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

export function numericWidth(value: unknown): NumericWidthValue {
  if (typeof value === 'number') return NumericWidth.double;
  if (typeof value !== 'object' || value === null) return NumericWidth.none;
  switch ((value as { _bsontype?: string })._bsontype) {
    case 'Int32':
      return NumericWidth.int;
    case 'Long':
      return NumericWidth.long;
    case 'Double':
      return NumericWidth.double;
    case 'Decimal128':
      return NumericWidth.decimal;
    default:
      return NumericWidth.none;
  }
}

export function isNumeric(value: unknown): boolean {
  return numericWidth(value) !== NumericWidth.none;
}

/** The value as a JS double (lossy for Long beyond 2^53 and for Decimal128). */
export function toDouble(value: unknown): number {
  if (typeof value === 'number') return value;
  switch ((value as { _bsontype?: string })._bsontype) {
    case 'Int32':
    case 'Double':
      return (value as Int32 | Double).value;
    case 'Long':
      return (value as Long).toNumber();
    case 'Decimal128':
      return Number((value as Decimal128).toString());
    default:
      return Number.NaN;
  }
}

/** The value as an exact decimal (only Decimal128 comparisons and arithmetic need this). */
export function toExactDecimal(value: unknown): DecimalValue {
  switch (numericWidth(value)) {
    case NumericWidth.long:
      return decimalFromBigInt(longToBigInt(value as Long));
    case NumericWidth.decimal:
      return decimalFromDecimal128(value as Decimal128);
    default:
      return decimalFromDoubleExact(toDouble(value));
  }
}

export function fitsInt64(value: bigint): boolean {
  return value >= INT64_MIN && value <= INT64_MAX;
}

export function makeDouble(value: number): Double {
  return new Double(value);
}

/** A number of the given width holding `value` (an integer for int/long); used for zero/one constants. */
export function makeNumberOfWidth(width: NumericWidthValue, value: number): unknown {
  switch (width) {
    case NumericWidth.int:
      return new Int32(value);
    case NumericWidth.long:
      return Long.fromNumber(value);
    case NumericWidth.decimal:
      return Decimal128.fromString(String(value));
    default:
      return new Double(value);
  }
}

/**
 * An integral value as a BigInt, or undefined when the value is not numeric, not finite or
 * not a whole number. Used where MongoDB requires integers ($slice counts, $size, $mod, $bit).
 */
export function toExactInteger(value: unknown): bigint | undefined {
  switch (numericWidth(value)) {
    case NumericWidth.int:
      return BigInt((value as Int32).value);
    case NumericWidth.long:
      return longToBigInt(value as Long);
    case NumericWidth.double: {
      const number = toDouble(value);
      return Number.isInteger(number) ? BigInt(number) : undefined;
    }
    case NumericWidth.decimal: {
      const decimal = decimalFromDecimal128(value as Decimal128);
      if (decimal.kind !== 'finite') return undefined;
      const scale = decimal.exponent;
      if (scale >= 0) return (decimal.negative ? -1n : 1n) * decimal.coefficient * 10n ** BigInt(scale);
      const divisor = 10n ** BigInt(-scale);
      if (decimal.coefficient % divisor !== 0n) return undefined;
      return (decimal.negative ? -1n : 1n) * (decimal.coefficient / divisor);
    }
    default:
      return undefined;
  }
}

/*
 * bson's Long.toBigInt goes through toString and fromBigInt through string parsing too, which
 * dominated $inc on Long fields; these work on the two 32-bit halves directly.
 */
export function longToBigInt(value: Long): bigint {
  return (BigInt(value.high) << 32n) | BigInt(value.low >>> 0);
}

export function longFromBigInt(value: bigint): Long {
  return new Long(Number(BigInt.asIntN(32, value)), Number(BigInt.asIntN(32, value >> 32n)));
}

const TWO_POW_32 = 4294967296;

/** The Long as a JS number when that is exact (|value| < 2^53), else undefined. */
export function longToSafeNumber(value: Long): number | undefined {
  const high = value.high;
  if (high >= -2097152 && high < 2097152) return high * TWO_POW_32 + (value.low >>> 0);
  return undefined;
}

/** Signed 64-bit comparison on the halves. */
export function compareLongs(a: Long, b: Long): number {
  if (a.high !== b.high) return a.high < b.high ? -1 : 1;
  const aLow = a.low >>> 0;
  const bLow = b.low >>> 0;
  return aLow === bLow ? 0 : aLow < bLow ? -1 : 1;
}
