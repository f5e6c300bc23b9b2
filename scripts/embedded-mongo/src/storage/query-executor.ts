import type { Document } from 'bson';
import * as language from '../language/index.js';
import type { Collection } from './collection.js';
import { decodeDocument } from './document-codec.js';
import { isAfter, isBefore, planQuery, type QueryPlan } from './query-planner.js';
import { type DocRecord, hasSingleVersion, type ReadView, visibleBson } from './record.js';

export interface QuerySpec {
  filter?: Document;
  sort?: Document;
  skip?: number;
  /** 0 or absent: no limit. */
  limit?: number;
  hint?: unknown;
  /** The command's `let` variables ($$name in `$expr`). */
  variables?: Record<string, unknown>;
  /** A non-simple collation: strings compare through its folded form; no index is used. */
  collation?: language.Collation;
}

/** Work counters, for explain's executionStats. */
export interface ScanStats {
  keysExamined: number;
  docsExamined: number;
}

export interface Match {
  rec: DocRecord;
  doc: Document;
}

/**
 * Streams the documents of `coll` matching a query in `view`, sorted, skipped and limited.
 *
 * When the plan gives the order, nothing is materialised: a deep page costs its skip/range seek
 * plus its own documents, and a limit stops the scan. Otherwise the matches are collected and
 * sorted in memory (a blocking sort, as MongoDB does without a matching index).
 *
 * `view` is read at each step, so a non-transactional cursor sees the latest committed state in
 * every getMore batch while a transaction's cursor keeps reading its snapshot.
 */
export function* runQuery(coll: Collection, view: () => ReadView, spec: QuerySpec, plan?: QueryPlan, stats?: ScanStats): Generator<Match> {
  const filter = spec.filter ?? {};
  const collation = spec.collation;
  const sortSpec = spec.sort !== undefined && Object.keys(spec.sort).length > 0 ? spec.sort : undefined;
  let matcher = language.compileFilter(filter, spec.variables);
  if (collation !== undefined) {
    // Indexes hold binary-ordered keys: a collated query scans the collection and compares folded strings.
    const folded = language.compileFilter(language.foldFilter(filter, collation), spec.variables);
    matcher = (doc) => folded(language.foldValue(doc, collation) as Document);
  }
  const chosen = plan ?? (collation !== undefined ? planQuery(coll, {}, undefined, spec.hint) : planQuery(coll, filter, sortSpec, spec.hint));
  let source = scanPlan(coll, view, chosen, matcher, stats ?? { keysExamined: 0, docsExamined: 0 });
  if (sortSpec !== undefined && (collation !== undefined || !chosen.providesSort)) {
    const compare = language.compileSort(sortSpec);
    const all = [...source];
    if (collation !== undefined) {
      const keyed = all.map((m) => ({ m, key: language.foldValue(m.doc, collation) as Document }));
      keyed.sort((a, b) => compare(a.key, b.key));
      source = keyed.map((k) => k.m)[Symbol.iterator]() as Generator<Match>;
    } else {
      all.sort((a, b) => compare(a.doc, b.doc));
      source = all[Symbol.iterator]() as Generator<Match>;
    }
  }
  let toSkip = spec.skip ?? 0;
  let left = spec.limit !== undefined && spec.limit > 0 ? spec.limit : Number.POSITIVE_INFINITY;
  if (left === 0) return;
  for (const m of source) {
    if (toSkip > 0) {
      toSkip--;
      continue;
    }
    yield m;
    if (--left <= 0) return;
  }
}

function* scanPlan(coll: Collection, view: () => ReadView, plan: QueryPlan, matcher: language.Matcher, stats: ScanStats): Generator<Match> {
  const index = plan.index;
  if (index === null) {
    // Map iteration is insertion order and tolerates inserts/deletes between steps.
    for (const rec of coll.records.values()) {
      const bson = visibleBson(rec, view());
      if (bson === null) continue;
      stats.docsExamined++;
      const doc = decodeDocument(bson);
      if (matcher(doc)) yield { rec, doc };
    }
    return;
  }
  // Several entries can lead to one record (multikey, several $in points, or an old version's
  // key still indexed for an open snapshot): emit each record once, at a key its visible version has.
  const seen = index.multikey || plan.scans.length > 1 ? new Set<number>() : null;
  for (const scan of plan.scans) {
    const entries = index.tree.scan(
      plan.direction,
      (k) => isBefore(index, k, scan.start),
      (k) => isAfter(index, k, scan.end),
    );
    for (const entry of entries) {
      stats.keysExamined++;
      const rid = index.ridOf(entry);
      if (seen !== null && seen.has(rid)) continue;
      const rec = coll.records.get(rid);
      if (rec === undefined) continue;
      const bson = visibleBson(rec, view());
      if (bson === null) continue;
      stats.docsExamined++;
      const doc = decodeDocument(bson);
      if (!hasSingleVersion(rec) && !index.entriesFor(doc, rid).some((e) => index.sameKey(e, entry))) continue;
      if (!matcher(doc)) continue;
      seen?.add(rid);
      yield { rec, doc };
    }
  }
}
