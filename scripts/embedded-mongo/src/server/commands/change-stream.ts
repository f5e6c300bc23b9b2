import { BSON, type Document, Long, Timestamp } from 'bson';
import * as language from '../../language/index.js';
import { ErrorCode, MongoCommandError } from '../../errors.js';
import { isWriteChange, type WriteChange } from '../../storage/changes.js';
import { decodeDocument } from '../../storage/document-codec.js';
import { LATEST } from '../../storage/record.js';
import type { Engine } from '../../storage/engine.js';
import { type ChangeLog, keyBefore, type LogEntry, parseResumeToken, type ResumePoint, resumeToken } from '../change-log.js';
import { nonNegativeInteger } from '../command-arguments.js';
import type { CommandContext } from '../command-context.js';
import { DEFAULT_FIRST_BATCH } from '../cursors.js';
import type { Session } from '../sessions.js';

/**
 * Change streams: `aggregate` with a first `$changeStream` stage on a collection, a database
 * (`aggregate: 1`) or the deployment (`allChangesForCluster` on admin), read from the change log
 * (../change-log.ts) through a tailable cursor whose `getMore` waits up to `maxTimeMS` (the
 * driver's maxAwaitTimeMS; 1 s by default, as mongod) for new changes. Every batch carries a
 * `postBatchResumeToken`; the driver resumes after a network error with `resumeAfter` and the
 * last token it saw. Stages after `$changeStream` run on each event.
 */

/** Stages mongod allows after $changeStream. */
const ALLOWED_STAGES = new Set(['$match', '$project', '$addFields', '$set', '$unset', '$replaceRoot', '$replaceWith', '$redact']);
const FULL_DOCUMENT = new Set(['default', 'updateLookup', 'whenAvailable', 'required']);
const FULL_DOCUMENT_BEFORE_CHANGE = new Set(['off', 'whenAvailable', 'required']);
const KNOWN_OPTIONS = new Set([
  'resumeAfter',
  'startAfter',
  'startAtOperationTime',
  'fullDocument',
  'fullDocumentBeforeChange',
  'allChangesForCluster',
  'showExpandedEvents',
  'showMigrationEvents',
  'showSystemEvents',
  'allowToRunOnConfigDB',
  'allowToRunOnSystemNS',
]);
/** Databases a whole-deployment stream does not report. */
const INTERNAL_DATABASES = new Set(['admin', 'config', 'local']);
/** mongod waits this long in a change stream's getMore when the driver gives no maxAwaitTimeMS. */
const DEFAULT_AWAIT_MS = 1000;
/** Replies stay under the 16 MB document limit with room for the envelope. */
const MAX_BATCH_BYTES = 16 * 1024 * 1024 - 16 * 1024;

/** Stages after $changeStream see one event at a time and cannot read collections ($lookup is not allowed). */
function eventPipelineContext(): language.PipelineContext {
  return { now: new Date(), getCollection: () => [] };
}

interface StreamOptions {
  fullDocument: string;
  fullDocumentBeforeChange: string;
  showExpandedEvents: boolean;
}

/** Which namespaces the stream reports: one collection, one database, or all of them. */
type Scope = { kind: 'collection'; db: string; coll: string } | { kind: 'database'; db: string } | { kind: 'cluster' };

export class ChangeStreamCursor {
  lastUse = Date.now();
  readonly txn = null;
  /** The stream ended (after an invalidate, or killCursors): no more events. */
  closed = false;
  /** Position: the key of the last log entry examined; the next batch reads after it. */
  private position: bigint;
  /** The last event handed out was (or the next one must be) an invalidate at `position`. */
  private invalidatedAt: 'none' | 'pending' | 'returned' = 'none';
  /** Woken by killCursors while a getMore waits. */
  private wake: (() => void) | null = null;

