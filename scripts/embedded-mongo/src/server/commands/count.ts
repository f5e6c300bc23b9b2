import type { Document } from 'bson';
import { runQuery } from '../../storage/query-executor.js';
import { collectionArgument, nonNegativeInteger, optionalDocument, optionalNumber } from '../command-arguments.js';
import type { CommandContext } from '../command-context.js';

/** count: with no query outside a transaction it reads the maintained document count (estimatedDocumentCount). */
export function count(ctx: CommandContext): Document {
  const name = collectionArgument(ctx, 'count');
  const coll = ctx.state.engine.collection(ctx.db, name);
  if (coll === undefined) return { n: 0, ok: 1 };
  const query = optionalDocument(ctx.body, 'query') ?? {};
  const skip = nonNegativeInteger(ctx.body, 'skip') ?? 0;
  const rawLimit = optionalNumber(ctx.body, 'limit') ?? 0;
  const limit = Math.abs(rawLimit);
  let n: number;
  if (Object.keys(query).length === 0 && ctx.txn === null) {
    n = Math.max(0, coll.liveCount - skip);
    if (limit > 0) n = Math.min(n, limit);
  } else {
    n = 0;
    const view = ctx.view;
    for (const _ of runQuery(coll, () => view, { filter: query, skip, limit, hint: ctx.body.hint, ...(ctx.collation !== undefined ? { collation: ctx.collation } : {}) })) n++;
  }
  return { n, ok: 1 };
}
