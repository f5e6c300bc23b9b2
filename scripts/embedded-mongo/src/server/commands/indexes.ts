import { valuesEqual } from '../../language/index.js';
import type { Document } from 'bson';
import { ErrorCode, MongoCommandError } from '../../errors.js';
import type { Collection } from '../../storage/collection.js';
import type { IndexOptions } from '../../storage/collection-index.js';
import { numberOf } from '../../storage/numeric-value.js';
import { collectionArgument, ensureCollectionFor } from '../command-arguments.js';
import type { CommandContext } from '../command-context.js';
import { firstBatchReply } from '../cursors.js';
import { durable } from '../write-statement.js';

/** Index commands: createIndexes, listIndexes, dropIndexes. */

/** The internal TTL index of a time series collection's `expireAfterSeconds` (never listed, never dropped). */
export const TIMESERIES_TTL_INDEX = '$timeseries_expireAfterSeconds';
/** Indexes a user does not see: a time series collection's `_id` index and its TTL index. */
const hiddenIndex = (coll: Collection, name: string): boolean => name === TIMESERIES_TTL_INDEX || (name === '_id_' && coll.isTimeseries);

const KNOWN_INDEX_FIELDS = new Set(['key', 'name', 'unique', 'sparse', 'partialFilterExpression', 'expireAfterSeconds', 'v', 'background', 'ns', 'prepareUnique']);

export async function createIndexes(ctx: CommandContext): Promise<Document> {
  const name = collectionArgument(ctx, 'createIndexes');
  const specs = ctx.body.indexes;
  if (!Array.isArray(specs) || specs.length === 0) throw new MongoCommandError(ErrorCode.BadValue, 'Must specify at least one index to create');
  const engine = ctx.state.engine;
  const existed = engine.collection(ctx.db, name) !== undefined;
  const coll = ensureCollectionFor(ctx, name);
  const before = coll.indexes.size;
  const namesBefore = new Set(coll.indexes.keys());
  for (const spec of specs as Document[]) {
    const { indexName, key, options } = parseIndexSpec(spec);
    const existing = coll.indexes.get(indexName);
    const sameKey = [...coll.indexes.values()].find((ix) => sameKeyPattern(ix.key, key));
    if (existing !== undefined) {
      if (!sameKeyPattern(existing.key, key)) {
        throw new MongoCommandError(
          ErrorCode.IndexKeySpecsConflict,
          `An existing index has the same name as the requested index. When index names are not specified, they are auto generated and can cause conflicts. Please refer to our documentation. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(existing.describe())}`,
        );
      }
      if (!sameOptions(existing.options, options)) {
        throw new MongoCommandError(
          ErrorCode.IndexOptionsConflict,
          `An equivalent index already exists with the same name but different options. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(existing.describe())}`,
        );
      }
      continue;
    }
    if (sameKey !== undefined && sameOptions(sameKey.options, options)) continue;
    if (sameKey !== undefined && sameKey.options.partialFilterExpression === undefined && options.partialFilterExpression === undefined) {
      throw new MongoCommandError(
        ErrorCode.IndexOptionsConflict,
        `An equivalent index already exists with a different name and options. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(sameKey.describe())}`,
      );
    }
    engine.createIndex(coll, indexName, key, options);
  }
  if (ctx.txn !== null) for (const indexName of coll.indexes.keys()) if (!namesBefore.has(indexName)) engine.markCreatedBy(ctx.txn, coll, indexName);
  await durable(ctx);
  const reply: Document = { numIndexesBefore: before, numIndexesAfter: coll.indexes.size, createdCollectionAutomatically: !existed, ok: 1 };
  if (before === coll.indexes.size) reply.note = 'all indexes already exist';
  return reply;
}

