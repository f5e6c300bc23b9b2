import type { Document } from 'bson';
import { Double, Int32 } from 'bson';
import { ErrorCode, MongoCommandError } from '../../../errors.js';
import { compileSort, sortKeyOf } from '../../sort.js';
import { splitPath } from '../../path.js';
import { compareValues } from '../../values/compare.js';
import { isNumeric, toDouble, toExactInteger } from '../../values/numeric.js';
import { isPlainDocument } from '../../values/type-order.js';
import { compileAccumulator, type CompiledAccumulator } from '../accumulators.js';
import type { CompiledExpression, Variables } from '../expression-types.js';
import { compileExpression } from '../expressions.js';
import { groupKeyOf } from '../../values/group-key.js';
import type { StageCompiler } from '../stage-types.js';
import { setFieldPath } from './set-field-path.js';

/**
 * $setWindowFields: documents are partitioned, sorted within each partition, and each output
 * field is computed over a window of neighbouring documents (by position with `documents`, by
 * sort-key value with `range`; the whole partition by default). Output comes sorted by
 * partition then by sortBy, as MongoDB's implicit sort produces it.
 */
type Bound = number | 'unbounded' | 'current';

interface WindowOutput {
  field: string;
  compute: (partition: Document[], keys: unknown[], variables: Variables) => unknown[];
}

export const setWindowFields: StageCompiler = (spec) => {
  if (!isPlainDocument(spec)) throw new MongoCommandError(ErrorCode.FailedToParse, 'the $setWindowFields stage specification must be an object');
  const partitionBy = spec.partitionBy === undefined ? undefined : compileExpression(spec.partitionBy);
  if (spec.sortBy !== undefined && !isPlainDocument(spec.sortBy)) throw new MongoCommandError(ErrorCode.FailedToParse, "'sortBy' must be an object");
  const sortBy = spec.sortBy as Document | undefined;
  const comparator = sortBy === undefined ? undefined : compileSort(sortBy);
  const firstSortField = sortBy === undefined ? undefined : Object.keys(sortBy)[0];
  const sortKey =
    firstSortField === undefined ? undefined : { path: firstSortField, parts: splitPath(firstSortField), field: undefined, direction: (toDouble(sortBy![firstSortField]) === -1 ? -1 : 1) as 1 | -1 };
  if (!isPlainDocument(spec.output)) throw new MongoCommandError(ErrorCode.FailedToParse, "$setWindowFields requires an 'output' object");
  const outputs = Object.entries(spec.output).map(([field, outputSpec]) => compileWindowOutput(field, outputSpec, comparator !== undefined));

  return (input, _ctx, variables) => {
    const partitions = new Map<string, { key: unknown; docs: Document[] }>();
    for (const doc of input) {
      const key = partitionBy === undefined ? null : (partitionBy(doc, variables) ?? null);
      const hash = groupKeyOf(key);
      let partition = partitions.get(hash);
      if (partition === undefined) partitions.set(hash, (partition = { key, docs: [] }));
      partition.docs.push(doc);
    }
    const ordered = [...partitions.values()].sort((a, b) => compareValues(a.key, b.key));
    const result: Document[] = [];
    for (const partition of ordered) {
      const docs = comparator === undefined ? partition.docs : [...partition.docs].sort(comparator);
      const keys = sortKey === undefined ? docs.map(() => null) : docs.map((doc) => sortKeyOf(doc, sortKey));
      const columns = outputs.map((output) => output.compute(docs, keys, variables));
      docs.forEach((doc, index) => {
        let output = doc;
        outputs.forEach((windowOutput, column) => {
          output = setFieldPath(output, windowOutput.field, columns[column]![index]);
        });
        result.push(output);
      });
    }
    return result;
  };
};

