import type { Document } from 'bson';
import { BSONRegExp } from 'bson';
import * as language from '../language/index.js';
import { badValue } from '../errors.js';
import type { Collection } from './collection.js';
import type { CollectionIndex, IndexEntry } from './collection-index.js';

/**
 * Chooses how to read a query: a collection scan, or a range scan of one index.
 *
 * Only what can be proven from the top level of the filter (and top-level `$and`) bounds a
 * scan: equality, `$eq`, `$in` of scalars, and `$gt/$gte/$lt/$lte`. Bounds are never tighter
 * than the filter, and every document is re-checked against the full filter, so a loose bound
 * costs time, never correctness.
 */
export interface ScanBound {
  /** Key prefix in index order. */
  prefix: unknown[];
  inclusive: boolean;
}

export interface IndexScan {
  /** Index-order start and end. */
  start: ScanBound;
  end: ScanBound;
}

export interface QueryPlan {
  index: CollectionIndex | null;
  /** One or more scans, concatenated (several for `$in`). */
  scans: IndexScan[];
  direction: 1 | -1;
  /** True when the index order is the requested sort order (no in-memory sort). */
  providesSort: boolean;
  /** A human-readable summary for explain. */
  summary: string;
}

interface FieldPredicate {
  eq?: unknown;
  in?: unknown[];
  lo?: { value: unknown; inclusive: boolean };
  hi?: { value: unknown; inclusive: boolean };
}

const MAX_IN_POINTS = 1000;

export function planQuery(coll: Collection, filter: Document, sort: Document | undefined, hint: unknown): QueryPlan {
  // An _id equality is a unique point lookup: nothing beats it, so skip weighing the others.
  if ((hint === undefined || hint === null) && (sort === undefined || Object.keys(sort).length === 0) && isPointId(filter._id)) {
    return {
      index: coll.idIndex,
      scans: [{ start: { prefix: [filter._id], inclusive: true }, end: { prefix: [filter._id], inclusive: true } }],
      direction: 1,
      providesSort: true,
      summary: 'IXSCAN _id_',
    };
  }
  const predicates = analyzeFilter(filter);
  const sortFields = Object.entries(sort ?? {}).map(([path, dir]) => ({ path, direction: Number(dir) < 0 ? -1 : 1 }));

  if (hint !== undefined && hint !== null) {
    const hinted = resolveHint(coll, hint);
    if (hinted === null) return collectionScan(sortFields.length === 0);
    return planForIndex(hinted, predicates, sortFields) ?? unboundedPlan(hinted, sortFields);
  }

  const candidates: { plan: QueryPlan; score: number }[] = [];
  for (const index of coll.indexes.values()) {
    if (index.partialFilter !== null) continue;
    const plan = planForIndex(index, predicates, sortFields);
    if (plan === null) continue;
    const first = predicates.get(index.fields[0]!.path);
    if (index.options.sparse && !excludesMissing(first)) continue;
    const score = scorePlan(plan, index, predicates, sortFields.length > 0);
    if (score > 0) candidates.push({ plan, score });
  }
  const top = Math.max(0, ...candidates.map((c) => c.score));
  const tied = candidates.filter((c) => c.score === top);
  // Counting entries in range costs a walk over the page list: only done to break a tie.
  let best: { plan: QueryPlan; score: number } | null = tied[0] ?? null;
  if (tied.length > 1) {
    let fewest = Number.POSITIVE_INFINITY;
    for (const c of tied) {
      const estimate = estimateEntries(c.plan);
      if (estimate < fewest) {
        fewest = estimate;
        best = c;
      }
    }
  }
  return best?.plan ?? collectionScan(sortFields.length === 0);
}

function collectionScan(noSort: boolean): QueryPlan {
  return { index: null, scans: [], direction: 1, providesSort: noSort, summary: 'COLLSCAN' };
}

function resolveHint(coll: Collection, hint: unknown): CollectionIndex | null {
  if (typeof hint === 'string') {
    const index = coll.indexes.get(hint);
    if (index === undefined) throw badValue('error processing query: planner returned error :: caused by :: hint provided does not correspond to an existing index');
    return index;
  }
  if (typeof hint === 'object' && hint !== null) {
    const keys = Object.keys(hint);
    if (keys.length === 1 && keys[0] === '$natural') return null;
    for (const index of coll.indexes.values()) if (sameKeyPattern(index.key, hint as Document)) return index;
  }
  throw badValue('error processing query: planner returned error :: caused by :: hint provided does not correspond to an existing index');
}