  constructor(
    readonly id: bigint,
    readonly ns: string,
    readonly session: Session | null,
    private readonly log: ChangeLog,
    private readonly engine: Engine,
    private readonly scope: Scope,
    private readonly options: StreamOptions,
    private readonly stages: Document[],
    start: { key: bigint; invalidate: boolean },
  ) {
    this.position = start.key;
    if (start.invalidate) this.invalidatedAt = 'pending';
    log.attach(this);
  }

  /** For the change log: what this stream has read (the log keeps what comes after, within its caps). */
  get readPosition(): bigint {
    return this.position;
  }

  private end(): void {
    this.closed = true;
    this.log.detach(this);
  }

  /** postBatchResumeToken: where a stream resumed now would continue. */
  resumePoint(): ResumePoint {
    return { key: this.position, fromInvalidate: this.invalidatedAt === 'returned' };
  }

  /** The events available now, up to `batchSize` (0: as many as fit in a reply). Never waits. */
  read(batchSize: number): Document[] {
    this.lastUse = Date.now();
    const docs: Document[] = [];
    let bytes = 0;
    const full = (): boolean => (batchSize > 0 && docs.length >= batchSize) || bytes >= MAX_BATCH_BYTES;
    const push = (doc: Document): void => {
      docs.push(doc);
      bytes += BSON.calculateObjectSize(doc);
    };
    if (this.invalidatedAt === 'pending') {
      const entry = this.log.find(this.position);
      push(invalidateEvent(this.position, entry?.clusterTime ?? new Timestamp({ t: 0, i: 0 }), entry?.wallTime ?? new Date()));
      this.invalidatedAt = 'returned';
      this.end();
      return docs;
    }
    if (this.closed) return docs;
    for (const entry of this.log.after(this.position)) {
      if (full()) break;
      this.position = entry.key;
      if (!this.reports(entry)) continue;
      const event = this.eventOf(entry);
      if (event !== null) {
        const out = this.transform(event);
        if (out !== null) push(out);
      }
      if (this.invalidates(entry)) {
        if (full()) {
          this.invalidatedAt = 'pending';
          break;
        }
        push(invalidateEvent(entry.key, entry.clusterTime, entry.wallTime));
        this.invalidatedAt = 'returned';
        this.end();
        break;
      }
    }
    return docs;
  }

  /** Resolves when the log grows, `ms` pass, or the cursor is killed. */
  async waitForChanges(ms: number): Promise<void> {
    const killed = new Promise<void>((resolve) => {
      this.wake = resolve;
    });
    await Promise.race([this.log.waitForAppend(ms), killed]);
    this.wake = null;
  }

  close(): void {
    this.end();
    this.wake?.();
  }

  private inScope(db: string, coll: string | undefined): boolean {
    const scope = this.scope;
    if (scope.kind === 'collection') return db === scope.db && coll === scope.coll;
    if (coll?.startsWith('system.') === true) return false;
    return scope.kind === 'database' ? db === scope.db : !INTERNAL_DATABASES.has(db);
  }

  private reports(entry: LogEntry): boolean {
    const change = entry.change;
    switch (change.op) {
      case 'dropDatabase':
        return this.scope.kind === 'cluster' ? !INTERNAL_DATABASES.has(change.db) : this.scope.kind === 'database' && change.db === this.scope.db;
      case 'rename':
        return this.inScope(change.db, change.coll) || (this.scope.kind === 'collection' && this.inScope(change.to!.db, change.to!.coll));
      case 'create':
      case 'createIndexes':
      case 'dropIndexes':
      case 'modify':
        return this.options.showExpandedEvents && this.inScope(change.db, change.coll);
      default:
        return this.inScope(change.db, change.coll);
    }
  }

  /** A collection stream ends when its collection goes (drop, rename); a database stream when its database does. */
  private invalidates(entry: LogEntry): boolean {
    const op = entry.change.op;
    if (this.scope.kind === 'collection') return op === 'drop' || op === 'rename';
    return this.scope.kind === 'database' && op === 'dropDatabase';
  }