function compileWindowOutput(field: string, spec: unknown, isSorted: boolean): WindowOutput {
  if (!isPlainDocument(spec)) throw new MongoCommandError(ErrorCode.FailedToParse, `The field '${field}' must be an object`);
  const { window, ...operatorSpec } = spec;
  const names = Object.keys(operatorSpec);
  if (names.length !== 1) throw new MongoCommandError(ErrorCode.FailedToParse, `Expected exactly one window function for field '${field}'`);
  const name = names[0]!;
  const operand = operatorSpec[name];
  switch (name) {
    case '$documentNumber':
    case '$rank':
    case '$denseRank':
      if (!isSorted) throw new MongoCommandError(5371602, `${name} must be specified with a top level sortBy expression with exactly one element`);
      return { field, compute: (docs, keys) => ranks(name, docs, keys) };
    case '$shift':
      return { field, compute: compileShift(operand) };
    case '$locf':
    case '$linearFill':
    case '$expMovingAvg':
      if (!isSorted) throw new MongoCommandError(ErrorCode.FailedToParse, `${name} requires a sortBy`);
      return { field, compute: compileSequenceFunction(name, operand) };
    case '$derivative':
    case '$integral':
    case '$covariancePop':
    case '$covarianceSamp': {
      const bounds = parseWindow(window, isSorted);
      return { field, compute: compileWindowMath(name, operand, bounds) };
    }
  }
  const accumulator = compileAccumulator(field, { [name]: operand }, compileExpression);
  const bounds = parseWindow(window, isSorted);
  return { field, compute: (docs, keys, variables) => accumulateWindows(accumulator, bounds, docs, keys, variables) };
}

function ranks(name: string, docs: Document[], keys: unknown[]): Int32[] {
  const result: Int32[] = [];
  let rank = 0;
  let dense = 0;
  for (let i = 0; i < docs.length; i++) {
    const isTie = i > 0 && compareValues(keys[i], keys[i - 1]) === 0;
    if (!isTie) {
      rank = i + 1;
      dense++;
    }
    result.push(new Int32(name === '$documentNumber' ? i + 1 : name === '$rank' ? rank : dense));
  }
  return result;
}

function compileShift(operand: unknown): WindowOutput['compute'] {
  if (!isPlainDocument(operand) || !('output' in operand) || !('by' in operand)) {
    throw new MongoCommandError(ErrorCode.FailedToParse, "$shift requires 'output' and 'by' fields");
  }
  const by = isNumeric(operand.by) ? toExactInteger(operand.by) : undefined;
  if (by === undefined) throw new MongoCommandError(ErrorCode.FailedToParse, "'by' field of $shift must be an integer");
  const output = compileExpression(operand.output);
  const fallback = operand.default === undefined ? undefined : compileExpression(operand.default);
  const offset = Number(by);
  return (docs, _keys, variables) =>
    docs.map((doc, index) => {
      const target = docs[index + offset];
      if (target === undefined) return fallback === undefined ? null : fallback(doc, variables);
      const value = output(target, variables);
      return value === undefined ? null : value;
    });
}

interface WindowBounds {
  kind: 'documents' | 'range';
  lower: Bound;
  upper: Bound;
  /** Time unit of a range window over dates. */
  unit?: string;
}

function parseWindow(window: unknown, isSorted: boolean): WindowBounds {
  if (window === undefined) return { kind: 'documents', lower: 'unbounded', upper: 'unbounded' };
  if (!isPlainDocument(window)) throw new MongoCommandError(ErrorCode.FailedToParse, "'window' field must be an object");
  if (window.unit !== undefined && (typeof window.unit !== 'string' || !(window.unit in UNIT_MILLIS || window.unit in MONTHS_PER_UNIT))) {
    throw new MongoCommandError(ErrorCode.FailedToParse, `unknown time unit value: ${String(window.unit)}`);
  }
  const kind = window.documents !== undefined ? 'documents' : window.range !== undefined ? 'range' : undefined;
  if (kind === undefined) throw new MongoCommandError(ErrorCode.FailedToParse, "'window' field must specify 'documents' or 'range'");
  const bounds = window[kind];
  if (!Array.isArray(bounds) || bounds.length !== 2) throw new MongoCommandError(ErrorCode.FailedToParse, `Window bounds must be a 2-element array`);
  if (!isSorted && !(bounds[0] === 'unbounded' && bounds[1] === 'unbounded')) {
    throw new MongoCommandError(5339901, 'Document-based bounds require a sortBy');
  }
  const parsed: WindowBounds = { kind, lower: parseBound(bounds[0]), upper: parseBound(bounds[1]) };
  if (typeof window.unit === 'string') parsed.unit = window.unit;
  return parsed;
}

function parseBound(value: unknown): Bound {
  if (value === 'unbounded' || value === 'current') return value;
  if (isNumeric(value)) return toDouble(value);
  throw new MongoCommandError(ErrorCode.FailedToParse, `Window bounds must be 'unbounded', 'current' or a number, found ${String(value)}`);
}