function parseIndexSpec(spec: Document): { indexName: string; key: Document; options: IndexOptions } {
  const key = spec.key as Document | undefined;
  if (key === undefined || typeof key !== 'object' || Object.keys(key).length === 0) throw new MongoCommandError(ErrorCode.BadValue, 'Index key must be a non-empty document');
  for (const [field, dir] of Object.entries(key)) {
    if (typeof dir === 'string') throw new MongoCommandError(ErrorCode.CannotCreateIndex, `embedded-mongo does not support '${dir}' indexes (field '${field}')`);
    const n = numberOf(dir);
    if (Number.isNaN(n) || n === 0) throw new MongoCommandError(ErrorCode.CannotCreateIndex, `Values in the index key pattern can only be non-zero numbers; got ${field}: ${String(dir)}`);
  }
  for (const field of Object.keys(spec)) {
    if (!KNOWN_INDEX_FIELDS.has(field))
      throw new MongoCommandError(ErrorCode.InvalidIndexSpecificationOption, `The field '${field}' is not valid for an index specification (not supported by embedded-mongo)`);
  }
  const indexName = typeof spec.name === 'string' ? spec.name : defaultIndexName(key);
  const options: IndexOptions = {};
  if (spec.unique === true || numberOf(spec.unique) === 1) options.unique = true;
  if (spec.sparse === true || numberOf(spec.sparse) === 1) options.sparse = true;
  if ((spec.prepareUnique === true || numberOf(spec.prepareUnique) === 1) && options.unique !== true) options.prepareUnique = true;
  if (spec.partialFilterExpression !== undefined) options.partialFilterExpression = spec.partialFilterExpression as Document;
  if (spec.expireAfterSeconds !== undefined) {
    const seconds = numberOf(spec.expireAfterSeconds);
    if (Number.isNaN(seconds) || seconds < 0) throw new MongoCommandError(ErrorCode.CannotCreateIndex, 'expireAfterSeconds must be a non-negative number');
    if (Object.keys(key).length !== 1) throw new MongoCommandError(ErrorCode.CannotCreateIndex, 'TTL indexes are single-field indexes, compound indexes do not support TTL');
    options.expireAfterSeconds = seconds;
  }
  if (indexName === '_id_' && !sameKeyPattern(key, { _id: 1 })) throw new MongoCommandError(ErrorCode.BadValue, "The index name '_id_' is reserved for the _id index");
  return { indexName, key, options };
}

export function defaultIndexName(key: Document): string {
  return Object.entries(key)
    .map(([field, dir]) => `${field}_${numberOf(dir)}`)
    .join('_');
}

function sameKeyPattern(a: Document, b: Document): boolean {
  const ak = Object.entries(a);
  const bk = Object.entries(b);
  return ak.length === bk.length && ak.every(([k, v], i) => bk[i]![0] === k && numberOf(bk[i]![1]) === numberOf(v));
}

/**
 * Compared as BSON values, not as JS values or JSON text: options read back from the journal or
 * a snapshot keep their BSON number types (Int32(60)) while a request may carry Double(60), and
 * MongoDB treats those as the same index.
 */
function sameOptions(a: IndexOptions, b: IndexOptions): boolean {
  return (
    (a.unique === true) === (b.unique === true) &&
    (a.sparse === true) === (b.sparse === true) &&
    valuesEqual(a.expireAfterSeconds ?? null, b.expireAfterSeconds ?? null) &&
    valuesEqual(a.partialFilterExpression ?? null, b.partialFilterExpression ?? null)
  );
}

export function listIndexes(ctx: CommandContext): Document {
  const name = collectionArgument(ctx, 'listIndexes');
  const coll = ctx.state.engine.collection(ctx.db, name);
  if (coll === undefined) throw new MongoCommandError(ErrorCode.NamespaceNotFound, `ns does not exist: ${ctx.db}.${name}`);
  const clustered = coll.options.clusteredIndex as Document | undefined;
  const specs = [...coll.indexes.values()]
    .filter((ix) => ctx.state.engine.isVisibleTo(ctx.txn, coll, ix.name) && !hiddenIndex(coll, ix.name))
    .map((ix) => (ix.name === '_id_' && clustered !== undefined ? { v: 2, key: { _id: 1 }, name: clustered.name, unique: true, clustered: true } : ix.describe()));
  return firstBatchReply(ctx.state.cursors, `${ctx.db}.${name}`, specs[Symbol.iterator](), { batchSize: specs.length + 1, session: ctx.session, txn: null });
}

