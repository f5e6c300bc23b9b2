import { type Document, Long } from 'bson';
import * as language from '../../language/index.js';
import { ErrorCode, MongoCommandError } from '../../errors.js';
import { booleanArgument, collectionArgument, optionalDocument } from '../command-arguments.js';
import type { CommandContext } from '../command-context.js';
import { firstBatchReply } from '../cursors.js';
import { durable } from '../write-statement.js';
import type { Collection } from '../../storage/collection.js';
import { changeStreamImagesOption, TIMESERIES_TTL_INDEX } from './indexes.js';

/** Collection catalog commands: create, drop, renameCollection, listCollections. */

/** Collection options a stored collection keeps and reports; anything else is refused by name. */
const SUPPORTED_CREATE_OPTIONS = new Set([
  'create',
  'writeConcern',
  'lsid',
  '$db',
  '$clusterTime',
  'txnNumber',
  'autocommit',
  'startTransaction',
  '$readPreference',
  'comment',
  'apiVersion',
  'apiStrict',
  'apiDeprecationErrors',
  'readConcern',
]);

export async function create(ctx: CommandContext): Promise<Document> {
  const name = collectionArgument(ctx, 'create');
  if (ctx.state.engine.collection(ctx.db, name) !== undefined) {
    throw new MongoCommandError(ErrorCode.NamespaceExists, `Collection ${ctx.db}.${name} already exists.`);
  }
  const options: Document = {};
  for (const [key, value] of Object.entries(ctx.body)) {
    if (SUPPORTED_CREATE_OPTIONS.has(key)) continue;
    if (key === 'capped' && value === false) continue;
    if (key === 'capped' || key === 'size' || key === 'max') continue;
    if (key === 'changeStreamPreAndPostImages') {
      if (changeStreamImagesOption(value, 'create')!.enabled) options[key] = { enabled: true };
      continue;
    }
    if (key === 'clusteredIndex') {
      options[key] = clusteredIndexOption(value);
      continue;
    }
    if (key === 'timeseries') {
      options[key] = timeseriesOption(value);
      continue;
    }
    if (key === 'expireAfterSeconds' && ctx.body.timeseries !== undefined) {
      const seconds = Number(value);
      if (!Number.isInteger(seconds) || seconds < 0) throw new MongoCommandError(ErrorCode.InvalidOptions, "'expireAfterSeconds' must be a non-negative integer");
      options[key] = value;
      continue;
    }
    throw new MongoCommandError(ErrorCode.InvalidOptions, `embedded-mongo does not support the collection option '${key}'`);
  }
  if (ctx.body.capped === true) Object.assign(options, cappedOptions(ctx.body));
  if (options.timeseries !== undefined && (options.capped !== undefined || options.clusteredIndex !== undefined)) {
    throw new MongoCommandError(ErrorCode.InvalidOptions, 'Time-series collections cannot be capped or clustered by the user');
  }
  const created = ctx.state.engine.createCollection(ctx.db, name, options);
  if (options.timeseries !== undefined) createTimeseriesIndexes(ctx, created);
  if (ctx.txn !== null) ctx.state.engine.markCreatedBy(ctx.txn, created);
  await durable(ctx);
  return { ok: 1 };
}

/** Granularity → bucketMaxSpanSeconds, as mongod fills it in. */
const BUCKET_SPAN: Record<string, number> = { seconds: 3600, minutes: 86_400, hours: 2_592_000 };

/**
 * `timeseries: {timeField, metaField?, granularity? | bucketMaxSpanSeconds + bucketRoundingSeconds}`,
 * checked and completed as mongod stores it. The collection keeps measurements as documents
 * (mongod groups them into buckets); what clients see of it is the same.
 */