function accumulateWindows(accumulator: CompiledAccumulator, bounds: WindowBounds, docs: Document[], keys: unknown[], variables: Variables): unknown[] {
  const values = docs.map((doc) => accumulator.argument(doc, variables));
  return docs.map((_doc, index) => {
    const state = accumulator.create();
    const [from, to] = bounds.kind === 'documents' ? documentRange(bounds, index, docs.length) : valueRange(bounds, index, keys);
    for (let i = from; i <= to; i++) state.add(values[i]);
    return state.result();
  });
}

function documentRange(bounds: WindowBounds, index: number, length: number): [number, number] {
  const resolve = (bound: Bound, unbounded: number): number => (bound === 'unbounded' ? unbounded : bound === 'current' ? index : index + bound);
  return [Math.max(0, resolve(bounds.lower, 0)), Math.min(length - 1, resolve(bounds.upper, length - 1))];
}

/** Range windows compare numeric sort keys: every document whose key lies in [key + lower, key + upper]. */
function valueRange(bounds: WindowBounds, index: number, keys: unknown[]): [number, number] {
  const key = keys[index];
  const unit = bounds.unit;
  let low: number;
  let high: number;
  let positionOfKey: (candidate: unknown) => number;
  if (unit !== undefined) {
    // Date ranges move by calendar units: months and years are not a fixed number of milliseconds.
    if (!(key instanceof Date)) throw new MongoCommandError(5429513, 'Invalid range: Expected the sortBy field to be a date, because the window has a unit');
    const shift = (amount: number): number => {
      if (unit in MONTHS_PER_UNIT) {
        const moved = new Date(key.getTime());
        moved.setUTCMonth(moved.getUTCMonth() + amount * MONTHS_PER_UNIT[unit]!);
        return moved.getTime();
      }
      return key.getTime() + amount * UNIT_MILLIS[unit]!;
    };
    low = bounds.lower === 'unbounded' ? -Infinity : bounds.lower === 'current' ? key.getTime() : shift(bounds.lower);
    high = bounds.upper === 'unbounded' ? Infinity : bounds.upper === 'current' ? key.getTime() : shift(bounds.upper);
    positionOfKey = (candidate) => (candidate instanceof Date ? candidate.getTime() : NaN);
  } else {
    if (!isNumeric(key)) throw new MongoCommandError(5429414, 'Invalid range: Expected the sortBy field to be a number');
    const center = toDouble(key);
    low = bounds.lower === 'unbounded' ? -Infinity : bounds.lower === 'current' ? center : center + bounds.lower;
    high = bounds.upper === 'unbounded' ? Infinity : bounds.upper === 'current' ? center : center + bounds.upper;
    positionOfKey = (candidate) => (isNumeric(candidate) ? toDouble(candidate) : NaN);
  }
  let from = keys.length;
  let to = -1;
  keys.forEach((candidate, position) => {
    const value = positionOfKey(candidate);
    if (value >= low && value <= high) {
      from = Math.min(from, position);
      to = Math.max(to, position);
    }
  });
  return [from, to];
}

/** Position of a document along the sortBy field, in the unit requested (dates as milliseconds / unit). */
function positionOf(key: unknown, unitMillis: number): number {
  if (key instanceof Date) return key.getTime() / unitMillis;
  return isNumeric(key) ? toDouble(key) : NaN;
}

const UNIT_MILLIS: Record<string, number> = { millisecond: 1, second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000, week: 604_800_000 };
const MONTHS_PER_UNIT: Record<string, number> = { month: 1, quarter: 3, year: 12 };

