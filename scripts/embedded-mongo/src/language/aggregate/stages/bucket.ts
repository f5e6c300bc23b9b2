import type { Document } from 'bson';
import { Int32 } from 'bson';
import { MongoCommandError } from '../../../errors.js';
import { compareValues } from '../../values/compare.js';
import { canonicalRank, isPlainDocument } from '../../values/type-order.js';
import { compileAccumulator } from '../accumulators.js';
import { compileExpression } from '../expressions.js';
import type { StageCompiler } from '../stage-types.js';

/**
 * $bucket: documents grouped into [lower, upper) ranges of `groupBy`; values outside every
 * range go to the `default` bucket, and without one they are an error, as in MongoDB.
 */
export const bucket: StageCompiler = (spec) => {
  if (!isPlainDocument(spec)) throw new MongoCommandError(40201, 'Argument to $bucket stage must be an object');
  for (const key of Object.keys(spec)) {
    if (!['groupBy', 'boundaries', 'default', 'output'].includes(key)) {
      throw new MongoCommandError(40197, `Unrecognized option to $bucket: ${key}.`);
    }
  }
  const { groupBy, boundaries, output } = spec;
  if (groupBy === undefined || boundaries === undefined) {
    throw new MongoCommandError(40198, "$bucket requires 'groupBy' and 'boundaries' to be specified.");
  }
  if (!(typeof groupBy === 'string' && groupBy.startsWith('$')) && !isPlainDocument(groupBy)) {
    throw new MongoCommandError(40202, "The $bucket 'groupBy' field must be defined as a $-prefixed path or an expression");
  }
  if (!Array.isArray(boundaries) || boundaries.length < 2) {
    throw new MongoCommandError(40192, "The $bucket 'boundaries' field must be an array with at least 2 values");
  }
  for (let i = 1; i < boundaries.length; i++) {
    if (canonicalRank(boundaries[i]) !== canonicalRank(boundaries[0])) {
      throw new MongoCommandError(40193, "All values in the 'boundaries' option to $bucket must have the same type");
    }
    if (compareValues(boundaries[i - 1], boundaries[i]) >= 0) {
      throw new MongoCommandError(40194, "The 'boundaries' option to $bucket must be sorted in ascending order");
    }
  }
  const hasDefault = Object.hasOwn(spec, 'default');
  if (
    hasDefault &&
    compareValues(spec.default, boundaries[0]) >= 0 &&
    compareValues(spec.default, boundaries[boundaries.length - 1]) < 0 &&
    canonicalRank(spec.default) === canonicalRank(boundaries[0])
  ) {
    throw new MongoCommandError(40199, "The $bucket 'default' field must be less than the lowest boundary or greater than or equal to the highest boundary.");
  }
  const outputSpec = output === undefined ? { count: { $sum: new Int32(1) } } : output;
  if (!isPlainDocument(outputSpec)) throw new MongoCommandError(40196, "The $bucket 'output' field must be an object");
  const accumulators = Object.entries(outputSpec).map(([field, accumulator]) => [field, compileAccumulator(field, accumulator, compileExpression)] as const);
  const groupExpression = compileExpression(groupBy);
  return (input, _ctx, variables) => {
    const buckets = new Map<number, { id: unknown; states: ReturnType<(typeof accumulators)[number][1]['create']>[] }>();
    for (const doc of input) {
      const value = groupExpression(doc, variables);
      let index = -1;
      if (value !== undefined && canonicalRank(value) === canonicalRank(boundaries[0])) {
        for (let i = 0; i < boundaries.length - 1; i++) {
          if (compareValues(value, boundaries[i]) >= 0 && compareValues(value, boundaries[i + 1]) < 0) {
            index = i;
            break;
          }
        }
      }
      if (index === -1 && !hasDefault) {
        throw new MongoCommandError(40066, '$switch could not find a matching branch for an input, and no default was specified.');
      }
      const key = index === -1 ? boundaries.length : index;
      let entry = buckets.get(key);
      if (entry === undefined) {
        entry = { id: index === -1 ? spec.default : boundaries[index], states: accumulators.map(([, accumulator]) => accumulator.create()) };
        buckets.set(key, entry);
      }
      for (let i = 0; i < accumulators.length; i++) entry.states[i]!.add(accumulators[i]![1].argument(doc, variables));
    }
    return [...buckets.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, { id, states }]) => {
        const result: Document = { _id: id };
        accumulators.forEach(([field], i) => (result[field] = states[i]!.result()));
        return result;
      });
  };
};
