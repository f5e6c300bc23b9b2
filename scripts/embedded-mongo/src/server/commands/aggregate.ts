import type { Document } from 'bson';
import * as language from '../../language/index.js';
import { ErrorCode, MongoCommandError } from '../../errors.js';
import { decodeDocument } from '../../storage/document-codec.js';
import { runQuery, type QuerySpec } from '../../storage/query-executor.js';
import { visibleBson } from '../../storage/record.js';
import { numberOf } from '../../storage/numeric-value.js';
import { letVariables } from '../command-arguments.js';
import { checkOutputStages, documentsStage, isOutputStage, listLocalSessions, writeOutputStage } from './aggregate-output.js';
import type { CommandContext } from '../command-context.js';
import { firstBatchReply } from '../cursors.js';
import { isChangeStream, openChangeStream } from './change-stream.js';

/**
 * aggregate. Leading `$match`, `$sort`, `$skip` and `$limit` stages become the query of the
 * collection read, so they use indexes and limits stop the scan; the rest of the pipeline runs in
 * the document language over what that read returns.
 */
export function aggregate(ctx: CommandContext): Document | Promise<Document> {
  const target = ctx.body.aggregate;
  const pipeline = ctx.body.pipeline;
  if (!Array.isArray(pipeline)) throw new MongoCommandError(ErrorCode.TypeMismatch, "'pipeline' option must be specified as an array");
  const cursorOptions = ctx.body.cursor as Document | undefined;
  if ((cursorOptions === undefined || cursorOptions === null) && ctx.body.explain !== true) {
    throw new MongoCommandError(ErrorCode.FailedToParse, "The 'cursor' option is required, except for aggregate with the explain argument");
  }
  if (isChangeStream(pipeline)) return openChangeStream(ctx, pipeline as Document[]);
  checkOutputStages(ctx, pipeline as Document[]);
  const outputStage = isOutputStage(pipeline.at(-1)) ? (pipeline.at(-1) as Document) : undefined;
  const view = ctx.view;
  const variables = letVariables(ctx.body, 'aggregate');
  const letSpec = { ...(variables !== undefined ? { variables } : {}), ...(ctx.collation !== undefined ? { collation: ctx.collation } : {}) };
  const engine = ctx.state.engine;
  let input: Iterable<Document>;
  let rest = outputStage === undefined ? (pipeline as Document[]) : (pipeline.slice(0, -1) as Document[]);
  let nsName: string;
  if (typeof target === 'string') {
    nsName = target;
    const coll = engine.collection(ctx.db, target);
    const { spec, remaining } = pushDown(rest);
    rest = remaining;
    const countAs = countingGroup(rest);
    if (countAs !== null && coll !== undefined) {
      // countDocuments() sends [$match, ($skip, $limit,) $group {_id: 1, n: {$sum: 1}}]: count
      // the matches instead of handing every document to the pipeline, and with no filter outside
      // a transaction read the maintained count.
      let n: number;
      const unfiltered = spec.filter === undefined || Object.keys(spec.filter).length === 0;
      if (unfiltered && ctx.txn === null && spec.sort === undefined) {
        n = Math.max(0, coll.liveCount - (spec.skip ?? 0));
        if (spec.limit !== undefined && spec.limit > 0) n = Math.min(n, spec.limit);
      } else {
        n = 0;
        for (const _ of runQuery(coll, () => view, { ...spec, hint: ctx.body.hint, ...letSpec })) n++;
      }
      const docs = n === 0 ? [] : [{ _id: countAs.id, [countAs.field]: n }];
      return firstBatchReply(ctx.state.cursors, `${ctx.db}.${target}`, docs[Symbol.iterator](), { session: ctx.session, txn: ctx.txn });
    }
    input = coll === undefined ? [] : mapDocs(runQuery(coll, () => view, { ...spec, hint: ctx.body.hint, ...letSpec }));
  } else if (numberOf(target) === 1) {
    nsName = '$cmd.aggregate';
    input = [];
    const first = rest[0] !== undefined ? Object.keys(rest[0])[0] : undefined;
    if (first === '$listLocalSessions') {
      input = listLocalSessions(ctx);
      rest = rest.slice(1);
    } else if (first === '$documents') {
      input = documentsStage(rest[0]!.$documents, variables);
      rest = rest.slice(1);
    }
  } else {
    throw new MongoCommandError(ErrorCode.TypeMismatch, "'aggregate' must be a collection name or 1");
  }
  const context: language.PipelineContext = {
    now: new Date(),
    ...(variables !== undefined ? { variables } : {}),
    getCollection(name: string): Iterable<Document> {
      const coll = engine.collection(ctx.db, name);
      if (coll === undefined) return [];
      return (function* () {
        for (const rec of coll.records.values()) {
          const bson = visibleBson(rec, view);
          if (bson !== null) yield decodeDocument(bson);
        }
      })();
    },
  };
  if (ctx.collation !== undefined && countingGroup(rest) === null) {
    // Only the collection read (the leading $match/$sort/$skip/$limit) honours a collation;
    // a later stage that compares strings would compare them binary: refuse rather than answer wrongly.
    const comparing = rest.map((stage) => Object.keys(stage)[0]!).find((name) => !COLLATION_NEUTRAL_STAGES.has(name));
    if (comparing !== undefined) throw new MongoCommandError(ErrorCode.BadValue, `embedded-mongo supports a collation only on the leading $match/$sort of a pipeline, not with ${comparing}`);
  }
  const output = rest.length === 0 ? input : language.runPipeline(input, rest, context);
  if (outputStage !== undefined) {
    const documents = [...output];
    return writeOutputStage(ctx, outputStage, documents).then(() => firstBatchReply(ctx.state.cursors, `${ctx.db}.${nsName}`, [][Symbol.iterator](), { session: ctx.session, txn: ctx.txn }));
  }
  const batchSize = cursorOptions?.batchSize === undefined ? undefined : numberOf(cursorOptions.batchSize);
  return firstBatchReply(ctx.state.cursors, `${ctx.db}.${nsName}`, output[Symbol.iterator](), {
    batchSize,
    session: ctx.session,
    txn: ctx.txn,
  });
}

