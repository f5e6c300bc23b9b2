import { Double, Int32, type Document } from 'bson';
import { addNumbers, divideNumbers } from '../../values/arithmetic.js';
import { valuesEqual } from '../../values/compare.js';
import { NumericWidth, isNumeric, numericWidth, toDouble, toExactInteger } from '../../values/numeric.js';
import { isPlainDocument } from '../../values/type-order.js';
import { groupKeyOf } from '../../values/group-key.js';
import { expressionError, requireArgumentCount, typeNameForError } from '../expression-errors.js';
import { operandList, type CompiledExpression, type CompileExpression, type OperatorTable, type Variables } from '../expression-types.js';
import { isTruthyValue } from '../truthiness.js';
import { compareExpressionValues } from './comparison.js';
import { compileSort } from '../../sort.js';

/**
 * Array expressions, including the accumulator operators usable as expressions ($sum, $avg,
 * $min, $max over an array or over several arguments).
 */
function isNullish(value: unknown): boolean {
  return value === null || value === undefined;
}

function compileArgs(name: string, operand: unknown, compile: CompileExpression, count: number): CompiledExpression[] {
  const args = operandList(operand);
  requireArgumentCount(name, args, count);
  return args.map(compile);
}

function integerValue(name: string, value: unknown, code: number): number {
  const integer = isNumeric(value) ? toExactInteger(value) : undefined;
  if (integer === undefined) throw expressionError(code, `${name} requires an integral argument, found a value of type: ${typeNameForError(value)}`);
  return Number(integer);
}

/** `{input, as, ...}` operators bind `as` (default 'this') for their inner expression. */
function bindingName(operand: Record<string, unknown>): string {
  const name = operand.as === undefined ? 'this' : operand.as;
  if (typeof name !== 'string' || !/^[a-z_][a-zA-Z0-9_]*$/.test(name)) throw expressionError(16866, `invalid variable name: ${String(name)}`);
  return name;
}

function withVariable(variables: Variables | undefined, name: string, value: unknown): Variables {
  return { ...variables, [name]: value };
}

/** The values an expression-form accumulator folds: one array argument's elements, or all the arguments. */
function accumulatorInputs(operand: unknown, compile: CompileExpression): (current: Document, variables: Variables | undefined) => unknown[] {
  const args = operandList(operand).map(compile);
  if (args.length === 1) {
    const single = args[0]!;
    return (current, variables) => {
      const value = single(current, variables);
      return Array.isArray(value) ? value : [value];
    };
  }
  return (current, variables) => args.map((arg) => arg(current, variables));
}

