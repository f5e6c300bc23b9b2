import type { Document } from 'bson';
import { ErrorCode, MongoCommandError, failedToParse } from '../errors.js';
import { runUpdatePipeline } from './update/pipeline-update.js';
import { applyOperatorUpdate } from './update/operator-update.js';
import { describeValue } from './update/describe.js';
import { buildUpsertSeed } from './update/upsert-seed.js';
import { valuesIdentical } from './values/compare.js';
import { isPlainDocument } from './values/type-order.js';

/**
 * Entry point for the three kinds of update MongoDB accepts: operator updates, replacement
 * documents and update pipelines. Always works on a copy (the server keeps old versions for
 * snapshot isolation) and reports `modified` by value identity, which is what `nModified` counts.
 */
export interface UpdateOptions {
  arrayFilters?: Document[];
  /** True when the update runs as the insert half of an upsert ($setOnInsert applies). */
  isInsert?: boolean;
  /** The query that selected the document: needed for the positional `$` operator. */
  query?: Document;
  /** The command's `let` variables (pipeline updates read them as `$$name`). */
  variables?: Record<string, unknown>;
}

export interface UpdateResult {
  doc: Document;
  modified: boolean;
}

export function applyUpdate(doc: Document, update: Document | Document[], options: UpdateOptions = {}): UpdateResult {
  let result: Document;
  let changed: boolean | undefined;
  if (Array.isArray(update)) {
    if (options.arrayFilters !== undefined && options.arrayFilters.length > 0) {
      throw failedToParse('arrayFilters may not be specified for pipeline-style updates');
    }
    result = runUpdatePipeline(doc, update, options.variables);
    // A pipeline that drops _id ($replaceWith, $project) keeps the original one, placed first.
    if (Object.hasOwn(doc, '_id') && !Object.hasOwn(result, '_id')) result = { _id: doc._id, ...result };
  } else if (!isPlainDocument(update)) {
    throw failedToParse('Update argument must be either an object or an array');
  } else if (isOperatorUpdate(update)) {
    ({ doc: result, changed } = applyOperatorUpdate(doc, update, options));
  } else {
    result = applyReplacement(doc, update);
  }
  if (!options.isInsert) enforceImmutableId(doc, result, Array.isArray(update) || isOperatorUpdate(update));
  return { doc: result, modified: changed ?? !valuesIdentical(doc, result) };
}

/** The document an upsert inserts: the query's equality fields, then the update applied as an insert. */
export function buildUpsertDocument(query: Document, update: Document | Document[], options: UpdateOptions = {}): Document {
  const seed = buildUpsertSeed(query);
  if (!Array.isArray(update) && isPlainDocument(update) && !isOperatorUpdate(update)) {
    // A replacement upsert keeps only the query's _id, placed first.
    const replacement = applyReplacement({}, update);
    if (replacement._id === undefined && seed._id !== undefined) return { _id: seed._id, ...replacement };
    return replacement;
  }
  const result = applyUpdate(seed, update, { ...options, isInsert: true, query }).doc;
  if (result._id !== undefined && Object.keys(result)[0] !== '_id') {
    const { _id, ...rest } = result;
    return { _id, ...rest };
  }
  return result;
}

function isOperatorUpdate(update: Document): boolean {
  for (const key in update) return key.startsWith('$');
  return false;
}

function applyReplacement(doc: Document, replacement: Document): Document {
  for (const key of Object.keys(replacement)) {
    if (key.startsWith('$')) {
      throw new MongoCommandError(
        ErrorCode.DollarPrefixedFieldName,
        `The dollar ($) prefixed field '${key}' in '${key}' is not allowed in the context of an update's replacement document. Consider using an aggregation pipeline with $replaceWith.`,
      );
    }
  }
  const result: Document = {};
  if (Object.hasOwn(doc, '_id')) {
    if (Object.hasOwn(replacement, '_id') && !valuesIdentical(doc._id, replacement._id)) {
      throw new MongoCommandError(ErrorCode.ImmutableField, `After applying the update, the (immutable) field '_id' was found to have been altered to _id: ${describeValue(replacement._id)}`);
    }
    result._id = doc._id;
  } else if (Object.hasOwn(replacement, '_id')) {
    result._id = replacement._id;
  }
  for (const key of Object.keys(replacement)) {
    if (key !== '_id') result[key] = replacement[key];
  }
  return result;
}

function enforceImmutableId(before: Document, after: Document, isModification: boolean): void {
  if (!isModification || !Object.hasOwn(before, '_id')) return;
  if (!Object.hasOwn(after, '_id') || !valuesIdentical(before._id, after._id)) {
    throw new MongoCommandError(ErrorCode.ImmutableField, "Performing an update on the path '_id' would modify the immutable field '_id'");
  }
}