/** Stages that never compare strings, so a collation does not change what they do. */
const COLLATION_NEUTRAL_STAGES = new Set(['$project', '$addFields', '$set', '$unset', '$limit', '$skip', '$count', '$replaceRoot', '$replaceWith', '$unwind', '$sample']);

/** Splits the leading stages a collection read can do itself from the rest of the pipeline. */
function pushDown(pipeline: Document[]): { spec: QuerySpec; remaining: Document[] } {
  const spec: QuerySpec = {};
  let i = 0;
  const and: Document[] = [];
  // $match stages merge while nothing but $match came before them.
  while (i < pipeline.length && Object.keys(pipeline[i]!)[0] === '$match' && !hasTextOrGeo(pipeline[i]!.$match as Document)) {
    and.push(pipeline[i]!.$match as Document);
    i++;
  }
  if (and.length === 1) spec.filter = and[0];
  else if (and.length > 1) spec.filter = { $and: and };
  const next = pipeline[i] !== undefined ? Object.keys(pipeline[i]!)[0] : undefined;
  if (next === '$sort' && Object.keys(pipeline[i]!).length === 1) {
    spec.sort = pipeline[i]!.$sort as Document;
    i++;
  }
  // $skip then $limit compose; a $limit before a $skip does not fold into (skip, limit) cleanly.
  if (pipeline[i] !== undefined && Object.keys(pipeline[i]!)[0] === '$skip' && numberOf(pipeline[i]!.$skip) >= 0) {
    spec.skip = numberOf(pipeline[i]!.$skip);
    i++;
  }
  if (pipeline[i] !== undefined && Object.keys(pipeline[i]!)[0] === '$limit' && numberOf(pipeline[i]!.$limit) > 0) {
    spec.limit = numberOf(pipeline[i]!.$limit);
    i++;
  }
  return { spec, remaining: pipeline.slice(i) };
}

/** `[{$group: {_id: <constant>, <field>: {$sum: 1}}}]` (what countDocuments sends after its $match/$skip/$limit). */
function countingGroup(rest: Document[]): { id: unknown; field: string } | null {
  if (rest.length !== 1) return null;
  const group = rest[0]!.$group as Document | undefined;
  if (group === undefined || Object.keys(rest[0]!).length !== 1) return null;
  const keys = Object.keys(group);
  if (keys.length !== 2 || keys[0] !== '_id') return null;
  const id = group._id;
  const constantId = id === null || typeof id === 'number' || typeof id === 'boolean' || !Number.isNaN(numberOf(id));
  if (!constantId || typeof id === 'string') return null;
  const acc = group[keys[1]!] as Document;
  if (acc === null || typeof acc !== 'object' || Object.keys(acc).length !== 1 || acc.$sum === undefined) return null;
  if (numberOf(acc.$sum) !== 1) return null;
  return { id, field: keys[1]! };
}

function hasTextOrGeo(match: Document): boolean {
  return match === null || typeof match !== 'object' || '$text' in match;
}

function* mapDocs(source: Iterable<{ doc: Document }>): Generator<Document> {
  for (const m of source) yield m.doc;
}
