import { Double, Int32, Long } from 'bson';
import { ErrorCode } from '../../../errors.js';
import { addNumbers, divideNumbers, modNumbers, multiplyNumbers, subtractNumbers } from '../../values/arithmetic.js';
import { compareValues } from '../../values/compare.js';
import { decimalFromDecimal128, decimalToDecimal128, roundDecimal } from '../../values/decimal.js';
import { NumericWidth, isNumeric, makeDouble, numericWidth, toDouble, longToBigInt, longFromBigInt } from '../../values/numeric.js';
import { expressionError, requireArgumentCount, typeNameForError } from '../expression-errors.js';
import { operandList, type OperatorCompiler, type OperatorTable } from '../expression-types.js';
import type { Decimal128 } from 'bson';

/**
 * Arithmetic expressions with MongoDB's typed results (Int32 + Int32 stays Int32 until it
 * overflows, anything with a double is a double, anything with a decimal is a decimal) and
 * date arithmetic for $add/$subtract. null or missing operands give null.
 */
function isNullish(value: unknown): boolean {
  return value === null || value === undefined;
}

const add: OperatorCompiler = (operand, compile) => {
  const args = operandList(operand).map(compile);
  return (current, variables) => {
    let total: unknown = new Int32(0);
    let date: Date | undefined;
    for (const arg of args) {
      const value = arg(current, variables);
      if (isNullish(value)) return null;
      if (value instanceof Date) {
        if (date !== undefined) throw expressionError(16612, 'only one date allowed in an $add expression');
        date = value;
        continue;
      }
      if (!isNumeric(value)) throw expressionError(16554, `$add only supports numeric or date types, not ${typeNameForError(value)}`);
      total = addNumbers(total, value);
    }
    if (date !== undefined) return new Date(date.getTime() + Math.round(toDouble(total)));
    return total;
  };
};

const subtract: OperatorCompiler = (operand, compile, name) => {
  const args = operandList(operand);
  requireArgumentCount(name, args, 2);
  const left = compile(args[0]);
  const right = compile(args[1]);
  return (current, variables) => {
    const a = left(current, variables);
    const b = right(current, variables);
    if (isNullish(a) || isNullish(b)) return null;
    if (a instanceof Date && b instanceof Date) return Long.fromNumber(a.getTime() - b.getTime());
    if (a instanceof Date && isNumeric(b)) return new Date(a.getTime() - Math.round(toDouble(b)));
    if (!isNumeric(a) || !isNumeric(b)) {
      throw expressionError(16556, `cant $subtract a${b instanceof Date ? ' date' : ''} ${typeNameForError(b)} from a ${typeNameForError(a)}`);
    }
    return subtractNumbers(a, b);
  };
};

const multiply: OperatorCompiler = (operand, compile) => {
  const args = operandList(operand).map(compile);
  return (current, variables) => {
    let product: unknown = new Int32(1);
    for (const arg of args) {
      const value = arg(current, variables);
      if (isNullish(value)) return null;
      if (!isNumeric(value)) throw expressionError(16555, `$multiply only supports numeric types, not ${typeNameForError(value)}`);
      product = multiplyNumbers(product, value);
    }
    return product;
  };
};

function isZero(value: unknown): boolean {
  return compareValues(value, 0) === 0;
}

/**
 * `$divide` and `$mod`: two numeric operands, null when either is nullish, and MongoDB's own
 * error codes for a non-numeric operand and for a zero divisor.
 */
function numericDivision(operator: string, codes: { notNumeric: number; byZero: number }, apply: (a: unknown, b: unknown) => unknown): OperatorCompiler {
  return (operand, compile, name) => {
    const args = operandList(operand);
    requireArgumentCount(name, args, 2);
    const left = compile(args[0]);
    const right = compile(args[1]);
    return (current, variables) => {
      const a = left(current, variables);
      const b = right(current, variables);
      if (isNullish(a) || isNullish(b)) return null;
      if (!isNumeric(a) || !isNumeric(b)) {
        throw expressionError(codes.notNumeric, `${operator} only supports numeric types, not ${typeNameForError(a)} and ${typeNameForError(b)}`);
      }
      if (isZero(b)) throw expressionError(codes.byZero, `can't ${operator} by zero`);
      return apply(a, b);
    };
  };
}

const divide = numericDivision('$divide', { notNumeric: 16609, byZero: 2 }, divideNumbers);
const mod = numericDivision('$mod', { notNumeric: 16611, byZero: 16610 }, modNumbers);

