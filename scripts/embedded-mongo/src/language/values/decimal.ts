import { Decimal128 } from 'bson';

/**
 * Exact decimal arithmetic for Decimal128 values.
 *
 * Why hand-written: bson's Decimal128 only converts to and from strings, and the decimal
 * libraries on npm (decimal.js, big.js, bignumber.js) either round to a configurable precision
 * that does not follow IEEE 754-2008 decimal128 (34 significant digits, round half to even,
 * exponent preserved as in `1.0 + 1.00 = 2.00`) or pull in far more than we need. A value here
 * is an integer coefficient (BigInt) scaled by a power of ten, which makes add, subtract,
 * multiply and comparison exact; only the final conversion to Decimal128 rounds, the way
 * MongoDB's decimal arithmetic does.
 */
export interface DecimalValue {
  kind: 'finite' | 'nan' | 'infinity';
  negative: boolean;
  /** Non-negative. */
  coefficient: bigint;
  exponent: number;
}

const DECIMAL128_DIGITS = 34;
const decimalCache = new WeakMap<Decimal128, DecimalValue>();

export const DECIMAL_NAN: DecimalValue = { kind: 'nan', negative: false, coefficient: 0n, exponent: 0 };

export function parseDecimalString(text: string): DecimalValue {
  const trimmed = text.trim();
  const negative = trimmed.startsWith('-');
  const unsigned = trimmed.replace(/^[+-]/, '');
  const lower = unsigned.toLowerCase();
  if (lower === 'nan') return { ...DECIMAL_NAN };
  if (lower === 'infinity' || lower === 'inf') return { kind: 'infinity', negative, coefficient: 0n, exponent: 0 };
  const match = /^(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(unsigned);
  if (!match || (match[1] === '' && (match[2] ?? '') === '')) {
    throw new Error(`not a decimal number: ${text}`);
  }
  const integerDigits = match[1] ?? '';
  const fractionDigits = match[2] ?? '';
  const exponent = Number(match[3] ?? '0') - fractionDigits.length;
  return { kind: 'finite', negative, coefficient: BigInt(integerDigits + fractionDigits || '0'), exponent };
}

export function decimalFromDecimal128(value: Decimal128): DecimalValue {
  let parsed = decimalCache.get(value);
  if (parsed === undefined) {
    parsed = parseDecimalString(value.toString());
    decimalCache.set(value, parsed);
  }
  return parsed;
}

export function decimalFromBigInt(value: bigint): DecimalValue {
  return { kind: 'finite', negative: value < 0n, coefficient: value < 0n ? -value : value, exponent: 0 };
}

/** The exact value of a double (every finite double is a finite decimal fraction). */
export function decimalFromDoubleExact(value: number): DecimalValue {
  if (Number.isNaN(value)) return { ...DECIMAL_NAN };
  if (!Number.isFinite(value)) return { kind: 'infinity', negative: value < 0, coefficient: 0n, exponent: 0 };
  const negative = value < 0 || Object.is(value, -0);
  const magnitude = Math.abs(value);
  if (Number.isInteger(magnitude)) return { kind: 'finite', negative, coefficient: BigInt(magnitude), exponent: 0 };
  // magnitude = mantissa * 2^-shift = mantissa * 5^shift * 10^-shift
  let mantissa = magnitude;
  let shift = 0;
  while (!Number.isInteger(mantissa)) {
    mantissa *= 2;
    shift++;
  }
  return { kind: 'finite', negative, coefficient: BigInt(mantissa) * 5n ** BigInt(shift), exponent: -shift };
}

/**
 * A double as MongoDB's decimal arithmetic sees it: rounded to 15 significant digits
 * (Decimal128's default double conversion), so 1 + 0.1 gives 1.100000000000000, not the
 * binary expansion of 0.1.
 */
export function decimalFromDoubleForArithmetic(value: number): DecimalValue {
  if (!Number.isFinite(value)) return decimalFromDoubleExact(value);
  if (value === 0) return { kind: 'finite', negative: Object.is(value, -0), coefficient: 0n, exponent: 0 };
  return parseDecimalString(value.toPrecision(15));
}

function signedCoefficient(value: DecimalValue): bigint {
  return value.negative ? -value.coefficient : value.coefficient;
}

function fromSigned(coefficient: bigint, exponent: number, negativeZero = false): DecimalValue {
  const negative = coefficient < 0n || (coefficient === 0n && negativeZero);
  return { kind: 'finite', negative, coefficient: coefficient < 0n ? -coefficient : coefficient, exponent };
}

function digitCount(value: bigint): number {
  return value === 0n ? 1 : value.toString().length;
}

/** Compares two decimals exactly; NaN sorts below everything and equals NaN (MongoDB's order). */
export function compareDecimals(a: DecimalValue, b: DecimalValue): number {
  if (a.kind === 'nan' || b.kind === 'nan') {
    if (a.kind === b.kind) return 0;
    return a.kind === 'nan' ? -1 : 1;
  }
  if (a.kind === 'infinity' || b.kind === 'infinity') {
    const aRank = a.kind === 'infinity' ? (a.negative ? -1 : 1) : 0;
    const bRank = b.kind === 'infinity' ? (b.negative ? -1 : 1) : 0;
    if (aRank !== bRank) return aRank < bRank ? -1 : 1;
    if (aRank !== 0) return 0;
  }
  const aSigned = signedCoefficient(a);
  const bSigned = signedCoefficient(b);
  const exponent = Math.min(a.exponent, b.exponent);
  const aScaled = aSigned * 10n ** BigInt(a.exponent - exponent);
  const bScaled = bSigned * 10n ** BigInt(b.exponent - exponent);
  return aScaled === bScaled ? 0 : aScaled < bScaled ? -1 : 1;
}

export function addDecimals(a: DecimalValue, b: DecimalValue): DecimalValue {
  if (a.kind === 'nan' || b.kind === 'nan') return { ...DECIMAL_NAN };
  if (a.kind === 'infinity' || b.kind === 'infinity') {
    if (a.kind === 'infinity' && b.kind === 'infinity' && a.negative !== b.negative) return { ...DECIMAL_NAN };
    return a.kind === 'infinity' ? a : b;
  }
  const exponent = Math.min(a.exponent, b.exponent);
  const sum = signedCoefficient(a) * 10n ** BigInt(a.exponent - exponent) + signedCoefficient(b) * 10n ** BigInt(b.exponent - exponent);
  return fromSigned(sum, exponent, a.negative && b.negative);
}

export function negateDecimal(value: DecimalValue): DecimalValue {
  return value.kind === 'nan' ? value : { ...value, negative: !value.negative };
}

export function multiplyDecimals(a: DecimalValue, b: DecimalValue): DecimalValue {
  if (a.kind === 'nan' || b.kind === 'nan') return { ...DECIMAL_NAN };
  const negative = a.negative !== b.negative;
  if (a.kind === 'infinity' || b.kind === 'infinity') {
    if ((a.kind === 'finite' && a.coefficient === 0n) || (b.kind === 'finite' && b.coefficient === 0n)) return { ...DECIMAL_NAN };
    return { kind: 'infinity', negative, coefficient: 0n, exponent: 0 };
  }
  return { kind: 'finite', negative, coefficient: a.coefficient * b.coefficient, exponent: a.exponent + b.exponent };
}

/** Division rounded to 34 significant digits, keeping the IEEE preferred exponent when exact. */
export function divideDecimals(a: DecimalValue, b: DecimalValue): DecimalValue {
  if (a.kind === 'nan' || b.kind === 'nan') return { ...DECIMAL_NAN };
  const negative = a.negative !== b.negative;
  if (a.kind === 'infinity') {
    return b.kind === 'infinity' ? { ...DECIMAL_NAN } : { kind: 'infinity', negative, coefficient: 0n, exponent: 0 };
  }
  if (b.kind === 'infinity') return { kind: 'finite', negative, coefficient: 0n, exponent: 0 };
  if (b.coefficient === 0n) {
    return a.coefficient === 0n ? { ...DECIMAL_NAN } : { kind: 'infinity', negative, coefficient: 0n, exponent: 0 };
  }
  const idealExponent = a.exponent - b.exponent;
  if (a.coefficient === 0n) return { kind: 'finite', negative, coefficient: 0n, exponent: idealExponent };
  const shift = Math.max(0, DECIMAL128_DIGITS + 1 + digitCount(b.coefficient) - digitCount(a.coefficient));
  const numerator = a.coefficient * 10n ** BigInt(shift);
  let quotient = numerator / b.coefficient;
  const isExact = numerator % b.coefficient === 0n;
  let exponent = idealExponent - shift;
  if (isExact) {
    while (exponent < idealExponent && quotient % 10n === 0n) {
      quotient /= 10n;
      exponent++;
    }
    return roundToDecimal128Precision({ kind: 'finite', negative, coefficient: quotient, exponent });
  }
  // A sticky digit makes the half-even rounding see that the quotient was not exact.
  return roundToDecimal128Precision({ kind: 'finite', negative, coefficient: quotient * 10n + 1n, exponent: exponent - 1 });
}

/** Rounds the coefficient to 34 digits, half to even (IEEE 754-2008 decimal128 default). */
export function roundToDecimal128Precision(value: DecimalValue): DecimalValue {
  if (value.kind !== 'finite') return value;
  let { coefficient, exponent } = value;
  const excess = digitCount(coefficient) - DECIMAL128_DIGITS;
  if (excess <= 0) return value;
  const divisor = 10n ** BigInt(excess);
  let rounded = coefficient / divisor;
  const remainder = coefficient % divisor;
  const half = divisor / 2n;
  if (remainder > half || (remainder === half && rounded % 2n === 1n)) rounded += 1n;
  exponent += excess;
  if (digitCount(rounded) > DECIMAL128_DIGITS) {
    rounded /= 10n;
    exponent += 1;
  }
  coefficient = rounded;
  return { kind: 'finite', negative: value.negative, coefficient, exponent };
}

export function decimalToDecimal128(value: DecimalValue): Decimal128 {
  if (value.kind === 'nan') return Decimal128.fromString('NaN');
  if (value.kind === 'infinity') return Decimal128.fromString(value.negative ? '-Infinity' : 'Infinity');
  const rounded = roundToDecimal128Precision(value);
  const text = `${rounded.negative ? '-' : ''}${rounded.coefficient.toString()}E${rounded.exponent}`;
  try {
    return Decimal128.fromStringWithRounding(text);
  } catch {
    // Beyond decimal128's largest exponent: IEEE 754 overflows to infinity, as MongoDB does.
    return Decimal128.fromString(rounded.negative ? '-Infinity' : 'Infinity');
  }
}

export function decimalToNumber(value: DecimalValue): number {
  if (value.kind === 'nan') return Number.NaN;
  if (value.kind === 'infinity') return value.negative ? -Infinity : Infinity;
  const magnitude = Number(`${value.coefficient.toString()}e${value.exponent}`);
  return value.negative ? -magnitude : magnitude;
}

/** Truncates toward zero; undefined for NaN/infinity. */
export function decimalToBigInt(value: DecimalValue): bigint | undefined {
  if (value.kind !== 'finite') return undefined;
  const signed = signedCoefficient(value);
  if (value.exponent >= 0) return signed * 10n ** BigInt(value.exponent);
  return signed / 10n ** BigInt(-value.exponent);
}

export type DecimalRounding = 'floor' | 'ceil' | 'trunc' | 'halfEven';

/** Rounds to `places` digits after the point (negative places round to tens, hundreds, ...). */
export function roundDecimal(value: DecimalValue, places: number, mode: DecimalRounding): DecimalValue {
  if (value.kind !== 'finite' || value.exponent >= -places) return value;
  const drop = -places - value.exponent;
  const divisor = 10n ** BigInt(drop);
  let kept = value.coefficient / divisor;
  const remainder = value.coefficient % divisor;
  if (remainder !== 0n) {
    const awayFromZero =
      mode === 'halfEven' ? remainder * 2n > divisor || (remainder * 2n === divisor && kept % 2n === 1n) : mode === 'floor' ? value.negative : mode === 'ceil' ? !value.negative : false;
    if (awayFromZero) kept += 1n;
  }
  return { kind: 'finite', negative: value.negative, coefficient: kept, exponent: -places };
}
