import type { Document } from 'bson';

import { ErrorCode, MongoCommandError } from '../../../errors.js';
import { getPath } from '../../path.js';
import { compareValues } from '../../values/compare.js';
import { addNumbers } from '../../values/arithmetic.js';
import { groupKeyOf } from '../../values/group-key.js';
import { isNumeric, toDouble } from '../../values/numeric.js';
import { isPlainDocument } from '../../values/type-order.js';
import type { StageCompiler } from '../stage-types.js';
import { setFieldPath } from './set-field-path.js';

/**
 * $densify: fills gaps in a numeric or date sequence with documents holding only the sequence
 * field (and the partition fields), at `step` intervals from the range's start. The range is
 * each partition's own span, the span of all documents ('full'), or explicit [lower, upper).
 */
const MILLIS_PER_UNIT: Record<string, number> = { millisecond: 1, second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000, week: 604_800_000 };
const MONTHS_PER_UNIT: Record<string, number> = { month: 1, quarter: 3, year: 12 };

export const densify: StageCompiler = (spec) => {
  if (!isPlainDocument(spec) || typeof spec.field !== 'string' || !isPlainDocument(spec.range)) {
    throw new MongoCommandError(ErrorCode.FailedToParse, "$densify requires 'field' (a string) and 'range' (an object)");
  }
  const field = spec.field;
  const partitionFields = Array.isArray(spec.partitionByFields) ? (spec.partitionByFields as string[]) : [];
  const { step, unit, bounds } = spec.range;
  if (!isNumeric(step) || toDouble(step) <= 0) throw new MongoCommandError(5733401, 'the step parameter in a range statement must be a strictly positive numeric value');
  if (unit !== undefined && typeof unit !== 'string') throw new MongoCommandError(ErrorCode.FailedToParse, "'unit' must be a string");
  if (typeof unit === 'string' && !(unit in MILLIS_PER_UNIT || unit in MONTHS_PER_UNIT)) {
    throw new MongoCommandError(ErrorCode.FailedToParse, `unknown time unit value: ${unit}`);
  }
  if (!(bounds === 'full' || bounds === 'partition' || (Array.isArray(bounds) && bounds.length === 2))) {
    throw new MongoCommandError(5946802, "the bounds in a range statement must be the string 'full', 'partition', or an ascending array of two numbers or two dates");
  }
  const next = (value: unknown): unknown => {
    if (value instanceof Date) {
      if (typeof unit !== 'string') throw new MongoCommandError(6053600, '$densify of dates requires a unit');
      if (unit in MONTHS_PER_UNIT) {
        const result = new Date(value.getTime());
        result.setUTCMonth(result.getUTCMonth() + MONTHS_PER_UNIT[unit]! * toDouble(step));
        return result;
      }
      return new Date(value.getTime() + MILLIS_PER_UNIT[unit]! * toDouble(step));
    }
    if (typeof unit === 'string') throw new MongoCommandError(6053600, '$densify with a unit requires date values');
    return addNumbers(value, step);
  };

  return (input) => {
    const passthrough: Document[] = [];
    const partitions = new Map<string, { values: unknown[]; docs: Document[] }>();
    for (const doc of input) {
      const value = getPath(doc, field);
      if (value === null || value === undefined) {
        passthrough.push(doc);
        continue;
      }
      if (!isNumeric(value) && !(value instanceof Date)) throw new MongoCommandError(5733201, `$densify field '${field}' must hold numbers or dates`);
      const values = partitionFields.map((name) => getPath(doc, name) ?? null);
      const key = groupKeyOf(values);
      let partition = partitions.get(key);
      if (partition === undefined) partitions.set(key, (partition = { values, docs: [] }));
      partition.docs.push(doc);
    }
    const all = [...partitions.values()].flatMap((partition) => partition.docs.map((doc) => getPath(doc, field)));
    const globalMin = all.reduce((min, value) => (min === undefined || compareValues(value, min) < 0 ? value : min), undefined as unknown);
    const globalMax = all.reduce((max, value) => (max === undefined || compareValues(value, max) > 0 ? value : max), undefined as unknown);
    const output: Document[] = [...passthrough];
    for (const partition of [...partitions.values()].sort((a, b) => compareValues(a.values, b.values))) {
      const docs = [...partition.docs].sort((a, b) => compareValues(getPath(a, field), getPath(b, field)));
      const own = docs.map((doc) => getPath(doc, field));
      let lower: unknown;
      let upper: unknown;
      let isUpperExclusive = false;
      if (bounds === 'full') [lower, upper] = [globalMin, globalMax];
      else if (bounds === 'partition') [lower, upper] = [own[0], own[own.length - 1]];
      else [lower, upper, isUpperExclusive] = [(bounds as unknown[])[0], (bounds as unknown[])[1], true];
      const generated: Document[] = [];
      let guard = 0;
      for (let value = lower; compareValues(value, upper) < 0 || (!isUpperExclusive && compareValues(value, upper) === 0); value = next(value)) {
        if (++guard > 1_000_000) throw new MongoCommandError(5897900, '$densify would generate more than 1,000,000 documents');
        if (own.some((existing) => compareValues(existing, value) === 0)) continue;
        let doc: Document = {};
        partitionFields.forEach((name, i) => (doc = setFieldPath(doc, name, partition.values[i])));
        generated.push(setFieldPath(doc, field, value));
      }
      const merged = [...docs, ...generated].sort((a, b) => compareValues(getPath(a, field), getPath(b, field)));
      output.push(...merged);
    }
    return output;
  };
};
