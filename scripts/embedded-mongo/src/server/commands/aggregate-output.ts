import { type Document, ObjectId } from 'bson';
import * as language from '../../language/index.js';
import { ErrorCode, MongoCommandError } from '../../errors.js';
import { runQuery } from '../../storage/query-executor.js';
import type { CommandContext } from '../command-context.js';
import { durable, runWriteStatement } from '../write-statement.js';
import { validateId } from './insert.js';

/**
 * `$out` and `$merge`, the final stage of an aggregate: the pipeline's output is written to a
 * collection in one write statement (all or nothing), then the command replies with an empty
 * cursor, as MongoDB does.
 */
export function isOutputStage(stage: unknown): boolean {
  if (stage === null || typeof stage !== 'object') return false;
  const name = Object.keys(stage)[0];
  return name === '$out' || name === '$merge';
}

/** Refuses what MongoDB refuses before running anything. */
export function checkOutputStages(ctx: CommandContext, pipeline: Document[]): void {
  pipeline.forEach((stage, i) => {
    if (!isOutputStage(stage)) return;
    const name = Object.keys(stage)[0]!;
    if (i !== pipeline.length - 1) throw new MongoCommandError(40601, `${name} can only be the final stage in the pipeline`);
    if (ctx.txn !== null) throw new MongoCommandError(ErrorCode.OperationNotSupportedInTransaction, `${name} cannot be used in a transaction`);
    const readConcern = ctx.body.readConcern as Document | undefined;
    if (readConcern?.level === 'linearizable') throw new MongoCommandError(ErrorCode.InvalidOptions, `${name} cannot be used with a 'linearizable' read concern level`);
  });
}

function namespaceOf(ctx: CommandContext, stageName: string, spec: unknown): { db: string; coll: string } {
  if (typeof spec === 'string' && spec !== '') return { db: ctx.db, coll: spec };
  if (spec !== null && typeof spec === 'object' && typeof (spec as Document).coll === 'string') {
    const db = (spec as Document).db;
    return { db: typeof db === 'string' ? db : ctx.db, coll: (spec as Document).coll as string };
  }
  throw new MongoCommandError(stageName === '$out' ? 16990 : 51178, `${stageName} requires a collection name or {db, coll}`);
}

export async function writeOutputStage(ctx: CommandContext, stage: Document, output: Document[]): Promise<void> {
  const name = Object.keys(stage)[0]!;
  const spec: unknown = stage[name];
  const engine = ctx.state.engine;
  if (name === '$out') {
    const { db, coll } = namespaceOf(ctx, name, spec);
    await runWriteStatement(ctx, (txn) => {
      const target = engine.ensureCollection(db, coll);
      for (const { rec } of [...runQuery(target, () => txn, {})]) target.remove(txn, rec);
      for (const doc of output) {
        const stored = doc._id === undefined ? { _id: new ObjectId(), ...doc } : doc;
        validateId(stored);
        target.insert(txn, stored);
      }
    });
    await durable(ctx);
    return;
  }
  if (typeof spec !== 'string' && (spec === null || typeof spec !== 'object' || Array.isArray(spec))) {
    throw new MongoCommandError(ErrorCode.TypeMismatch, '$merge requires a string or an object argument');
  }
  const options: Document = typeof spec === 'string' ? { into: spec } : (spec as Document);
  const { db, coll } = namespaceOf(ctx, name, options.into);
  const on: string[] = options.on === undefined ? ['_id'] : Array.isArray(options.on) ? (options.on as string[]) : [options.on as string];
  const whenMatched: unknown = options.whenMatched ?? 'merge';
  const whenNotMatched: unknown = options.whenNotMatched ?? 'insert';
  const letSpec = (options.let as Document | undefined) ?? { new: '$$ROOT' };
  await runWriteStatement(ctx, (txn) => {
    const target = engine.ensureCollection(db, coll);
    for (const source of output) {
      const doc = source._id === undefined && on.includes('_id') ? { _id: new ObjectId(), ...source } : source;
      const filter: Document = {};
      for (const field of on) {
        const value = language.getPath(doc, field);
        if (value === undefined || Array.isArray(value)) {
          throw new MongoCommandError(51132, `$merge write error: 'on' field '${field}' cannot be missing, null, undefined or an array`);
        }
        filter[field] = value;
      }
      const matches = [...runQuery(target, () => txn, { filter, limit: 1 })];
      if (matches.length === 0) {
        if (whenNotMatched === 'discard') continue;
        if (whenNotMatched === 'fail') throw new MongoCommandError(13113, '$merge could not find a matching document in the target collection for at least one document in the source collection');
        validateId(doc);
        target.insert(txn, doc);
        continue;
      }
      const { rec, doc: existing } = matches[0]!;
      if (whenMatched === 'keepExisting') continue;
      if (whenMatched === 'fail') {
        // The insert raises MongoDB's DuplicateKey error for the existing document.
        target.insert(txn, doc);
        continue;
      }
      let next: Document;
      if (whenMatched === 'replace') next = { ...doc, _id: existing._id };
      else if (whenMatched === 'merge') next = { ...existing, ...doc, _id: existing._id };
      else if (Array.isArray(whenMatched)) {
        const variables: Record<string, unknown> = {};
        for (const [key, expression] of Object.entries(letSpec)) variables[key] = language.evaluateExpression(expression, doc);
        next = language.applyUpdate(existing, whenMatched as Document[], { variables }).doc;
      } else throw new MongoCommandError(ErrorCode.FailedToParse, `Enumeration value '${String(whenMatched)}' for field 'whenMatched' is not a valid value.`);
      target.update(txn, rec, next, existing, whenMatched === 'replace' ? 'replace' : 'update');
    }
  });
  await durable(ctx);
}

/** `$listLocalSessions` as the first stage of a database aggregate: the sessions this server knows. */
export function listLocalSessions(ctx: CommandContext): Document[] {
  return ctx.state.sessions.all().map((session) => ({ _id: { id: session.lsid.id }, lastUse: new Date(session.lastUse) }));
}

/** `$documents` as the first stage of a database aggregate: an expression giving an array of documents. */
export function documentsStage(spec: unknown, variables: Record<string, unknown> | undefined): Document[] {
  const now = new Date();
  const value = language.evaluateExpression(spec, {}, { NOW: now, CLUSTER_TIME: now, ...variables });
  if (!Array.isArray(value) || value.some((doc) => doc === null || typeof doc !== 'object' || Array.isArray(doc))) {
    throw new MongoCommandError(5858203, 'error during aggregation :: caused by :: an array is expected');
  }
  return value as Document[];
}