function timeseriesOption(value: unknown): Document {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MongoCommandError(ErrorCode.TypeMismatch, "BSON field 'create.timeseries' is the wrong type, expected an object");
  }
  const spec = value as Document;
  for (const field of Object.keys(spec)) {
    if (!['timeField', 'metaField', 'granularity', 'bucketMaxSpanSeconds', 'bucketRoundingSeconds'].includes(field)) {
      throw new MongoCommandError(ErrorCode.Location40415, `BSON field 'create.timeseries.${field}' is an unknown field.`);
    }
  }
  if (typeof spec.timeField !== 'string' || spec.timeField === '' || spec.timeField.includes('.')) {
    throw new MongoCommandError(ErrorCode.InvalidOptions, "'timeseries.timeField' must be a non-empty field name without dots");
  }
  const out: Document = { timeField: spec.timeField };
  if (spec.metaField !== undefined) {
    if (typeof spec.metaField !== 'string' || spec.metaField === '' || spec.metaField.includes('.') || spec.metaField === '_id' || spec.metaField === spec.timeField) {
      throw new MongoCommandError(ErrorCode.InvalidOptions, "'timeseries.metaField' must be a field name without dots, other than '_id' and the timeField");
    }
    out.metaField = spec.metaField;
  }
  const span = spec.bucketMaxSpanSeconds;
  const rounding = spec.bucketRoundingSeconds;
  if (span !== undefined || rounding !== undefined) {
    if (spec.granularity !== undefined) throw new MongoCommandError(ErrorCode.InvalidOptions, "Time-series 'bucketMaxSpanSeconds' is not allowed with 'granularity'");
    if (span === undefined || rounding === undefined) {
      throw new MongoCommandError(ErrorCode.InvalidOptions, "Timeseries 'bucketMaxSpanSeconds' and 'bucketRoundingSeconds' need to be set alongside each other");
    }
    const n = Number(span);
    if (!Number.isInteger(n) || n < 1 || n > 31_536_000 || Number(rounding) !== n) {
      throw new MongoCommandError(ErrorCode.InvalidOptions, "Timeseries 'bucketMaxSpanSeconds' and 'bucketRoundingSeconds' must be equal integers between 1 and 31536000");
    }
    out.bucketRoundingSeconds = n;
    out.bucketMaxSpanSeconds = n;
    return out;
  }
  const granularity = spec.granularity ?? 'seconds';
  if (typeof granularity !== 'string' || BUCKET_SPAN[granularity] === undefined) {
    throw new MongoCommandError(ErrorCode.BadValue, `Enumeration value '${String(granularity)}' for field 'create.timeseries.granularity' is not a valid value.`);
  }
  out.granularity = granularity;
  out.bucketMaxSpanSeconds = BUCKET_SPAN[granularity];
  return out;
}

/**
 * The indexes a time series collection comes with: `{metaField: 1, timeField: 1}` when it has a
 * metaField (as mongod 6.3+), and, for `expireAfterSeconds`, an internal TTL index on the time
 * field that listIndexes does not show (mongod expires whole buckets; here each measurement).
 */
function createTimeseriesIndexes(ctx: CommandContext, coll: Collection): void {
  const { timeField, metaField } = coll.options.timeseries as { timeField: string; metaField?: string };
  if (metaField !== undefined) ctx.state.engine.createIndex(coll, `${metaField}_1_${timeField}_1`, { [metaField]: 1, [timeField]: 1 }, {}, false);
  if (coll.options.expireAfterSeconds !== undefined) {
    ctx.state.engine.createIndex(coll, TIMESERIES_TTL_INDEX, { [timeField]: 1 }, { expireAfterSeconds: Number(coll.options.expireAfterSeconds) }, false);
  }
}

/**
 * `capped: true, size, max?`: mongod raises `size` to 4096 at least, else to a multiple of 256,
 * and keeps `max` only when positive.
 */
function cappedOptions(body: Document): Document {
  const size = Number(body.size);
  if (body.size === undefined) throw new MongoCommandError(ErrorCode.InvalidOptions, "the 'size' field is required when 'capped' is true");
  if (!Number.isFinite(size) || size <= 0) throw new MongoCommandError(ErrorCode.BadValue, "'size' must be a positive number when 'capped' is true");
  const options: Document = { capped: true, size: size <= 4096 ? 4096 : Math.ceil(size / 256) * 256 };
  const max = Number(body.max ?? 0);
  if (Number.isFinite(max) && max > 0) options.max = max;
  return options;
}

/**
 * `clusteredIndex: {key: {_id: 1}, unique: true, name?}`: documents ordered by `_id`. Every
 * collection here is kept in `_id` order already, so a clustered collection differs only in how
 * it is described: the `_id` index is the clustered index (its name, `clustered: true`).
 */
function clusteredIndexOption(value: unknown): Document {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MongoCommandError(ErrorCode.TypeMismatch, "BSON field 'create.clusteredIndex' is the wrong type, expected an object");
  }
  const spec = value as Document;
  for (const field of Object.keys(spec)) {
    if (!['key', 'unique', 'name', 'v'].includes(field)) throw new MongoCommandError(ErrorCode.Location40415, `BSON field 'create.clusteredIndex.${field}' is an unknown field.`);
  }
  const key = spec.key as Document | undefined;
  if (key === undefined || typeof key !== 'object' || Object.keys(key).length !== 1 || Object.keys(key)[0] !== '_id' || Number(key._id) !== 1) {
    throw new MongoCommandError(ErrorCode.InvalidOptions, 'The clusteredIndex option is only supported for key: {_id: 1}');
  }
  if (spec.unique !== true) throw new MongoCommandError(ErrorCode.InvalidOptions, "The 'clusteredIndex' option requires 'unique: true'");
  return { v: 2, key: { _id: 1 }, name: typeof spec.name === 'string' ? spec.name : '_id_', unique: true };
}

