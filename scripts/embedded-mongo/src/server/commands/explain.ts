import type { Document } from 'bson';
import { ErrorCode, MongoCommandError } from '../../errors.js';
import type { Collection } from '../../storage/collection.js';
import { numberOf } from '../../storage/numeric-value.js';
import { runQuery, type ScanStats } from '../../storage/query-executor.js';
import { planQuery, type QueryPlan } from '../../storage/query-planner.js';
import type { CommandContext } from '../command-context.js';
import { SERVER_VERSION } from './diagnostics.js';

/**
 * explain for find/count/distinct/update/delete/findAndModify: the chosen plan (COLLSCAN or
 * IXSCAN on an index, and whether it gives the sort order) in queryPlanner.winningPlan.
 */
export function explain(ctx: CommandContext): Document {
  const inner = ctx.body.explain as Document | undefined;
  if (inner === undefined || typeof inner !== 'object') throw new MongoCommandError(ErrorCode.FailedToParse, 'explain command requires a nested object');
  const command = Object.keys(inner)[0] ?? '';
  const collName = inner[command];
  if (typeof collName !== 'string') throw new MongoCommandError(ErrorCode.InvalidNamespace, 'explain: collection name must be a string');
  const filter = (inner.filter ??
    inner.query ??
    (Array.isArray(inner.updates) ? inner.updates[0]?.q : undefined) ??
    (Array.isArray(inner.deletes) ? inner.deletes[0]?.q : undefined) ??
    {}) as Document;
  const coll = ctx.state.engine.collection(ctx.db, collName);
  let winningPlan: Document = { stage: 'EOF' };
  let executionStats: Document | undefined;
  if (coll !== undefined) {
    const plan = planQuery(coll, filter, inner.sort as Document | undefined, inner.hint);
    const scan: Document =
      plan.index === null
        ? { stage: 'COLLSCAN', filter, direction: 'forward' }
        : {
            stage: 'IXSCAN',
            keyPattern: plan.index.key,
            indexName: plan.index.name,
            isMultiKey: plan.index.multikey,
            direction: plan.direction === 1 ? 'forward' : 'backward',
            // Not MongoDB's indexBounds format: the key prefixes where each range scan starts and ends, in index order.
            scanBounds: plan.scans.map((scan) => ({ start: scan.start.prefix, end: scan.end.prefix })),
          };
    winningPlan = plan.index === null ? scan : { stage: 'FETCH', filter, inputStage: scan };
    if (inner.sort !== undefined && !plan.providesSort) winningPlan = { stage: 'SORT', sortPattern: inner.sort, inputStage: winningPlan };
    if (ctx.body.verbosity !== 'queryPlanner' && ctx.body.verbosity !== undefined) {
      executionStats = runForStats(coll, ctx, inner, filter, plan);
    }
  }
  return {
    queryPlanner: { namespace: `${ctx.db}.${collName}`, parsedQuery: filter, winningPlan, rejectedPlans: [] },
    ...(executionStats !== undefined ? { executionStats } : {}),
    command: inner,
    serverInfo: { host: ctx.state.hostAndPort, version: SERVER_VERSION },
    ok: 1,
  };
}

/** executionStats: runs a find-shaped query (read-only, nothing returned) and reports the work it did. */
function runForStats(coll: Collection, ctx: CommandContext, inner: Document, filter: Document, plan: QueryPlan): Document {
  const stats: ScanStats = { keysExamined: 0, docsExamined: 0 };
  const started = performance.now();
  const limit = inner.limit === undefined ? undefined : Math.abs(numberOf(inner.limit));
  const skip = inner.skip === undefined ? undefined : numberOf(inner.skip);
  const view = ctx.view;
  let nReturned = 0;
  for (const _ of runQuery(coll, () => view, { filter, sort: inner.sort as Document | undefined, skip, limit }, plan, stats)) nReturned++;
  return {
    executionSuccess: true,
    nReturned,
    executionTimeMillis: Math.round(performance.now() - started),
    totalKeysExamined: stats.keysExamined,
    totalDocsExamined: stats.docsExamined,
  };
}