function sameKeyPattern(a: Document, b: Document): boolean {
  const ak = Object.entries(a);
  const bk = Object.entries(b);
  return ak.length === bk.length && ak.every(([k, v], i) => bk[i]![0] === k && Number(bk[i]![1]) === Number(v));
}

function excludesMissing(p: FieldPredicate | undefined): boolean {
  if (p === undefined) return false;
  if ('eq' in p) return p.eq !== null && p.eq !== undefined;
  if (p.in !== undefined) return p.in.every((v) => v !== null && v !== undefined);
  return p.lo !== undefined || p.hi !== undefined;
}

function scorePlan(plan: QueryPlan, index: CollectionIndex, predicates: Map<string, FieldPredicate>, wantsSort: boolean): number {
  let score = 0;
  let allEq = true;
  for (const field of index.fields) {
    const p = predicates.get(field.path);
    if (p === undefined) {
      allEq = false;
      break;
    }
    if ('eq' in p) score += 4;
    else if (p.in !== undefined) score += 3;
    else {
      score += 2;
      allEq = false;
      break;
    }
  }
  if (index.unique && allEq && score > 0) score += 10;
  if (wantsSort && plan.providesSort) score += 3;
  return score;
}

function estimateEntries(plan: QueryPlan): number {
  const index = plan.index;
  if (index === null) return Number.POSITIVE_INFINITY;
  let total = 0;
  for (const scan of plan.scans) {
    total += index.tree.countBetween(
      (k) => isBefore(index, k, scan.start),
      (k) => isAfter(index, k, scan.end),
    );
  }
  return total;
}

export function isBefore(index: CollectionIndex, entry: IndexEntry, start: ScanBound): boolean {
  const c = index.comparePrefix(entry, start.prefix);
  return c < 0 || (c === 0 && !start.inclusive && start.prefix.length > 0);
}

export function isAfter(index: CollectionIndex, entry: IndexEntry, end: ScanBound): boolean {
  const c = index.comparePrefix(entry, end.prefix);
  return c > 0 || (c === 0 && !end.inclusive && end.prefix.length > 0);
}

function unboundedPlan(index: CollectionIndex, sortFields: { path: string; direction: number }[]): QueryPlan {
  const order = sortOrderFrom(index, 0, sortFields);
  return {
    index,
    scans: [{ start: { prefix: [], inclusive: true }, end: { prefix: [], inclusive: true } }],
    direction: order ?? 1,
    providesSort: order !== null,
    summary: `IXSCAN ${index.name}`,
  };
}

/** Bounds on `index` from the predicates; null when the index helps neither filter nor sort. */
function planForIndex(index: CollectionIndex, predicates: Map<string, FieldPredicate>, sortFields: { path: string; direction: number }[]): QueryPlan | null {
  const eqs: unknown[] = [];
  let inPoints: unknown[] | null = null;
  let range: FieldPredicate | null = null;
  for (const field of index.fields) {
    const p = predicates.get(field.path);
    if (p === undefined) break;
    if ('eq' in p) {
      eqs.push(p.eq);
      continue;
    }
    // `$in` only as the first field: several points concatenated keep the plan simple.
    if (p.in !== undefined && eqs.length === 0 && inPoints === null) {
      inPoints = p.in;
      break;
    }
    if (p.lo !== undefined || p.hi !== undefined) range = p;
    break;
  }
  const boundFields = eqs.length + (inPoints !== null || range !== null ? 1 : 0);
  const sortOrder = inPoints !== null && inPoints.length > 1 ? null : sortOrderFrom(index, eqs.length + (inPoints !== null ? 1 : 0), sortFields);
  if (boundFields === 0 && sortOrder === null) return null;
  if (boundFields === 0 && sortFields.length === 0) return null;

  const scans: IndexScan[] = [];
  if (inPoints !== null) {
    const sorted = [...inPoints].sort((a, b) => index.comparePrefix([a], [b]));
    for (const point of sorted) scans.push({ start: { prefix: [point], inclusive: true }, end: { prefix: [point], inclusive: true } });
  } else {
    const start: ScanBound = { prefix: [...eqs], inclusive: true };
    const end: ScanBound = { prefix: [...eqs], inclusive: true };
    if (range !== null) {
      const field = index.fields[eqs.length]!;
      // A multikey index can hold [1, 10] for one document: bounding both sides of a range
      // would lose it for {$gt: 5, $lt: 3}-style filters, so only one side bounds then.
      const lo = range.lo;
      const hi = index.multikey && range.lo !== undefined ? undefined : range.hi;
      const [first, last] = field.direction === 1 ? [lo, hi] : [hi, lo];
      if (first !== undefined) {
        start.prefix.push(first.value);
        start.inclusive = first.inclusive;
      }
      if (last !== undefined) {
        end.prefix.push(last.value);
        end.inclusive = last.inclusive;
      }
    }
    scans.push({ start, end });
  }
  const direction = sortOrder ?? 1;
  if (direction === -1) scans.reverse();
  return {
    index,
    scans,
    direction,
    providesSort: sortOrder !== null,
    summary: `IXSCAN ${index.name}`,
  };
}