  /** The event document for a change, as mongod 8.0 shapes it. */
  private eventOf(entry: LogEntry): Document | null {
    const change = entry.change;
    const event: Document = { _id: resumeToken({ key: entry.key, fromInvalidate: false }), operationType: change.op, clusterTime: entry.clusterTime, wallTime: entry.wallTime };
    const expanded = this.options.showExpandedEvents;
    if (isWriteChange(change)) {
      if (expanded) event.collectionUUID = change.uuid;
      const after = change.after === null ? null : decodeDocument(change.after);
      const before = change.before === null ? null : decodeDocument(change.before);
      const id = (after ?? before)?._id;
      if (change.op === 'insert' || change.op === 'replace') event.fullDocument = after;
      else if (change.op === 'update') {
        const mode = this.options.fullDocument;
        if (mode === 'updateLookup') event.fullDocument = this.lookup(change, id);
        else if (mode !== 'default') event.fullDocument = this.image(change, after, mode, 'post');
      }
      event.ns = { db: change.db, coll: change.coll };
      event.documentKey = { _id: id };
      if (change.op === 'update') event.updateDescription = describeUpdate(before!, after!, expanded);
      if (change.op !== 'insert' && this.options.fullDocumentBeforeChange !== 'off') {
        event.fullDocumentBeforeChange = this.image(change, before, this.options.fullDocumentBeforeChange, 'pre');
      }
    } else {
      if (expanded && change.uuid !== undefined) event.collectionUUID = change.uuid;
      event.ns = change.coll === undefined ? { db: change.db } : { db: change.db, coll: change.coll };
      if (change.to !== undefined) event.to = change.to;
      if (expanded && change.description !== undefined) event.operationDescription = change.description;
    }
    if (entry.origin !== null) {
      event.lsid = entry.origin.lsid;
      event.txnNumber = entry.origin.txnNumber;
    }
    return event;
  }

  /** fullDocument: 'updateLookup': the document as it is now (null when it is gone). */
  private lookup(change: WriteChange, id: unknown): Document | null {
    const coll = this.engine.collection(change.db, change.coll);
    if (coll === undefined || coll.uuid.toHexString() !== change.uuid.toHexString()) return null;
    const rec = coll.recordById(id, LATEST);
    return rec === null ? null : coll.read(rec, LATEST);
  }

  /** A pre- or post-image: recorded when the collection had changeStreamPreAndPostImages enabled. */
  private image(change: WriteChange, doc: Document | null, mode: string, which: 'pre' | 'post'): Document | null {
    if (change.images && doc !== null) return doc;
    if (mode === 'required') {
      throw new MongoCommandError(
        47,
        `Change stream was configured to require a ${which}-image for all update${which === 'pre' ? ', delete' : ''} and replace events, but the ${which}-image was not found for event with documentKey {_id: ...} in ${change.db}.${change.coll} (changeStreamPreAndPostImages is not enabled on it).`,
        { codeName: 'NoMatchingDocument' },
      );
    }
    return null;
  }

  /** The stages after $changeStream, applied to one event; its `_id` (the resume token) must survive them. */
  private transform(event: Document): Document | null {
    if (this.stages.length === 0) return event;
    const [out] = language.runPipeline([event], this.stages, eventPipelineContext());
    if (out === undefined) return null;
    const token = event._id as Document;
    if ((out._id as Document | undefined)?._data !== token._data || Object.keys(out._id as Document).length !== 1) {
      throw new MongoCommandError(
        280,
        'Encountered an event whose _id field, which contains the resume token, was modified by the pipeline. Modifying the _id field of an event makes it impossible to resume the stream from that point. Only transformations that retain the unmodified _id field are allowed.',
        { codeName: 'ChangeStreamFatalError', errorLabels: ['NonResumableChangeStreamError'] },
      );
    }
    return out;
  }
}

