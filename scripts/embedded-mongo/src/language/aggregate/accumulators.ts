import { Double, Int32 } from 'bson';
import { ErrorCode, MongoCommandError } from '../../errors.js';
import { addNumbers, divideNumbers } from '../values/arithmetic.js';
import { NumericWidth, isNumeric, numericWidth, toDouble } from '../values/numeric.js';
import { isPlainDocument } from '../values/type-order.js';
import { unsupportedExpression } from './expression-errors.js';
import type { CompiledExpression, CompileExpression } from './expression-types.js';
import { compareExpressionValues } from './operators/comparison.js';
import { groupKeyOf } from './group-key.js';

/**
 * `$group` accumulators. Each is a factory for per-group state so that a group's documents are
 * folded in one pass. $sum and $avg keep MongoDB's typed arithmetic: a sum of Int32 stays Int32
 * until it overflows into Long, any double makes it a double, any decimal a decimal.
 */
export interface Accumulator {
  add(value: unknown): void;
  result(): unknown;
}

export interface CompiledAccumulator {
  argument: CompiledExpression;
  create: () => Accumulator;
}

const UNSUPPORTED_ACCUMULATORS = new Set([
  '$accumulator',
  '$top',
  '$bottom',
  '$topN',
  '$bottomN',
  '$firstN',
  '$lastN',
  '$maxN',
  '$minN',
  '$median',
  '$percentile',
]);

export function compileAccumulator(field: string, spec: unknown, compile: CompileExpression): CompiledAccumulator {
  if (!isPlainDocument(spec) || Object.keys(spec).length !== 1) {
    throw new MongoCommandError(40234, `The field '${field}' must be an accumulator object`);
  }
  const name = Object.keys(spec)[0]!;
  const operand = spec[name];
  const factory = ACCUMULATORS[name];
  if (factory === undefined) {
    if (UNSUPPORTED_ACCUMULATORS.has(name)) throw unsupportedExpression(name);
    throw new MongoCommandError(15952, `unknown group operator '${name}'`);
  }
  if (name === '$count') {
    if (!isPlainDocument(operand) || Object.keys(operand).length !== 0) {
      throw new MongoCommandError(ErrorCode.TypeMismatch, '$count takes no arguments, i.e. $count:{}');
    }
    return { argument: () => new Int32(1), create: factory };
  }
  if (Array.isArray(operand) && name !== '$push' && name !== '$addToSet') {
    throw new MongoCommandError(40237, `The ${name} accumulator is a unary operator`);
  }
  return { argument: compile(operand), create: factory };
}

const ACCUMULATORS: Record<string, () => Accumulator> = {
  $sum: sumAccumulator,
  $count: sumAccumulator,
  $avg: averageAccumulator,
  $min: () => extremeAccumulator(-1),
  $max: () => extremeAccumulator(1),
  $first: () => {
    let seen = false;
    let first: unknown = null;
    return {
      add(value) {
        if (!seen) {
          seen = true;
          first = value === undefined ? null : value;
        }
      },
      result: () => first,
    };
  },
  $last: () => {
    let last: unknown = null;
    return {
      add(value) {
        last = value === undefined ? null : value;
      },
      result: () => last,
    };
  },
  $push: () => {
    const values: unknown[] = [];
    return {
      add(value) {
        if (value !== undefined) values.push(value);
      },
      result: () => values,
    };
  },
  $addToSet: () => {
    const keys = new Set<string>();
    const values: unknown[] = [];
    return {
      add(value) {
        if (value === undefined) return;
        const key = groupKeyOf(value);
        if (!keys.has(key)) {
          keys.add(key);
          values.push(value);
        }
      },
      result: () => values,
    };
  },
  $mergeObjects: () => {
    const merged: Record<string, unknown> = {};
    return {
      add(value) {
        if (value === null || value === undefined) return;
        if (!isPlainDocument(value)) {
          throw new MongoCommandError(40400, `$mergeObjects requires object inputs, but input is of type ${typeof value}`);
        }
        Object.assign(merged, value);
      },
      result: () => merged,
    };
  },
  $stdDevPop: () => standardDeviation(false),
  $stdDevSamp: () => standardDeviation(true),
};

function sumAccumulator(): Accumulator {
  let total: unknown = new Int32(0);
  return {
    add(value) {
      if (isNumeric(value)) total = addNumbers(total, value);
    },
    result: () => total,
  };
}

function averageAccumulator(): Accumulator {
  let total: unknown = new Int32(0);
  let count = 0;
  return {
    add(value) {
      if (!isNumeric(value)) return;
      total = addNumbers(total, value);
      count++;
    },
    result: () => {
      if (count === 0) return null;
      // The average is a double unless a decimal took part (then decimal).
      return numericWidth(total) === NumericWidth.decimal ? divideNumbers(total, new Int32(count)) : new Double(toDouble(total) / count);
    },
  };
}

/** $min/$max ignore null and missing; the result is null only when nothing else was seen. */
function extremeAccumulator(direction: 1 | -1): Accumulator {
  let best: unknown;
  return {
    add(value) {
      if (value === null || value === undefined) return;
      if (best === undefined || compareExpressionValues(value, best) * direction > 0) best = value;
    },
    result: () => (best === undefined ? null : best),
  };
}

function standardDeviation(isSample: boolean): Accumulator {
  let count = 0;
  let mean = 0;
  let squares = 0;
  return {
    add(value) {
      if (!isNumeric(value)) return;
      // Welford's algorithm: one pass, numerically stable.
      const number = toDouble(value);
      count++;
      const delta = number - mean;
      mean += delta / count;
      squares += delta * (number - mean);
    },
    result: () => {
      const divisor = isSample ? count - 1 : count;
      if (divisor <= 0) return null;
      return new Double(Math.sqrt(squares / divisor));
    },
  };
}