/**
 * Scan direction giving the requested sort, or null: after `eqCount` equality-bound fields, the
 * sort must be a prefix of the remaining index fields, all in index order or all reversed.
 * A multikey index never provides order.
 */
function sortOrderFrom(index: CollectionIndex, eqCount: number, sortFields: { path: string; direction: number }[]): 1 | -1 | null {
  if (sortFields.length === 0) return 1;
  if (index.multikey) return null;
  const boundPaths = new Set(index.fields.slice(0, eqCount).map((f) => f.path));
  const rest = sortFields.filter((s) => !boundPaths.has(s.path));
  if (rest.length === 0) return 1;
  let order: 1 | -1 | null = null;
  for (let i = 0; i < rest.length; i++) {
    const field = index.fields[eqCount + i];
    if (field === undefined || field.path !== rest[i]!.path) return null;
    const o = rest[i]!.direction === field.direction ? 1 : -1;
    if (order !== null && order !== o) return null;
    order = o;
  }
  return order;
}

/** Per top-level field: what bounds its index keys (fields with anything else are left unbounded). */
function analyzeFilter(filter: Document): Map<string, FieldPredicate> {
  const out = new Map<string, FieldPredicate>();
  const add = (key: string, p: FieldPredicate): void => {
    const existing = out.get(key);
    out.set(key, existing === undefined ? p : mergePredicates(existing, p));
  };
  const visit = (f: Document): void => {
    for (const [key, value] of Object.entries(f)) {
      if (key === '$and' && Array.isArray(value)) {
        for (const sub of value) if (isPlainObject(sub)) visit(sub);
        continue;
      }
      if (key === '$or' && Array.isArray(value)) {
        for (const [field, hull] of orHull(value)) add(field, hull);
        continue;
      }
      if (key.startsWith('$')) continue;
      const p = predicateOf(value);
      if (p !== null) add(key, p);
    }
  };
  visit(filter);
  return out;
}

/**
 * A field every branch of an `$or` bounds is bounded by the union of those bounds (taken as
 * one interval, looser but safe). This is what keeps keyset pagination filters such as
 * `{$or: [{t: {$lt: X}}, {t: X, id: {$lt: Y}}]}` on an index range instead of a full scan.
 */
function orHull(branches: unknown[]): Map<string, FieldPredicate> {
  const result = new Map<string, FieldPredicate>();
  if (branches.length === 0 || !branches.every(isPlainObject)) return result;
  const analyzed = (branches as Document[]).map(analyzeFilter);
  for (const [field, first] of analyzed[0]!) {
    let lo = lowOf(first);
    let hi = highOf(first);
    for (const other of analyzed.slice(1)) {
      const p = other.get(field);
      if (p === undefined) {
        lo = hi = undefined;
        break;
      }
      lo = looser(lo, lowOf(p), -1);
      hi = looser(hi, highOf(p), 1);
    }
    if (lo !== undefined || hi !== undefined) {
      const hull: FieldPredicate = {};
      if (lo !== undefined) hull.lo = lo;
      if (hi !== undefined) hull.hi = hi;
      result.set(field, hull);
    }
  }
  return result;
}

type Bound = { value: unknown; inclusive: boolean } | undefined;

