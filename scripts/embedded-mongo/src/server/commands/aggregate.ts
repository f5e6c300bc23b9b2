import type { Document } from 'bson';
import * as language from '../../language/index.js';
import { ErrorCode, MongoCommandError } from '../../errors.js';
import { decodeDocument } from '../../storage/document-codec.js';
import { runQuery, type QuerySpec } from '../../storage/query-executor.js';
import { visibleBson } from '../../storage/record.js';
import { numberOf } from '../../storage/numeric-value.js';
import type { CommandContext } from '../command-context.js';
import { firstBatchReply } from '../cursors.js';

/**
 * aggregate. Leading `$match`, `$sort`, `$skip` and `$limit` stages become the query of the
 * collection read, so they use indexes and limits stop the scan; the rest of the pipeline runs in
 * the document language over what that read returns.
 */
export function aggregate(ctx: CommandContext): Document {
  const target = ctx.body.aggregate;
  const pipeline = ctx.body.pipeline;
  if (!Array.isArray(pipeline)) throw new MongoCommandError(ErrorCode.TypeMismatch, "'pipeline' option must be specified as an array");
  const cursorOptions = ctx.body.cursor as Document | undefined;
  if ((cursorOptions === undefined || cursorOptions === null) && ctx.body.explain !== true) {
    throw new MongoCommandError(ErrorCode.FailedToParse, "The 'cursor' option is required, except for aggregate with the explain argument");
  }
  for (const stage of pipeline as Document[]) {
    const op = Object.keys(stage)[0];
    if (op === '$out' || op === '$merge') {
      throw new MongoCommandError(ErrorCode.IllegalOperation, `embedded-mongo does not support the ${op} stage; read the results and write them with insert/update instead`);
    }
  }
  const view = ctx.view;
  const engine = ctx.state.engine;
  let input: Iterable<Document>;
  let rest = pipeline as Document[];
  let nsName: string;
  if (typeof target === 'string') {
    nsName = target;
    const coll = engine.collection(ctx.db, target);
    const { spec, remaining } = pushDown(rest);
    rest = remaining;
    input = coll === undefined ? [] : mapDocs(runQuery(coll, () => view, { ...spec, hint: ctx.body.hint }));
  } else if (numberOf(target) === 1) {
    nsName = '$cmd.aggregate';
    input = [];
  } else {
    throw new MongoCommandError(ErrorCode.TypeMismatch, "'aggregate' must be a collection name or 1");
  }
  const context: language.PipelineContext = {
    now: new Date(),
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
  const output = rest.length === 0 ? input : language.runPipeline(input, rest, context);
  const batchSize = cursorOptions?.batchSize === undefined ? undefined : numberOf(cursorOptions.batchSize);
  return firstBatchReply(ctx.state.cursors, `${ctx.db}.${nsName}`, output[Symbol.iterator](), {
    batchSize: batchSize === 0 ? undefined : batchSize,
    session: ctx.session,
    txn: ctx.txn,
  });
}

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

function hasTextOrGeo(match: Document): boolean {
  return match === null || typeof match !== 'object' || '$text' in match;
}

function* mapDocs(source: Iterable<{ doc: Document }>): Generator<Document> {
  for (const m of source) yield m.doc;
}
