import { type Document, Long } from 'bson';
import * as language from '../../language/index.js';
import { ErrorCode, MongoCommandError } from '../../errors.js';
import { runQuery } from '../../storage/query-executor.js';
import { booleanArgument, collectionArgument, letVariables, nonNegativeInteger, optionalDocument, optionalNumber } from '../command-arguments.js';
import type { CommandContext } from '../command-context.js';
import { DEFAULT_FIRST_BATCH, firstBatchReply } from '../cursors.js';
import { TailableCursor } from '../tailable-cursor.js';
import type { Collection } from '../../storage/collection.js';

/** find: filter, sort, projection, skip, limit, batchSize, singleBatch, hint. */
export function find(ctx: CommandContext): Document {
  const name = collectionArgument(ctx, 'find');
  const ns = `${ctx.db}.${name}`;
  const body = ctx.body;
  const filter = optionalDocument(body, 'filter') ?? {};
  const sort = optionalDocument(body, 'sort');
  const projection = optionalDocument(body, 'projection');
  const skip = nonNegativeInteger(body, 'skip');
  let limit = optionalNumber(body, 'limit');
  let singleBatch = booleanArgument(body, 'singleBatch');
  // The legacy negative limit means "one batch of at most |limit|".
  if (limit !== undefined && limit < 0) {
    limit = -limit;
    singleBatch = true;
  }
  const batchSize = nonNegativeInteger(body, 'batchSize');
  if (sort !== undefined) rejectMetaSort(sort);

  const tailable = booleanArgument(body, 'tailable');
  const awaitData = booleanArgument(body, 'awaitData');
  if (awaitData && !tailable) throw new MongoCommandError(ErrorCode.FailedToParse, "Cannot set 'awaitData' without also setting 'tailable'");
  const coll = ctx.state.engine.collection(ctx.db, name);
  if (coll === undefined) return { cursor: { firstBatch: [], id: Long.ZERO, ns }, ok: 1 };
  if (tailable) return tailableFind(ctx, coll, ns, { filter, sort, projection, batchSize, awaitData });
  // Compile now so a malformed filter or projection fails the command, not a later getMore.
  const variables = letVariables(body, 'find');
  language.compileFilter(filter, variables);
  const project = projection !== undefined && Object.keys(projection).length > 0 ? language.compileProjection(projection, filter) : null;
  const view = ctx.view;
  const matches = runQuery(coll, () => view, {
    filter,
    sort,
    skip,
    limit,
    hint: body.hint,
    ...(variables !== undefined ? { variables } : {}),
    ...(ctx.collation !== undefined ? { collation: ctx.collation } : {}),
  });
  const docs = mapIterator(matches, (m) => (project === null ? m.doc : project(m.doc)));
  const firstBatchSize = batchSize === undefined ? undefined : limit !== undefined && limit > 0 ? Math.min(batchSize, limit) : batchSize;
  return firstBatchReply(ctx.state.cursors, ns, docs, {
    batchSize: firstBatchSize,
    singleBatch,
    session: ctx.session,
    txn: ctx.txn,
  });
}

/** `find` with `tailable` on a capped collection: a cursor that stays open at the end (see TailableCursor). */
function tailableFind(
  ctx: CommandContext,
  coll: Collection,
  ns: string,
  options: { filter: Document; sort: Document | undefined; projection: Document | undefined; batchSize: number | undefined; awaitData: boolean },
): Document {
  if (coll.options.capped !== true) throw new MongoCommandError(ErrorCode.BadValue, `error processing query: ns=${ns} tailable cursor requested on non capped collection`);
  if (options.sort !== undefined && Object.keys(options.sort).some((key) => key !== '$natural')) {
    throw new MongoCommandError(ErrorCode.BadValue, 'cannot use tailable option with a sort other than {$natural: 1}');
  }
  const matcher = language.compileFilter(options.filter, letVariables(ctx.body, 'find'));
  const project = options.projection !== undefined && Object.keys(options.projection).length > 0 ? language.compileProjection(options.projection, options.filter) : null;
  const cursor = ctx.state.cursors.register((id) => new TailableCursor(id, ns, ctx.state.engine, coll, matcher, project, ctx.session, options.awaitData));
  const firstBatch = options.batchSize === 0 ? [] : cursor.nextBatch(options.batchSize ?? DEFAULT_FIRST_BATCH);
  return { cursor: { firstBatch, id: Long.fromBigInt(cursor.id), ns }, ok: 1 };
}

function rejectMetaSort(sort: Document): void {
  for (const [field, dir] of Object.entries(sort)) {
    if (typeof dir === 'object' && dir !== null && (dir as { _bsontype?: string })._bsontype === undefined) {
      throw new MongoCommandError(ErrorCode.BadValue, `embedded-mongo does not support sort by $meta (field '${field}')`);
    }
  }
}

export function* mapIterator<A, B>(source: Iterable<A>, map: (a: A) => B): Generator<B> {
  for (const a of source) yield map(a);
}