export async function dropIndexes(ctx: CommandContext): Promise<Document> {
  const name = collectionArgument(ctx, 'dropIndexes');
  const coll = ctx.state.engine.collection(ctx.db, name);
  if (coll === undefined) throw new MongoCommandError(ErrorCode.NamespaceNotFound, `ns not found ${ctx.db}.${name}`);
  const nIndexesWas = coll.indexes.size;
  const target = ctx.body.index;
  for (const indexName of indexNamesToDrop(coll, target)) ctx.state.engine.dropIndex(coll, indexName);
  await durable(ctx);
  return { nIndexesWas, ok: 1 };
}

function indexNamesToDrop(coll: Collection, target: unknown): string[] {
  if (target === '*') return [...coll.indexes.keys()].filter((n) => n !== '_id_' && !hiddenIndex(coll, n));
  const names = Array.isArray(target) ? target.map(String) : typeof target === 'string' ? [target] : null;
  if (names !== null) {
    for (const n of names) {
      if (hiddenIndex(coll, n) && n !== '_id_') throw new MongoCommandError(ErrorCode.IndexNotFound, `index not found with name [${n}]`);
      if (n === '_id_') throw new MongoCommandError(ErrorCode.InvalidOptions, 'cannot drop _id index');
      if (!coll.indexes.has(n)) throw new MongoCommandError(ErrorCode.IndexNotFound, `index not found with name [${n}]`);
    }
    return names;
  }
  if (typeof target === 'object' && target !== null) {
    const found = [...coll.indexes.values()].find((ix) => sameKeyPattern(ix.key, target as Document));
    if (found === undefined) throw new MongoCommandError(ErrorCode.IndexNotFound, `can't find index with key: ${JSON.stringify(target)}`);
    if (found.name === '_id_') throw new MongoCommandError(ErrorCode.InvalidOptions, 'cannot drop _id index');
    return [found.name];
  }
  throw new MongoCommandError(ErrorCode.BadValue, 'dropIndexes: index must be a name, a key pattern, an array of names or "*"');
}

/**
 * collMod, for what applications use it for: changing a TTL index's expireAfterSeconds
 * (`index: {name | keyPattern, expireAfterSeconds}`) and making an index unique in two steps
 * (`prepareUnique: true`, then `unique: true`). Other modifications are refused by name.
 */
