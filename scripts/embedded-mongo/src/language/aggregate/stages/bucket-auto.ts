import type { Document } from 'bson';
import { Int32 } from 'bson';
import { ErrorCode, MongoCommandError } from '../../../errors.js';
import { compareValues } from '../../values/compare.js';
import { isNumeric, toExactInteger } from '../../values/numeric.js';
import { isPlainDocument } from '../../values/type-order.js';
import { compileAccumulator } from '../accumulators.js';
import { compileExpression } from '../expressions.js';
import type { StageCompiler } from '../stage-types.js';

/**
 * $bucketAuto: documents sorted by `groupBy` and cut into `buckets` groups of about equal size,
 * never splitting equal values across two buckets; each bucket's _id is {min, max} where max is
 * the next bucket's min (the last bucket's own maximum). Preferred-number `granularity` series
 * are not implemented and fail by name.
 */
export const bucketAuto: StageCompiler = (spec) => {
  if (!isPlainDocument(spec)) throw new MongoCommandError(40240, 'The argument to $bucketAuto must be an object');
  for (const key of Object.keys(spec)) {
    if (!['groupBy', 'buckets', 'output', 'granularity'].includes(key)) throw new MongoCommandError(40245, `Unrecognized option to $bucketAuto: ${key}.`);
  }
  if (spec.granularity !== undefined) {
    throw new MongoCommandError(ErrorCode.NotImplemented, "$bucketAuto with 'granularity' is not supported by embedded-mongo");
  }
  if (spec.groupBy === undefined) throw new MongoCommandError(40246, "$bucketAuto requires 'groupBy' and 'buckets' to be specified");
  const count = isNumeric(spec.buckets) ? toExactInteger(spec.buckets) : undefined;
  if (count === undefined || count <= 0n) throw new MongoCommandError(40243, "The $bucketAuto 'buckets' field must be greater than 0");
  const bucketCount = Number(count);
  const outputSpec = spec.output === undefined ? { count: { $sum: new Int32(1) } } : spec.output;
  if (!isPlainDocument(outputSpec)) throw new MongoCommandError(40244, "The $bucketAuto 'output' field must be an object");
  const accumulators = Object.entries(outputSpec).map(([field, accumulator]) => [field, compileAccumulator(field, accumulator, compileExpression)] as const);
  const groupBy = compileExpression(spec.groupBy);

  return (input, _ctx, variables) => {
    const entries = input.map((doc) => ({ doc, key: groupBy(doc, variables) ?? null })).sort((a, b) => compareValues(a.key, b.key));
    if (entries.length === 0) return [];
    // MongoDB fills each bucket to round(n / buckets) documents, then extends it over equal values.
    const target = Math.max(1, Math.round(entries.length / bucketCount));
    const groups: (typeof entries)[] = [];
    let current: typeof entries = [];
    for (let i = 0; i < entries.length; i++) {
      current.push(entries[i]!);
      const next = entries[i + 1];
      const isFull = current.length >= target && groups.length < bucketCount - 1;
      if (next === undefined || (isFull && compareValues(next.key, entries[i]!.key) !== 0)) {
        groups.push(current);
        current = [];
      }
    }
    return groups.map((group, index) => {
      const states = accumulators.map(([, accumulator]) => accumulator.create());
      for (const { doc } of group) accumulators.forEach(([, accumulator], i) => states[i]!.add(accumulator.argument(doc, variables)));
      const max = index + 1 < groups.length ? groups[index + 1]![0]!.key : group[group.length - 1]!.key;
      const result: Document = { _id: { min: group[0]!.key, max } };
      accumulators.forEach(([field], i) => (result[field] = states[i]!.result()));
      return result;
    });
  };
};