export async function drop(ctx: CommandContext): Promise<Document> {
  const name = collectionArgument(ctx, 'drop');
  const coll = ctx.state.engine.dropCollection(ctx.db, name);
  await durable(ctx);
  // MongoDB 7 answers ok for a missing collection too.
  if (coll === undefined) return { ok: 1 };
  return { nIndexesWas: coll.indexes.size, ns: coll.ns, ok: 1 };
}

export async function dropDatabase(ctx: CommandContext): Promise<Document> {
  ctx.state.engine.dropDatabase(ctx.db);
  await durable(ctx);
  return { dropped: ctx.db, ok: 1 };
}

export async function renameCollection(ctx: CommandContext): Promise<Document> {
  if (ctx.db !== 'admin') throw new MongoCommandError(ErrorCode.Unauthorized, 'renameCollection may only be run against the admin database.');
  const from = String(ctx.body.renameCollection ?? '');
  const to = String(ctx.body.to ?? '');
  const [fromDb, fromName] = splitNs(from);
  const [toDb, toName] = splitNs(to);
  const coll = ctx.state.engine.collection(fromDb, fromName);
  if (coll === undefined) throw new MongoCommandError(ErrorCode.NamespaceNotFound, `Source collection ${from} does not exist`);
  if (from === to) throw new MongoCommandError(ErrorCode.IllegalOperation, "Can't rename a collection to itself");
  ctx.state.engine.renameCollection(coll, toDb, toName, booleanArgument(ctx.body, 'dropTarget'));
  await durable(ctx);
  return { ok: 1 };
}

export function listCollections(ctx: CommandContext): Document {
  const filter = optionalDocument(ctx.body, 'filter') ?? {};
  const nameOnly = booleanArgument(ctx.body, 'nameOnly');
  const matcher = language.compileFilter(filter);
  const infos: Document[] = [];
  for (const coll of ctx.state.engine.collections(ctx.db)) {
    if (!ctx.state.engine.isVisibleTo(ctx.txn, coll)) continue;
    if (coll.isTimeseries) {
      const info: Document = nameOnly ? { name: coll.name, type: 'timeseries' } : { name: coll.name, type: 'timeseries', options: coll.options, info: { readOnly: false } };
      if (matcher(info)) infos.push(info);
      continue;
    }
    const info: Document = nameOnly
      ? { name: coll.name, type: 'collection' }
      : {
          name: coll.name,
          type: 'collection',
          options: coll.options,
          info: { readOnly: false, uuid: coll.uuid },
          // A clustered collection has no separate _id index to describe.
          ...(coll.options.clusteredIndex === undefined ? { idIndex: { v: 2, key: { _id: 1 }, name: '_id_' } } : {}),
        };
    if (matcher(info)) infos.push(info);
  }
  const batchSize = (ctx.body.cursor as Document | undefined)?.batchSize;
  return firstBatchReply(ctx.state.cursors, `${ctx.db}.$cmd.listCollections`, infos[Symbol.iterator](), {
    batchSize: batchSize === undefined ? infos.length + 1 : Number(batchSize) || infos.length + 1,
    session: ctx.session,
    txn: null,
  });
}

export function listDatabases(ctx: CommandContext): Document {
  const nameOnly = booleanArgument(ctx.body, 'nameOnly');
  const filter = optionalDocument(ctx.body, 'filter');
  const matcher = filter === undefined ? () => true : language.compileFilter(filter);
  const databases: Document[] = [];
  let totalSize = 0;
  for (const db of ctx.state.engine.databaseNames()) {
    const size = ctx.state.engine.collections(db).reduce((sum, c) => sum + c.liveBytes, 0);
    totalSize += size;
    const entry: Document = nameOnly ? { name: db } : { name: db, sizeOnDisk: Long.fromNumber(size), empty: size === 0 };
    if (matcher(entry)) databases.push(entry);
  }
  return nameOnly ? { databases, ok: 1 } : { databases, totalSize, totalSizeMb: Math.round(totalSize / 1024 / 1024), ok: 1 };
}

function splitNs(ns: string): [string, string] {
  const dot = ns.indexOf('.');
  if (dot <= 0 || dot === ns.length - 1) throw new MongoCommandError(ErrorCode.InvalidNamespace, `Invalid namespace specified '${ns}'`);
  return [ns.slice(0, dot), ns.slice(dot + 1)];
}