export async function collMod(ctx: CommandContext): Promise<Document> {
  const name = collectionArgument(ctx, 'collMod');
  const coll = ctx.state.engine.collection(ctx.db, name);
  if (coll === undefined) throw new MongoCommandError(ErrorCode.NamespaceNotFound, `ns does not exist: ${ctx.db}.${name}`);
  const ignored = new Set(['collMod', 'writeConcern', 'lsid', '$db', '$clusterTime', 'txnNumber', '$readPreference', 'comment', 'index', 'changeStreamPreAndPostImages']);
  for (const key of Object.keys(ctx.body)) {
    if (!ignored.has(key)) throw new MongoCommandError(ErrorCode.InvalidOptions, `embedded-mongo's collMod does not support '${key}'`);
  }
  const images = changeStreamImagesOption(ctx.body.changeStreamPreAndPostImages, 'collMod');
  const spec = ctx.body.index as Document | undefined;
  if (spec === undefined) {
    // As mongod, every collMod is a `modify` event (showExpandedEvents), even one that changes nothing.
    ctx.state.engine.modifyCollection(
      coll,
      images === undefined ? {} : { changeStreamPreAndPostImages: images.enabled ? images : undefined },
      images === undefined ? {} : { changeStreamPreAndPostImages: images },
    );
    await durable(ctx);
    return { ok: 1 };
  }
  if (images !== undefined) throw new MongoCommandError(ErrorCode.InvalidOptions, "embedded-mongo's collMod takes 'index' and 'changeStreamPreAndPostImages' in separate commands");
  const index =
    typeof spec.name === 'string'
      ? coll.indexes.get(spec.name)
      : spec.keyPattern !== undefined
        ? [...coll.indexes.values()].find((ix) => sameKeyPattern(ix.key, spec.keyPattern as Document))
        : undefined;
  if (index === undefined) throw new MongoCommandError(ErrorCode.IndexNotFound, `cannot find index ${JSON.stringify(spec.name ?? spec.keyPattern)} for ns ${coll.ns}`);
  for (const field of Object.keys(spec)) {
    if (!['name', 'keyPattern', 'expireAfterSeconds', 'prepareUnique', 'unique'].includes(field)) {
      throw new MongoCommandError(ErrorCode.InvalidOptions, `embedded-mongo's collMod does not support the index option '${field}'`);
    }
  }
  const reply: Document = { ok: 1 };
  if (spec.expireAfterSeconds !== undefined) {
    if (index.options.expireAfterSeconds === undefined) throw new MongoCommandError(ErrorCode.InvalidOptions, 'no expireAfterSeconds field to update');
    const seconds = numberOf(spec.expireAfterSeconds);
    if (Number.isNaN(seconds) || seconds < 0) throw new MongoCommandError(ErrorCode.BadValue, 'expireAfterSeconds must be a non-negative number');
    reply.expireAfterSeconds_old = index.options.expireAfterSeconds;
    reply.expireAfterSeconds_new = seconds;
    ctx.state.engine.setExpireAfterSeconds(coll, index.name, seconds);
    ctx.state.engine.modifyCollection(coll, {}, { index: { name: index.name, expireAfterSeconds: seconds } });
  }
  if ((spec.prepareUnique !== undefined || spec.unique !== undefined) && index.isIdIndex) {
    throw new MongoCommandError(ErrorCode.InvalidOptions, 'cannot modify unique or prepareUnique of the _id index');
  }
  if (spec.prepareUnique !== undefined) {
    if (typeof spec.prepareUnique !== 'boolean') throw new MongoCommandError(ErrorCode.TypeMismatch, "BSON field 'collMod.index.prepareUnique' is the wrong type, expected type 'bool'");
    const old = index.options.prepareUnique === true;
    if (!index.unique && old !== spec.prepareUnique) {
      reply.prepareUnique_old = old;
      reply.prepareUnique_new = spec.prepareUnique;
      ctx.state.engine.setIndexOptions(coll, index.name, { prepareUnique: spec.prepareUnique });
      ctx.state.engine.modifyCollection(coll, {}, { index: { name: index.name, prepareUnique: spec.prepareUnique } });
    }
  }
  if (spec.unique !== undefined) {
    if (spec.unique !== true) throw new MongoCommandError(ErrorCode.BadValue, "The field 'unique' can only be true");
    if (!index.unique) {
      if (index.options.prepareUnique !== true) {
        throw new MongoCommandError(ErrorCode.InvalidOptions, "Cannot make index unique with 'prepareUnique=false'. Run collMod to set it first.");
      }
      const violations = coll.duplicateKeyViolations(index);
      if (violations.length > 0) {
        throw new MongoCommandError(ErrorCode.CannotConvertIndexToUnique, 'Cannot convert the index to unique. Please resolve conflicting documents before running collMod again.', {
          extra: { violations },
        });
      }
      reply.unique_new = true;
      ctx.state.engine.setIndexOptions(coll, index.name, { unique: true });
      ctx.state.engine.modifyCollection(coll, {}, { index: { name: index.name, unique: true } });
    }
  }
  await durable(ctx);
  return reply;
}

/** `changeStreamPreAndPostImages: {enabled: <bool>}` of create / collMod (absent: undefined). */
export function changeStreamImagesOption(value: unknown, command: string): { enabled: boolean } | undefined {
  if (value === undefined) return undefined;
  const enabled = (value as Document | null)?.enabled;
  if (typeof value !== 'object' || value === null || typeof enabled !== 'boolean' || Object.keys(value).length !== 1) {
    throw new MongoCommandError(ErrorCode.TypeMismatch, `BSON field '${command}.changeStreamPreAndPostImages' must be a document {enabled: <bool>}`);
  }
  return { enabled };
}
