import type { Document } from 'bson';
import { MongoCommandError } from '../../../errors.js';
import { collectValuesAlongPath, splitPath, EMPTY_ARRAY } from '../../path.js';
import { isPlainDocument } from '../../values/type-order.js';
import { compileExpression } from '../expressions.js';
import { groupKeyOf } from '../../values/group-key.js';
import type { StageCompiler } from '../stage-types.js';
import { setFieldPath } from './set-field-path.js';

/**
 * $lookup, in both forms: equality (localField/foreignField, matched through a hash of the
 * foreign values, with query semantics: arrays match by any element and missing matches null)
 * and sub-pipeline (let + pipeline, optionally combined with the equality fields).
 */
export const lookup: StageCompiler = (spec, compilePipeline) => {
  if (!isPlainDocument(spec)) throw new MongoCommandError(40319, 'the $lookup stage specification must be an object');
  const { from, as, localField, foreignField, pipeline } = spec;
  if (typeof from !== 'string') throw new MongoCommandError(40321, "$lookup 'from' must be a string (the $documents form is not supported by embedded-mongo)");
  if (typeof as !== 'string') throw new MongoCommandError(40321, "must specify 'as' field for a $lookup");
  const hasEquality = localField !== undefined || foreignField !== undefined;
  if (hasEquality && (typeof localField !== 'string' || typeof foreignField !== 'string')) {
    throw new MongoCommandError(40321, "$lookup requires both or neither of 'localField' and 'foreignField' to be specified");
  }
  if (!hasEquality && pipeline === undefined) throw new MongoCommandError(40321, "$lookup requires either 'pipeline' or both 'localField' and 'foreignField' to be specified");
  if (pipeline !== undefined && !Array.isArray(pipeline)) throw new MongoCommandError(14, "$lookup 'pipeline' must be an array");
  const letBindings = isPlainDocument(spec.let) ? Object.entries(spec.let).map(([name, expression]) => [name, compileExpression(expression)] as const) : [];
  const subPipeline = pipeline === undefined ? undefined : compilePipeline(pipeline as Document[]);
  const localParts = hasEquality ? splitPath(localField as string) : [];
  const foreignParts = hasEquality ? splitPath(foreignField as string) : [];

  return (input, ctx, variables) => {
    const foreignDocs = Array.from(ctx.getCollection(from));
    const foreignByKey = hasEquality ? indexByValue(foreignDocs, foreignParts) : undefined;
    return input.map((doc) => {
      let candidates = foreignDocs;
      if (foreignByKey !== undefined) {
        const matched = new Set<Document>();
        for (const key of keysAlongPath(doc, localParts)) for (const foreign of foreignByKey.get(key) ?? []) matched.add(foreign);
        candidates = foreignDocs.filter((foreign) => matched.has(foreign));
      }
      if (subPipeline !== undefined) {
        const scope = { ...variables };
        for (const [name, expression] of letBindings) scope[name] = expression(doc, variables);
        candidates = subPipeline(candidates, ctx, scope);
      }
      return setFieldPath(doc, as, candidates);
    });
  };
};

function keysAlongPath(doc: Document, parts: string[]): string[] {
  const { values } = collectValuesAlongPath(doc, parts);
  if (values.length === 0) return [groupKeyOf(null)];
  return values.map((value) => groupKeyOf(value === EMPTY_ARRAY ? null : value));
}

function indexByValue(docs: Document[], parts: string[]): Map<string, Document[]> {
  const index = new Map<string, Document[]>();
  for (const doc of docs) {
    for (const key of new Set(keysAlongPath(doc, parts))) {
      let bucket = index.get(key);
      if (bucket === undefined) index.set(key, (bucket = []));
      bucket.push(doc);
    }
  }
  return index;
}