function lowOf(p: FieldPredicate): Bound {
  if ('eq' in p) return { value: p.eq, inclusive: true };
  if (p.in !== undefined) return extremeOf(p.in, -1);
  return p.lo;
}

function highOf(p: FieldPredicate): Bound {
  if ('eq' in p) return { value: p.eq, inclusive: true };
  if (p.in !== undefined) return extremeOf(p.in, 1);
  return p.hi;
}

function extremeOf(values: unknown[], sign: 1 | -1): Bound {
  if (values.length === 0) return undefined;
  let best = values[0];
  for (const v of values) if (language.compareValues(v, best) * sign > 0) best = v;
  return { value: best, inclusive: true };
}

/** The looser of two bounds on one side (sign -1: lower side, 1: upper side); unbounded wins. */
function looser(a: Bound, b: Bound, sign: 1 | -1): Bound {
  if (a === undefined || b === undefined) return undefined;
  const c = language.compareValues(a.value, b.value) * sign;
  if (c > 0) return a;
  if (c < 0) return b;
  return { value: a.value, inclusive: a.inclusive || b.inclusive };
}

/** The tighter of two bounds on one side; a missing bound gives way. */
function tighter(a: Bound, b: Bound, sign: 1 | -1): Bound {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const c = language.compareValues(a.value, b.value) * sign;
  if (c < 0) return a;
  if (c > 0) return b;
  return { value: a.value, inclusive: a.inclusive && b.inclusive };
}

function mergePredicates(a: FieldPredicate, b: FieldPredicate): FieldPredicate {
  if ('eq' in a) return a;
  if ('eq' in b) return b;
  if (a.in !== undefined) return a;
  if (b.in !== undefined) return b;
  const merged: FieldPredicate = {};
  const lo = tighter(a.lo, b.lo, -1);
  const hi = tighter(a.hi, b.hi, 1);
  if (lo !== undefined) merged.lo = lo;
  if (hi !== undefined) merged.hi = hi;
  return merged;
}

function predicateOf(value: unknown): FieldPredicate | null {
  if (!isIndexableValue(value)) return null;
  if (isPlainObject(value) && Object.keys(value).some((k) => k.startsWith('$'))) {
    const p: FieldPredicate = {};
    for (const [op, operand] of Object.entries(value)) {
      switch (op) {
        case '$eq':
          if (isIndexableValue(operand) && !isOperatorObject(operand)) p.eq = operand;
          break;
        case '$in':
          if (Array.isArray(operand) && operand.length <= MAX_IN_POINTS && operand.every((v) => isIndexableValue(v) && !isOperatorObject(v))) {
            p.in = operand;
          }
          break;
        case '$gt':
        case '$gte':
          if (isIndexableValue(operand)) {
            p.lo = { value: operand, inclusive: op === '$gte' };
            if (isNumeric(operand) && p.hi === undefined) p.hi = { value: Number.POSITIVE_INFINITY, inclusive: true };
          }
          break;
        case '$lt':
        case '$lte':
          if (isIndexableValue(operand)) p.hi = { value: operand, inclusive: op === '$lte' };
          break;
        default:
          break;
      }
    }
    if ('eq' in p) return { eq: p.eq };
    if (p.in !== undefined) return p.in.length === 1 ? { eq: p.in[0] } : { in: p.in };
    return p.lo !== undefined || p.hi !== undefined ? p : null;
  }
  return { eq: value };
}

function isPointId(v: unknown): boolean {
  return v !== undefined && isIndexableValue(v) && !isOperatorObject(v);
}

function isNumeric(v: unknown): boolean {
  if (typeof v === 'number') return !Number.isNaN(v);
  const t = (v as { _bsontype?: string } | null)?._bsontype;
  return t === 'Int32' || t === 'Double' || t === 'Long';
}

/** Arrays, regexes and undefined match by rules an index range cannot express. */
function isIndexableValue(v: unknown): boolean {
  if (v === undefined || Array.isArray(v) || v instanceof RegExp || v instanceof BSONRegExp) return false;
  return true;
}

function isOperatorObject(v: unknown): boolean {
  return isPlainObject(v) && Object.keys(v).some((k) => k.startsWith('$'));
}

function isPlainObject(v: unknown): v is Document {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && (v as { _bsontype?: string })._bsontype === undefined && !(v instanceof Date);
}