/** One-argument numeric functions keeping the argument's type where MongoDB does. */
function unaryNumeric(name: string, apply: (value: unknown) => unknown): OperatorCompiler {
  return (operand, compile) => {
    const args = operandList(operand);
    requireArgumentCount(name, args, 1);
    const arg = compile(args[0]);
    return (current, variables) => {
      const value = arg(current, variables);
      if (isNullish(value)) return null;
      if (!isNumeric(value)) throw expressionError(28765, `${name} only supports numeric types, not ${typeNameForError(value)}`);
      return apply(value);
    };
  };
}

function integralRounding(mode: 'floor' | 'ceil'): (value: unknown) => unknown {
  const round = mode === 'floor' ? Math.floor : Math.ceil;
  return (value) => {
    switch (numericWidth(value)) {
      case NumericWidth.int:
      case NumericWidth.long:
        return value;
      case NumericWidth.decimal:
        return decimalToDecimal128(roundDecimal(decimalFromDecimal128(value as Decimal128), 0, mode));
      default:
        return new Double(round(toDouble(value)));
    }
  };
}

const abs = unaryNumeric('$abs', (value) => {
  switch (numericWidth(value)) {
    case NumericWidth.int: {
      const number = (value as Int32).value;
      return number === -2147483648 ? Long.fromNumber(2147483648) : new Int32(Math.abs(number));
    }
    case NumericWidth.long: {
      const big = longToBigInt(value as Long);
      if (big === -(2n ** 63n)) throw expressionError(28680, "can't take $abs of long long min");
      return longFromBigInt(big < 0n ? -big : big);
    }
    case NumericWidth.decimal: {
      const decimal = decimalFromDecimal128(value as Decimal128);
      return decimalToDecimal128({ ...decimal, negative: false });
    }
    default:
      return makeDouble(Math.abs(toDouble(value)));
  }
});

function doubleFunction(name: string, apply: (value: number) => number, domainCheck?: (value: number) => string | undefined): OperatorCompiler {
  return unaryNumeric(name, (value) => {
    const number = toDouble(value);
    const problem = domainCheck?.(number);
    if (problem) throw expressionError(28766, problem);
    return makeDouble(apply(number));
  });
}

const pow: OperatorCompiler = (operand, compile, name) => {
  const args = operandList(operand);
  requireArgumentCount(name, args, 2);
  const base = compile(args[0]);
  const exponent = compile(args[1]);
  return (current, variables) => {
    const b = base(current, variables);
    const e = exponent(current, variables);
    if (isNullish(b) || isNullish(e)) return null;
    if (!isNumeric(b) || !isNumeric(e)) throw expressionError(28762, '$pow only supports numeric types');
    const result = Math.pow(toDouble(b), toDouble(e));
    const widest = Math.max(numericWidth(b), numericWidth(e));
    if (widest <= NumericWidth.long && Number.isInteger(result)) {
      if (widest === NumericWidth.int && result >= -2147483648 && result <= 2147483647) return new Int32(result);
      if (Number.isSafeInteger(result)) return Long.fromNumber(result);
    }
    return makeDouble(result);
  };
};

const round: OperatorCompiler = (operand, compile, name) => {
  const args = operandList(operand);
  if (args.length < 1 || args.length > 2) throw expressionError(28667, `Expression ${name} takes at least 1 argument, and at most 2`);
  const value = compile(args[0]);
  const places = args.length === 2 ? compile(args[1]) : () => new Int32(0);
  return (current, variables) => {
    const number = value(current, variables);
    const digits = places(current, variables);
    if (isNullish(number) || isNullish(digits)) return null;
    if (!isNumeric(number)) throw expressionError(51081, `${name} only supports numeric types, not ${typeNameForError(number)}`);
    const placeCount = toDouble(digits);
    const width = numericWidth(number);
    if ((width === NumericWidth.int || width === NumericWidth.long) && placeCount >= 0) return number;
    const mode = name === '$trunc' ? 'trunc' : 'halfEven';
    if (width === NumericWidth.decimal) {
      return decimalToDecimal128(roundDecimal(decimalFromDecimal128(number as Decimal128), placeCount, mode));
    }
    const factor = 10 ** placeCount;
    const scaled = toDouble(number) * factor;
    const result = (mode === 'trunc' ? Math.trunc(scaled) : roundHalfEven(scaled)) / factor;
    if (width === NumericWidth.int) return new Int32(result);
    if (width === NumericWidth.long) return Long.fromNumber(result);
    return makeDouble(result);
  };
};