/** $locf, $linearFill and $expMovingAvg: functions of the whole ordered partition. */
function compileSequenceFunction(name: string, operand: unknown): WindowOutput['compute'] {
  if (name === '$expMovingAvg') {
    if (!isPlainDocument(operand) || !('input' in operand) || 'N' in operand === 'alpha' in operand) {
      throw new MongoCommandError(ErrorCode.FailedToParse, "$expMovingAvg requires 'input' and exactly one of 'N' or 'alpha'");
    }
    const input = compileExpression(operand.input);
    const alpha = 'N' in operand ? 2 / (toDouble(operand.N) + 1) : toDouble(operand.alpha);
    if (!(alpha > 0 && alpha < 1)) throw new MongoCommandError(ErrorCode.FailedToParse, "$expMovingAvg 'alpha' must be between 0 and 1 (exclusive)");
    return (docs, _keys, variables) => {
      let average: number | undefined;
      return docs.map((doc) => {
        const value = input(doc, variables);
        if (!isNumeric(value)) return null;
        average = average === undefined ? toDouble(value) : alpha * toDouble(value) + (1 - alpha) * average;
        return new Double(average);
      });
    };
  }
  const input = compileExpression(operand);
  if (name === '$locf') {
    return (docs, _keys, variables) => {
      let last: unknown = null;
      return docs.map((doc) => {
        const value = input(doc, variables);
        if (value !== null && value !== undefined) last = value;
        return last;
      });
    };
  }
  return (docs, keys, variables) => {
    const values = docs.map((doc) => input(doc, variables));
    const positions = keys.map((key) => positionOf(key, 1));
    return values.map((value, index) => {
      if (value !== null && value !== undefined) return value;
      let before = index - 1;
      while (before >= 0 && !isNumeric(values[before])) before--;
      let after = index + 1;
      while (after < values.length && !isNumeric(values[after])) after++;
      if (before < 0 || after >= values.length) return null;
      const ratio = (positions[index]! - positions[before]!) / (positions[after]! - positions[before]!);
      return new Double(toDouble(values[before]) + (toDouble(values[after]) - toDouble(values[before])) * ratio);
    });
  };
}

/** $derivative and $integral along the sortBy field, and the covariances, over each document's window. */
function compileWindowMath(name: string, operand: unknown, bounds: WindowBounds): WindowOutput['compute'] {
  let first: CompiledExpression;
  let second: CompiledExpression | undefined;
  let unitMillis = 1;
  if (name === '$derivative' || name === '$integral') {
    if (!isPlainDocument(operand) || !('input' in operand)) throw new MongoCommandError(ErrorCode.FailedToParse, `${name} requires an 'input'`);
    first = compileExpression(operand.input);
    if (operand.unit !== undefined) {
      const millis = typeof operand.unit === 'string' ? UNIT_MILLIS[operand.unit] : undefined;
      if (millis === undefined) throw new MongoCommandError(ErrorCode.FailedToParse, `${name} 'unit' must be one of week, day, hour, minute, second, millisecond`);
      unitMillis = millis;
    }
  } else {
    if (!Array.isArray(operand) || operand.length !== 2) throw new MongoCommandError(ErrorCode.FailedToParse, `${name} requires an array of two expressions`);
    first = compileExpression(operand[0]);
    second = compileExpression(operand[1]);
  }
  return (docs, keys, variables) => {
    const xs = keys.map((key) => positionOf(key, unitMillis));
    const ys = docs.map((doc) => first(doc, variables));
    const zs = second === undefined ? [] : docs.map((doc) => second!(doc, variables));
    return docs.map((_doc, index) => {
      const [from, to] = bounds.kind === 'documents' ? documentRange(bounds, index, docs.length) : valueRange(bounds, index, keys);
      if (name === '$derivative') {
        if (to <= from || !isNumeric(ys[from]) || !isNumeric(ys[to])) return null;
        return new Double((toDouble(ys[to]) - toDouble(ys[from])) / (xs[to]! - xs[from]!));
      }
      if (name === '$integral') {
        let area = 0;
        for (let i = from; i < to; i++) {
          if (isNumeric(ys[i]) && isNumeric(ys[i + 1])) area += ((toDouble(ys[i]) + toDouble(ys[i + 1])) / 2) * (xs[i + 1]! - xs[i]!);
        }
        return new Double(area);
      }
      const pairs: [number, number][] = [];
      for (let i = from; i <= to; i++) if (isNumeric(ys[i]) && isNumeric(zs[i])) pairs.push([toDouble(ys[i]), toDouble(zs[i])]);
      const divisor = name === '$covarianceSamp' ? pairs.length - 1 : pairs.length;
      if (divisor <= 0) return null;
      const meanY = pairs.reduce((sum, [y]) => sum + y, 0) / pairs.length;
      const meanZ = pairs.reduce((sum, [, z]) => sum + z, 0) / pairs.length;
      return new Double(pairs.reduce((sum, [y, z]) => sum + (y - meanY) * (z - meanZ), 0) / divisor);
    });
  };
}