function invalidateEvent(key: bigint, clusterTime: Timestamp, wallTime: Date): Document {
  return { _id: resumeToken({ key, fromInvalidate: true }), operationType: 'invalidate', clusterTime, wallTime };
}

/** True when `pipeline` starts with `$changeStream`. */
export function isChangeStream(pipeline: unknown[]): boolean {
  const first = pipeline[0];
  return typeof first === 'object' && first !== null && Object.keys(first)[0] === '$changeStream';
}

/** aggregate with a leading $changeStream: opens the stream's cursor and answers its first batch. */
export function openChangeStream(ctx: CommandContext, pipeline: Document[]): Document {
  const state = ctx.state;
  if (state.replSetName === '') {
    throw new MongoCommandError(40573, 'The $changeStream stage is only supported on replica sets', { codeName: 'Location40573' });
  }
  if (ctx.txn !== null) {
    throw new MongoCommandError(ErrorCode.OperationNotSupportedInTransaction, 'Operation not permitted in transaction :: caused by :: $changeStream cannot run in a multi-document transaction');
  }
  const spec = pipeline[0]!.$changeStream as Document;
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new MongoCommandError(ErrorCode.TypeMismatch, 'the $changeStream stage specification must be an object, but found something else');
  }
  for (const key of Object.keys(spec)) {
    if (!KNOWN_OPTIONS.has(key)) throw new MongoCommandError(ErrorCode.Location40415, `BSON field '$changeStream.${key}' is an unknown field.`);
  }
  if (spec.showSystemEvents === true) throw new MongoCommandError(ErrorCode.NotImplemented, 'embedded-mongo does not implement $changeStream.showSystemEvents');
  const stages = pipeline.slice(1);
  for (const stage of stages) {
    const name = typeof stage === 'object' && stage !== null ? Object.keys(stage)[0] : undefined;
    if (name === '$changeStream') throw new MongoCommandError(ErrorCode.IllegalOperation, '$changeStream is only valid as the first stage in a pipeline');
  }
  // Compiling on no input reports unknown stages (40324) and malformed ones as the aggregate would.
  language.runPipeline([], stages, eventPipelineContext());
  for (const stage of stages) {
    const name = Object.keys(stage)[0]!;
    if (!ALLOWED_STAGES.has(name)) throw new MongoCommandError(ErrorCode.IllegalOperation, `${name} is not permitted in a $changeStream pipeline`);
  }
  const options: StreamOptions = {
    fullDocument: enumOption(spec, 'fullDocument', FULL_DOCUMENT, 'default'),
    fullDocumentBeforeChange: enumOption(spec, 'fullDocumentBeforeChange', FULL_DOCUMENT_BEFORE_CHANGE, 'off'),
    showExpandedEvents: spec.showExpandedEvents === true,
  };
  const target = ctx.body.aggregate;
  let scope: Scope;
  let ns: string;
  if (typeof target === 'string') {
    if (ctx.db === 'admin' || ctx.db === 'config' || ctx.db === 'local' || target.startsWith('system.')) {
      throw new MongoCommandError(ErrorCode.InvalidNamespace, `$changeStream may not be opened on the internal ${ctx.db}.${target} collection`);
    }
    scope = { kind: 'collection', db: ctx.db, coll: target };
    ns = `${ctx.db}.${target}`;
  } else if (spec.allChangesForCluster === true) {
    if (ctx.db !== 'admin') throw new MongoCommandError(ErrorCode.InvalidOptions, "$changeStream with allChangesForCluster:true must be run against the 'admin' database with {aggregate: 1}");
    scope = { kind: 'cluster' };
    ns = 'admin.$cmd.aggregate';
  } else {
    if (ctx.db === 'admin' || ctx.db === 'config' || ctx.db === 'local') {
      throw new MongoCommandError(ErrorCode.InvalidNamespace, `$changeStream may not be opened on the internal ${ctx.db} database`);
    }
    scope = { kind: 'database', db: ctx.db };
    ns = `${ctx.db}.$cmd.aggregate`;
  }
  const start = startPosition(state.changeLog, spec);
  const cursor = state.cursors.register((id) => new ChangeStreamCursor(id, ns, ctx.session, state.changeLog, state.engine, scope, options, stages, start));
  const cursorOptions = ctx.body.cursor as Document | undefined;
  const batchSize = cursorOptions === undefined || cursorOptions === null ? DEFAULT_FIRST_BATCH : (nonNegativeInteger(cursorOptions, 'batchSize') ?? DEFAULT_FIRST_BATCH);
  let docs: Document[];
  try {
    docs = batchSize === 0 ? [] : cursor.read(batchSize);
  } catch (error) {
    state.cursors.kill(cursor.id);
    throw error;
  }
  const id = cursor.closed ? 0n : cursor.id;
  if (cursor.closed) state.cursors.kill(cursor.id);
  return { cursor: { firstBatch: docs, postBatchResumeToken: resumeToken(cursor.resumePoint()), id: Long.fromBigInt(id), ns }, ok: 1 };
}