/** MongoDB's $round rounds half to even. */
function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const difference = value - floor;
  if (difference > 0.5) return floor + 1;
  if (difference < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

export const arithmeticOperators: OperatorTable = {
  $add: add,
  $subtract: subtract,
  $multiply: multiply,
  $divide: divide,
  $mod: mod,
  $abs: abs,
  $ceil: unaryNumeric('$ceil', integralRounding('ceil')),
  $floor: unaryNumeric('$floor', integralRounding('floor')),
  $trunc: round,
  $round: round,
  $sqrt: doubleFunction('$sqrt', Math.sqrt, (value) => (value < 0 ? "$sqrt's argument must be greater than or equal to 0" : undefined)),
  $exp: doubleFunction('$exp', Math.exp),
  $ln: doubleFunction('$ln', Math.log, (value) => (value <= 0 ? "$ln's argument must be a positive number" : undefined)),
  $log10: doubleFunction('$log10', Math.log10, (value) => (value <= 0 ? "$log10's argument must be a positive number" : undefined)),
  $pow: pow,
  $sin: doubleFunction('$sin', Math.sin),
  $cos: doubleFunction('$cos', Math.cos),
  $tan: doubleFunction('$tan', Math.tan),
  $asin: doubleFunction('$asin', Math.asin, (value) => (value < -1 || value > 1 ? `cannot apply $asin to ${value}, value must be in [-1,1]` : undefined)),
  $acos: doubleFunction('$acos', Math.acos, (value) => (value < -1 || value > 1 ? `cannot apply $acos to ${value}, value must be in [-1,1]` : undefined)),
  $atan: doubleFunction('$atan', Math.atan),
  $sinh: doubleFunction('$sinh', Math.sinh),
  $cosh: doubleFunction('$cosh', Math.cosh),
  $tanh: doubleFunction('$tanh', Math.tanh),
  $asinh: doubleFunction('$asinh', Math.asinh),
  $acosh: doubleFunction('$acosh', Math.acosh),
  $atanh: doubleFunction('$atanh', Math.atanh),
  $degreesToRadians: doubleFunction('$degreesToRadians', (value) => (value * Math.PI) / 180),
  $radiansToDegrees: doubleFunction('$radiansToDegrees', (value) => (value * 180) / Math.PI),
  $atan2: (operand, compile, name) => {
    const args = operandList(operand);
    requireArgumentCount(name, args, 2);
    const [y, x] = args.map(compile) as [ReturnType<typeof compile>, ReturnType<typeof compile>];
    return (current, variables) => {
      const a = y(current, variables);
      const b = x(current, variables);
      if (isNullish(a) || isNullish(b)) return null;
      if (!isNumeric(a) || !isNumeric(b)) throw expressionError(51044, '$atan2 only supports numeric types');
      return makeDouble(Math.atan2(toDouble(a), toDouble(b)));
    };
  },
  $bitAnd: bitwise('$bitAnd', (a, b) => a & b),
  $bitOr: bitwise('$bitOr', (a, b) => a | b),
  $bitXor: bitwise('$bitXor', (a, b) => a ^ b),
  $bitNot: (operand, compile, name) => {
    const args = operandList(operand);
    requireArgumentCount(name, args, 1);
    const arg = compile(args[0]);
    return (current, variables) => {
      const value = arg(current, variables);
      if (isNullish(value)) return null;
      const width = numericWidth(value);
      if (width === NumericWidth.int) return new Int32(~(value as Int32).value);
      if (width === NumericWidth.long) return longFromBigInt(~longToBigInt(value as Long));
      throw expressionError(ErrorCode.TypeMismatch, `${name} only supports int and long, not: ${typeNameForError(value)}.`);
    };
  },
};

/** Bitwise operators: int and long operands only; the result is long when any operand is long. */
function bitwise(name: string, apply: (a: bigint, b: bigint) => bigint): OperatorCompiler {
  return (operand, compile) => {
    const args = operandList(operand).map(compile);
    return (current, variables) => {
      let result = name === '$bitAnd' ? -1n : 0n;
      let isLong = false;
      for (const arg of args) {
        const value = arg(current, variables);
        if (isNullish(value)) return null;
        const width = numericWidth(value);
        if (width !== NumericWidth.int && width !== NumericWidth.long) {
          throw expressionError(ErrorCode.TypeMismatch, `${name} only supports int and long operands.`);
        }
        isLong ||= width === NumericWidth.long;
        const integer = width === NumericWidth.long ? longToBigInt(value as Long) : BigInt((value as Int32).value);
        result = apply(result, integer);
      }
      if (args.length === 0) return new Int32(name === '$bitAnd' ? -1 : 0);
      return isLong ? longFromBigInt(BigInt.asIntN(64, result)) : new Int32(Number(BigInt.asIntN(32, result)));
    };
  };
}