export const arrayOperators: OperatorTable = {
  $size: (operand, compile, name) => {
    const [arg] = compileArgs(name, operand, compile, 1) as [CompiledExpression];
    return (current, variables) => {
      const value = arg(current, variables);
      if (!Array.isArray(value)) throw expressionError(17124, `The argument to $size must be an array. Type of argument was: ${typeNameForError(value)}`);
      return new Int32(value.length);
    };
  },
  $arrayElemAt: (operand, compile, name) => {
    const [array, index] = compileArgs(name, operand, compile, 2) as [CompiledExpression, CompiledExpression];
    return (current, variables) => {
      const value = array(current, variables);
      const position = index(current, variables);
      if (isNullish(value) || isNullish(position)) return null;
      if (!Array.isArray(value)) throw expressionError(28689, `$arrayElemAt's first argument must be an array, but is ${typeNameForError(value)}`);
      const at = integerValue(name, position, 28691);
      const resolved = at < 0 ? value.length + at : at;
      return resolved >= 0 && resolved < value.length ? value[resolved] : undefined;
    };
  },
  $first: (operand, compile, name) => {
    const [array] = compileArgs(name, operand, compile, 1) as [CompiledExpression];
    return (current, variables) => {
      const value = array(current, variables);
      if (isNullish(value)) return null;
      if (!Array.isArray(value)) throw expressionError(28689, `$first's argument must be an array, but is ${typeNameForError(value)}`);
      return value[0];
    };
  },
  $last: (operand, compile, name) => {
    const [array] = compileArgs(name, operand, compile, 1) as [CompiledExpression];
    return (current, variables) => {
      const value = array(current, variables);
      if (isNullish(value)) return null;
      if (!Array.isArray(value)) throw expressionError(28689, `$last's argument must be an array, but is ${typeNameForError(value)}`);
      return value[value.length - 1];
    };
  },
  $in: (operand, compile, name) => {
    const [needle, haystack] = compileArgs(name, operand, compile, 2) as [CompiledExpression, CompiledExpression];
    return (current, variables) => {
      const array = haystack(current, variables);
      if (!Array.isArray(array)) throw expressionError(40081, `$in requires an array as a second argument, found: ${typeNameForError(array)}`);
      const value = needle(current, variables);
      return array.some((element) => (value === undefined ? element === undefined : element !== undefined && valuesEqual(element, value)));
    };
  },
  $isArray: (operand, compile, name) => {
    const [arg] = compileArgs(name, operand, compile, 1) as [CompiledExpression];
    return (current, variables) => Array.isArray(arg(current, variables));
  },
  $concatArrays: (operand, compile) => {
    const args = operandList(operand).map(compile);
    return (current, variables) => {
      const result: unknown[] = [];
      for (const arg of args) {
        const value = arg(current, variables);
        if (isNullish(value)) return null;
        if (!Array.isArray(value)) throw expressionError(28664, `$concatArrays only supports arrays, not ${typeNameForError(value)}`);
        result.push(...value);
      }
      return result;
    };
  },
  $reverseArray: (operand, compile, name) => {
    const [arg] = compileArgs(name, operand, compile, 1) as [CompiledExpression];
    return (current, variables) => {
      const value = arg(current, variables);
      if (isNullish(value)) return null;
      if (!Array.isArray(value)) throw expressionError(34435, `The argument to $reverseArray must be an array, but was of type: ${typeNameForError(value)}`);
      return [...value].reverse();
    };
  },
  $slice: (operand, compile, name) => {
    const args = operandList(operand);
    if (args.length < 2 || args.length > 3) throw expressionError(28667, `Expression ${name} takes at least 2 arguments, and at most 3`);
    const [array, first, second] = args.map(compile) as CompiledExpression[];
    return (current, variables) => {
      const value = array!(current, variables);
      const firstValue = first!(current, variables);
      const secondValue = second?.(current, variables);
      if (isNullish(value) || isNullish(firstValue) || (second !== undefined && isNullish(secondValue))) return null;
      if (!Array.isArray(value)) throw expressionError(28724, `First argument to $slice must be an array, but is of type: ${typeNameForError(value)}`);
      const n = integerValue(name, firstValue, 28725);
      if (second === undefined) return n >= 0 ? value.slice(0, n) : value.slice(Math.max(0, value.length + n));
      const count = integerValue(name, secondValue, 28726);
      if (count <= 0) throw expressionError(28729, `Third argument to $slice must be positive: ${count}`);
      const start = n >= 0 ? Math.min(n, value.length) : Math.max(0, value.length + n);
      return value.slice(start, start + count);
    };
  },
  $range: (operand, compile, name) => {
    const args = operandList(operand);
    if (args.length < 2 || args.length > 3) throw expressionError(28667, `Expression ${name} takes at least 2 arguments, and at most 3`);
    const [start, end, step] = args.map(compile) as CompiledExpression[];
    return (current, variables) => {
      const from = integerValue(name, start!(current, variables), 34443);
      const to = integerValue(name, end!(current, variables), 34445);
      const by = step === undefined ? 1 : integerValue(name, step(current, variables), 34447);
      if (by === 0) throw expressionError(34449, '$range requires a non-zero step value');
      const result: Int32[] = [];
      for (let i = from; by > 0 ? i < to : i > to; i += by) result.push(new Int32(i));
      return result;
    };
  },
  $indexOfArray: (operand, compile, name) => {
    const args = operandList(operand);
    if (args.length < 2 || args.length > 4) throw expressionError(28667, `Expression ${name} takes at least 2 arguments, and at most 4`);
    const [array, search, start, end] = args.map(compile) as CompiledExpression[];
    return (current, variables) => {
      const value = array!(current, variables);
      if (isNullish(value)) return null;
      if (!Array.isArray(value)) throw expressionError(40090, `$indexOfArray requires an array as a first argument, found: ${typeNameForError(value)}`);
      const needle = search!(current, variables);
      const from = start === undefined ? 0 : integerValue(name, start(current, variables), 40096);
      const to = end === undefined ? value.length : Math.min(value.length, integerValue(name, end(current, variables), 40097));
      for (let i = from; i < to; i++) if (valuesEqual(value[i], needle)) return new Int32(i);
      return new Int32(-1);
    };
  },
  $filter: (operand, compile) => {
    if (!isPlainDocument(operand) || !('input' in operand) || !('cond' in operand)) {
      throw expressionError(28648, "Missing 'input' or 'cond' parameter to $filter");
    }
    const input = compile(operand.input);
    const condition = compile(operand.cond);
    const limit = operand.limit === undefined ? undefined : compile(operand.limit);
    const name = bindingName(operand);
    return (current, variables) => {
      const value = input(current, variables);
      if (isNullish(value)) return null;
      if (!Array.isArray(value)) throw expressionError(28651, `input to $filter must be an array not ${typeNameForError(value)}`);
      const max = limit === undefined ? Infinity : integerValue('$filter', limit(current, variables), 327391);
      const result: unknown[] = [];
      for (const element of value) {
        if (result.length >= max) break;
        if (isTruthyValue(condition(current, withVariable(variables, name, element)))) result.push(element);
      }
      return result;
    };
  },
  $map: (operand, compile) => {
    if (!isPlainDocument(operand) || !('input' in operand) || !('in' in operand)) {
      throw expressionError(16882, "Missing 'input' or 'in' parameter to $map");
    }
    const input = compile(operand.input);
    const body = compile(operand.in);
    const name = bindingName(operand);
    return (current, variables) => {
      const value = input(current, variables);
      if (isNullish(value)) return null;
      if (!Array.isArray(value)) throw expressionError(16883, `input to $map must be an array not ${typeNameForError(value)}`);
      return value.map((element) => {
        const mapped = body(current, withVariable(variables, name, element));
        return mapped === undefined ? null : mapped;
      });
    };
  },
  $reduce: (operand, compile) => {
    if (!isPlainDocument(operand) || !('input' in operand) || !('initialValue' in operand) || !('in' in operand)) {
      throw expressionError(40079, "$reduce requires 'input', 'initialValue' and 'in' parameters");
    }
    const input = compile(operand.input);
    const initial = compile(operand.initialValue);
    const body = compile(operand.in);
    return (current, variables) => {
      const value = input(current, variables);
      if (isNullish(value)) return null;
      if (!Array.isArray(value)) throw expressionError(40080, `$reduce requires that 'input' be an array, found: ${typeNameForError(value)}`);
      let accumulated = initial(current, variables);
      for (const element of value) accumulated = body(current, { ...variables, value: accumulated, this: element });
      return accumulated;
    };
  },
  $sum: (operand, compile) => {
    const inputs = accumulatorInputs(operand, compile);
    return (current, variables) => {
      let total: unknown = new Int32(0);
      for (const value of inputs(current, variables)) if (isNumeric(value)) total = addNumbers(total, value);
      return total;
    };
  },
  $avg: (operand, compile) => {
    const inputs = accumulatorInputs(operand, compile);
    return (current, variables) => {
      let total: unknown = new Int32(0);
      let count = 0;
      for (const value of inputs(current, variables)) {
        if (!isNumeric(value)) continue;
        total = addNumbers(total, value);
        count++;
      }
      if (count === 0) return null;
      return numericWidth(total) === NumericWidth.decimal ? divideNumbers(total, new Int32(count)) : new Double(toDouble(total) / count);
    };
  },
  $min: (operand, compile) => extremeOf(operand, compile, -1),
  $max: (operand, compile) => extremeOf(operand, compile, 1),
  $allElementsTrue: (operand, compile, name) => {
    const [arg] = compileArgs(name, operand, compile, 1) as [CompiledExpression];
    return (current, variables) => {
      const value = arg(current, variables);
      if (!Array.isArray(value)) throw expressionError(17040, `$allElementsTrue's argument must be an array, but is ${typeNameForError(value)}`);
      return value.every(isTruthyValue);
    };
  },
  $anyElementTrue: (operand, compile, name) => {
    const [arg] = compileArgs(name, operand, compile, 1) as [CompiledExpression];
    return (current, variables) => {
      const value = arg(current, variables);
      if (!Array.isArray(value)) throw expressionError(17041, `$anyElementTrue's argument must be an array, but is ${typeNameForError(value)}`);
      return value.some(isTruthyValue);
    };
  },
  $setUnion: setOperator((sets) => distinct(sets.flat())),
  $setIntersection: setOperator((sets) => distinct(sets[0] ?? []).filter((value) => sets.every((set) => set.some((other) => valuesEqual(other, value))))),
  $setDifference: setOperator((sets) => distinct(sets[0] ?? []).filter((value) => !(sets[1] ?? []).some((other) => valuesEqual(other, value)))),
  $setEquals: setOperator((sets) => {
    const keys = sets.map((set) => new Set(set.map(groupKeyOf)));
    const first = keys[0]!;
    return keys.every((set) => set.size === first.size && [...set].every((key) => first.has(key)));
  }),
  $setIsSubset: setOperator((sets) => {
    const superset = new Set((sets[1] ?? []).map(groupKeyOf));
    return (sets[0] ?? []).every((value) => superset.has(groupKeyOf(value)));
  }),
};