/** getMore of a change stream: the events since the last batch, waiting up to maxTimeMS for some. */
export async function changeStreamGetMore(ctx: CommandContext, cursor: ChangeStreamCursor): Promise<Document> {
  const batchSize = nonNegativeInteger(ctx.body, 'batchSize') ?? 0;
  const maxTimeMS = nonNegativeInteger(ctx.body, 'maxTimeMS') ?? DEFAULT_AWAIT_MS;
  const deadline = ctx.startedAt + maxTimeMS;
  let docs: Document[];
  try {
    for (;;) {
      docs = cursor.read(batchSize);
      const left = deadline - Date.now();
      if (docs.length > 0 || cursor.closed || left <= 0) break;
      await cursor.waitForChanges(left);
    }
  } catch (error) {
    ctx.state.cursors.kill(cursor.id);
    throw error;
  }
  const exhausted = cursor.closed;
  if (exhausted) ctx.state.cursors.kill(cursor.id);
  return {
    cursor: { nextBatch: docs, postBatchResumeToken: resumeToken(cursor.resumePoint()), id: exhausted ? Long.ZERO : Long.fromBigInt(cursor.id), ns: cursor.ns },
    ok: 1,
  };
}

function enumOption(spec: Document, name: string, allowed: Set<string>, fallback: string): string {
  const value: unknown = spec[name];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'string' || !allowed.has(value)) {
    throw new MongoCommandError(ErrorCode.BadValue, `Enumeration value '${String(value)}' for field '$changeStream.${name}' is not a valid value.`);
  }
  return value;
}

/** Where a new stream starts: after a resume token, at an operation time, or after the newest change. */
function startPosition(log: ChangeLog, spec: Document): { key: bigint; invalidate: boolean } {
  const given = ['resumeAfter', 'startAfter', 'startAtOperationTime'].filter((name) => spec[name] !== undefined && spec[name] !== null);
  if (given.length > 1) {
    throw new MongoCommandError(ErrorCode.BadValue, 'Only one type of resume option is allowed, but multiple were found.', { codeName: 'BadValue' });
  }
  if (spec.startAtOperationTime !== undefined && spec.startAtOperationTime !== null) {
    if (!(spec.startAtOperationTime instanceof Timestamp))
      throw new MongoCommandError(ErrorCode.TypeMismatch, "BSON field '$changeStream.startAtOperationTime' is the wrong type, expected type 'timestamp'");
    const key = keyBefore(spec.startAtOperationTime);
    log.checkKept(key);
    return { key, invalidate: false };
  }
  const option = given[0];
  if (option === undefined) return { key: log.latestKey(), invalidate: false };
  const point = parseResumeToken(spec[option], `$changeStream.${option}`);
  if (point.fromInvalidate && option === 'resumeAfter') {
    throw new MongoCommandError(260, "Attempting to resume a change stream using 'resumeAfter' is not allowed from an invalidate notification.", { codeName: 'InvalidResumeToken' });
  }
  log.checkKept(point.key);
  if (point.fromInvalidate) return { key: point.key, invalidate: false };
  // Resuming right after an invalidating change (drop, rename) answers the invalidate again.
  const entry = log.find(point.key);
  const invalidating = entry !== undefined && (entry.change.op === 'drop' || entry.change.op === 'rename' || entry.change.op === 'dropDatabase');
  return { key: point.key, invalidate: invalidating };
}

