import { Double, Int32 } from 'bson';
import { ErrorCode, MongoCommandError } from '../../errors.js';
import { addNumbers, divideNumbers } from '../values/arithmetic.js';
import { NumericWidth, isNumeric, numericWidth, toDouble, toExactInteger } from '../values/numeric.js';
import { compileSort } from '../sort.js';
import type { Document } from 'bson';
import { isPlainDocument } from '../values/type-order.js';
import { unsupportedExpression } from './expression-errors.js';
import type { CompiledExpression, CompileExpression } from './expression-types.js';
import { compareExpressionValues } from './operators/comparison.js';
import { groupKeyOf } from '../values/group-key.js';
import { computePercentiles, parsePercentileSpec } from './percentile.js';
import { setOwnField } from '../path.js';

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

const UNSUPPORTED_ACCUMULATORS = new Set(['$accumulator']);

export function compileAccumulator(field: string, spec: unknown, compile: CompileExpression): CompiledAccumulator {
  if (!isPlainDocument(spec) || Object.keys(spec).length !== 1) {
    throw new MongoCommandError(40234, `The field '${field}' must be an accumulator object`);
  }
  const name = Object.keys(spec)[0]!;
  const operand = spec[name];
  const ranked = compileRankedAccumulator(name, operand, compile);
  if (ranked !== undefined) return ranked;
  if (name === '$percentile' || name === '$median') {
    const percentile = parsePercentileSpec(name, operand);
    return {
      argument: compile(percentile.input),
      create: () => {
        const values: unknown[] = [];
        return { add: (value) => void values.push(value), result: () => computePercentiles(values, percentile) };
      },
    };
  }
  const factory = Object.hasOwn(ACCUMULATORS, name) ? ACCUMULATORS[name] : undefined;
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
        for (const [key, field] of Object.entries(value)) setOwnField(merged, key, field);
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

/** Accumulators keeping n ranked values: $firstN $lastN $maxN $minN $top $bottom $topN $bottomN. */
function compileRankedAccumulator(name: string, operand: unknown, compile: CompileExpression): CompiledAccumulator | undefined {
  if (!['$firstN', '$lastN', '$maxN', '$minN', '$top', '$bottom', '$topN', '$bottomN'].includes(name)) return undefined;
  if (!isPlainDocument(operand)) throw new MongoCommandError(5787801, `specification for ${name} must be an object`);
  const hasN = name.endsWith('N');
  const count = hasN ? constantCount(name, operand.n) : 1;
  if (name === '$firstN' || name === '$lastN' || name === '$maxN' || name === '$minN') {
    if (!('input' in operand)) throw new MongoCommandError(5787907, `${name} requires an 'input' field`);
    const input = compile(operand.input);
    const create = (): Accumulator => {
      const values: unknown[] = [];
      return {
        add(value) {
          if (name === '$maxN' || name === '$minN') {
            if (value === null || value === undefined) return;
          } else if (value === undefined) {
            value = null;
          }
          values.push(value);
        },
        result() {
          if (name === '$firstN') return values.slice(0, count);
          if (name === '$lastN') return values.slice(Math.max(0, values.length - count));
          const direction = name === '$maxN' ? -1 : 1;
          return [...values].sort((a, b) => direction * compareExpressionValues(a, b)).slice(0, count);
        },
      };
    };
    return { argument: input, create };
  }
  if (!isPlainDocument(operand.sortBy)) throw new MongoCommandError(5788005, `${name} requires a 'sortBy' object`);
  if (!('output' in operand)) throw new MongoCommandError(5788006, `${name} requires an 'output' field`);
  const comparator = compileSort(operand.sortBy);
  const output = compile(operand.output);
  const fromBottom = name === '$bottom' || name === '$bottomN';
  const isSingle = !hasN;
  return {
    // The accumulator sees the whole document (to sort) with the output value alongside.
    argument: (current, variables) => ({ doc: current, value: output(current, variables) }),
    create: () => {
      const entries: { doc: Document; value: unknown }[] = [];
      return {
        add(entry) {
          entries.push(entry as { doc: Document; value: unknown });
        },
        result() {
          const sorted = [...entries].sort((a, b) => comparator(a.doc, b.doc));
          const chosen = fromBottom ? sorted.slice(Math.max(0, sorted.length - count)) : sorted.slice(0, count);
          const values = chosen.map((entry) => (entry.value === undefined ? null : entry.value));
          return isSingle ? (values[0] ?? null) : values;
        },
      };
    },
  };
}

function constantCount(name: string, value: unknown): number {
  const integer = isNumeric(value) ? toExactInteger(value) : undefined;
  if (integer === undefined || integer <= 0n) {
    throw new MongoCommandError(5787902, `Value for 'n' must be a positive integral constant for ${name}`);
  }
  return Number(integer);
}
