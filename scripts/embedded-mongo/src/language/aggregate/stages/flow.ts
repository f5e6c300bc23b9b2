import type { Document } from 'bson';
import { Int32 } from 'bson';
import { MongoCommandError } from '../../../errors.js';
import { compileFilterWithVariables } from '../../filter.js';
import { compileSort } from '../../sort.js';
import { isNumeric, toDouble, toExactInteger } from '../../values/numeric.js';
import { isPlainDocument } from '../../values/type-order.js';
import type { StageCompiler } from '../stage-types.js';

/** Stages that select, order, count or combine documents without reshaping them. */
export const match: StageCompiler = (spec) => {
  if (!isPlainDocument(spec)) throw new MongoCommandError(15959, 'the match filter must be an expression in an object');
  const filter = compileFilterWithVariables(spec);
  return (input, _ctx, variables) => input.filter((doc) => filter(doc, variables));
};

export const sort: StageCompiler = (spec) => {
  if (!isPlainDocument(spec)) throw new MongoCommandError(15973, 'the $sort key specification must be an object');
  if (Object.keys(spec).length === 0) throw new MongoCommandError(15976, '$sort stage must have at least one sort key');
  const comparator = compileSort(spec);
  // Array.prototype.sort is stable, which keeps ties in input order like MongoDB's blocking sort.
  return (input) => [...input].sort(comparator);
};

function positiveInteger(value: unknown, code: number, message: string): number {
  const integer = isNumeric(value) ? toExactInteger(value) : undefined;
  if (integer === undefined) throw new MongoCommandError(code, message);
  return Number(integer);
}

export const limit: StageCompiler = (spec) => {
  const count = positiveInteger(spec, 15957, 'the limit must be specified as a number');
  if (count <= 0) throw new MongoCommandError(15958, 'the limit must be positive');
  return (input) => input.slice(0, count);
};

export const skip: StageCompiler = (spec) => {
  const count = positiveInteger(spec, 15972, 'Argument to $skip must be a number');
  if (count < 0) throw new MongoCommandError(15956, 'Argument to $skip cannot be negative');
  return (input) => input.slice(count);
};

export const count: StageCompiler = (spec) => {
  if (typeof spec !== 'string') throw new MongoCommandError(40156, 'the count field must be a non-empty string');
  if (spec === '') throw new MongoCommandError(40157, 'the count field must be a non-empty string');
  if (spec.startsWith('$')) throw new MongoCommandError(40158, 'the count field cannot be a $-prefixed path');
  if (spec.includes('.')) throw new MongoCommandError(40160, "the count field cannot contain '.'");
  return (input) => (input.length === 0 ? [] : [{ [spec]: new Int32(input.length) }]);
};

export const sample: StageCompiler = (spec) => {
  if (!isPlainDocument(spec) || !isNumeric(spec.size)) throw new MongoCommandError(28749, 'size argument to $sample must be a number');
  const size = toDouble(spec.size);
  if (size < 0) throw new MongoCommandError(28747, 'size argument to $sample must not be negative');
  return (input) => {
    const shuffled = [...input];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    return shuffled.slice(0, size);
  };
};

export const facet: StageCompiler = (spec, compilePipeline) => {
  if (!isPlainDocument(spec) || Object.keys(spec).length === 0) {
    throw new MongoCommandError(40169, 'the $facet specification must be a non-empty object');
  }
  const facets = Object.entries(spec).map(([name, pipeline]) => {
    if (!Array.isArray(pipeline)) throw new MongoCommandError(40170, `arguments to $facet must be arrays, ${name} is type ${typeof pipeline}`);
    for (const stage of pipeline) {
      const stageName = isPlainDocument(stage) ? Object.keys(stage)[0] : undefined;
      if (stageName === '$out' || stageName === '$merge' || stageName === '$facet' || stageName === '$indexStats' || stageName === '$collStats') {
        throw new MongoCommandError(40600, `${stageName} is not allowed to be used within a $facet stage`);
      }
    }
    return [name, compilePipeline(pipeline as Document[])] as const;
  });
  return (input, ctx, variables) => {
    const result: Document = {};
    for (const [name, pipeline] of facets) result[name] = pipeline(input, ctx, variables);
    return [result];
  };
};

export const unionWith: StageCompiler = (spec, compilePipeline) => {
  let collection: string;
  let pipeline: Document[] = [];
  if (typeof spec === 'string') {
    collection = spec;
  } else if (isPlainDocument(spec) && typeof spec.coll === 'string') {
    collection = spec.coll;
    if (spec.pipeline !== undefined) {
      if (!Array.isArray(spec.pipeline)) throw new MongoCommandError(14, "$unionWith 'pipeline' must be an array");
      pipeline = spec.pipeline as Document[];
    }
  } else {
    throw new MongoCommandError(40626, "the $unionWith stage specification must be an object or string, with 'coll' a string");
  }
  const compiled = compilePipeline(pipeline);
  return (input, ctx, variables) => [...input, ...compiled(Array.from(ctx.getCollection(collection)), ctx, variables)];
};