/* ----------------------------------------------------------- updateDescription */

type PathPart = string | number;

interface UpdateDescription {
  updatedFields: Document;
  removedFields: string[];
  truncatedArrays: Document[];
  disambiguatedPaths: Document;
}

/**
 * `updateDescription` of an update: the difference between the document before and after, as
 * mongod derives it from the oplog's document diff. Subdocuments are compared field by field and
 * arrays element by element (a shorter array is a truncation plus changed elements); values are
 * equal when their BSON is. `disambiguatedPaths` (showExpandedEvents) names each path with a
 * numeric or dotted field name, array indexes as integers.
 */
function describeUpdate(before: Document, after: Document, expanded: boolean): Document {
  const out: UpdateDescription = { updatedFields: {}, removedFields: [], truncatedArrays: [], disambiguatedPaths: {} };
  diffObjects(before, after, [], out);
  const description: Document = { updatedFields: out.updatedFields, removedFields: out.removedFields, truncatedArrays: out.truncatedArrays };
  if (expanded) description.disambiguatedPaths = out.disambiguatedPaths;
  return description;
}

function diffObjects(before: Document, after: Document, path: PathPart[], out: UpdateDescription): void {
  for (const key of Object.keys(before)) {
    if (!Object.hasOwn(after, key)) note(out, [...path, key], 'removed');
  }
  for (const [key, value] of Object.entries(after)) {
    const at = [...path, key];
    if (!Object.hasOwn(before, key)) note(out, at, 'updated', value);
    else diffValues(before[key], value, at, out);
  }
}

function diffValues(before: unknown, after: unknown, path: PathPart[], out: UpdateDescription): void {
  if (isPlainObject(before) && isPlainObject(after)) return diffObjects(before, after, path, out);
  if (Array.isArray(before) && Array.isArray(after)) {
    if (after.length < before.length) {
      out.truncatedArrays.push({ field: dotted(path), newSize: after.length });
      disambiguate(out, path);
    }
    after.forEach((value, i) => {
      if (i >= before.length) note(out, [...path, i], 'updated', value);
      else diffValues(before[i], value, [...path, i], out);
    });
    return;
  }
  if (!sameBson(before, after)) note(out, path, 'updated', after);
}

function note(out: UpdateDescription, path: PathPart[], kind: 'updated' | 'removed', value?: unknown): void {
  if (kind === 'updated') out.updatedFields[dotted(path)] = value;
  else out.removedFields.push(dotted(path));
  disambiguate(out, path);
}

function disambiguate(out: UpdateDescription, path: PathPart[]): void {
  if (path.some((part) => typeof part === 'string' && (/^\d+$/.test(part) || part.includes('.')))) out.disambiguatedPaths[dotted(path)] = path;
}

function dotted(path: PathPart[]): string {
  return path.map(String).join('.');
}

function isPlainObject(value: unknown): value is Document {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !('_bsontype' in value) && !(value instanceof Date) && !(value instanceof RegExp) && !(value instanceof Uint8Array);
}

function sameBson(a: unknown, b: unknown): boolean {
  return Buffer.from(BSON.serialize({ v: a })).equals(Buffer.from(BSON.serialize({ v: b })));
}