function distinct(values: unknown[]): unknown[] {
  const seen = new Set<string>();
  return values.filter((value) => {
    const key = groupKeyOf(value);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function setOperator(apply: (sets: unknown[][]) => unknown) {
  return (operand: unknown, compile: CompileExpression, name: string): CompiledExpression => {
    const args = operandList(operand).map(compile);
    return (current, variables) => {
      const sets: unknown[][] = [];
      for (const arg of args) {
        const value = arg(current, variables);
        if (isNullish(value) && (name === '$setUnion' || name === '$setIntersection' || name === '$setDifference')) return null;
        if (!Array.isArray(value)) throw expressionError(17044, `All operands of ${name} must be arrays. One argument is of type: ${typeNameForError(value)}`);
        sets.push(value);
      }
      return apply(sets);
    };
  };
}

function extremeOf(operand: unknown, compile: CompileExpression, direction: 1 | -1): CompiledExpression {
  const inputs = accumulatorInputs(operand, compile);
  return (current, variables) => {
    let best: unknown;
    for (const value of inputs(current, variables)) {
      if (isNullish(value)) continue;
      if (best === undefined || compareExpressionValues(value, best) * direction > 0) best = value;
    }
    return best === undefined ? null : best;
  };
}

/** Array forms of the ranked accumulators and $zip/$sortArray. */
export const rankedArrayOperators: OperatorTable = {
  $firstN: nOfArray('$firstN', (values, n) => values.slice(0, n)),
  $lastN: nOfArray('$lastN', (values, n) => values.slice(Math.max(0, values.length - n))),
  $maxN: nOfArray('$maxN', (values, n) =>
    values
      .filter((v) => !isNullish(v))
      .sort((a, b) => compareExpressionValues(b, a))
      .slice(0, n),
  ),
  $minN: nOfArray('$minN', (values, n) =>
    values
      .filter((v) => !isNullish(v))
      .sort((a, b) => compareExpressionValues(a, b))
      .slice(0, n),
  ),
  $sortArray: (operand, compile) => {
    if (!isPlainDocument(operand) || !('input' in operand) || !('sortBy' in operand)) {
      throw expressionError(2942500, "$sortArray requires 'input' and 'sortBy' fields");
    }
    const input = compile(operand.input);
    const sortBy = operand.sortBy;
    let comparator: (a: unknown, b: unknown) => number;
    if (isNumeric(sortBy) && Math.abs(toDouble(sortBy)) === 1) {
      const direction = toDouble(sortBy);
      comparator = (a, b) => direction * compareExpressionValues(a, b);
    } else if (isPlainDocument(sortBy)) {
      const byFields = compileSort(sortBy);
      comparator = (a, b) => byFields((isPlainDocument(a) ? a : {}) as Document, (isPlainDocument(b) ? b : {}) as Document);
    } else {
      throw expressionError(2942503, '$sortArray sortBy must be 1, -1 or a sort specification object');
    }
    return (current, variables) => {
      const value = input(current, variables);
      if (isNullish(value)) return null;
      if (!Array.isArray(value)) throw expressionError(2942504, `The input argument to $sortArray must be an array, but was of type: ${typeNameForError(value)}`);
      return [...value].sort(comparator);
    };
  },
  $zip: (operand, compile) => {
    if (!isPlainDocument(operand) || !Array.isArray(operand.inputs)) throw expressionError(34460, "$zip requires an 'inputs' array");
    const inputs = operand.inputs.map(compile);
    const useLongest = operand.useLongestLength === true;
    const defaults = operand.defaults === undefined ? undefined : compile(operand.defaults);
    return (current, variables) => {
      const arrays: unknown[][] = [];
      for (const input of inputs) {
        const value = input(current, variables);
        if (isNullish(value)) return null;
        if (!Array.isArray(value)) throw expressionError(34468, `$zip found a non-array expression in input: ${typeNameForError(value)}`);
        arrays.push(value);
      }
      const fill = defaults ? (defaults(current, variables) as unknown[]) : [];
      const length = arrays.length === 0 ? 0 : useLongest ? Math.max(...arrays.map((a) => a.length)) : Math.min(...arrays.map((a) => a.length));
      return Array.from({ length }, (_, i) => arrays.map((array, j) => (i < array.length ? array[i] : (fill[j] ?? null))));
    };
  },
};

function nOfArray(name: string, pick: (values: unknown[], n: number) => unknown[]) {
  return (operand: unknown, compile: CompileExpression): CompiledExpression => {
    if (!isPlainDocument(operand) || !('input' in operand) || !('n' in operand)) throw expressionError(5787900, `${name} requires 'n' and 'input' fields`);
    const input = compile(operand.input);
    const count = compile(operand.n);
    return (current, variables) => {
      const value = input(current, variables);
      const n = integerValue(name, count(current, variables), 5787902);
      if (n <= 0) throw expressionError(5787908, `${name} requires 'n' to be positive`);
      if (isNullish(value)) return null;
      if (!Array.isArray(value)) throw expressionError(5788200, `${name} requires an array 'input', found ${typeNameForError(value)}`);
      return pick(value, n);
    };
  };
}
