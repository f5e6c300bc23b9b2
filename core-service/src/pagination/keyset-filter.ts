import type { Document } from 'mongodb';
import type { SortKey } from './sort-keys.js';

/**
 * The condition "comes strictly after `values` when walking `keys`" as a disjunction of range
 * conditions: (k1 > v1) or (k1 = v1 and k2 > v2) or ...
 *
 * `$gt`/`$lt` only match values of the same BSON type, while the sort places null and missing
 * below everything. The two cases where that matters get their own conditions so no row is
 * lost: ascending after null (every non-null value follows) and descending after a value
 * (null/missing rows come last). Sort fields must otherwise hold one BSON type.
 */
export function buildKeysetFilter(keys: readonly SortKey[], values: readonly unknown[]): Document {
  const branches: Document[] = [];
  for (let index = 0; index < keys.length; index += 1) {
    const [field, direction] = keys[index]!;
    const value = values[index];
    const equalPrefix: Document = {};
    for (let prefix = 0; prefix < index; prefix += 1) equalPrefix[keys[prefix]![0]] = values[prefix];

    if (direction === 1) {
      branches.push({ ...equalPrefix, [field]: value === null ? { $ne: null } : { $gt: value } });
    } else if (field === '_id') {
      branches.push({ ...equalPrefix, _id: { $lt: value } }); // _id is never null
    } else if (value !== null) {
      branches.push({ ...equalPrefix, $or: [{ [field]: { $lt: value } }, { [field]: null }] });
    }
    // Descending after null: nothing sorts below null, so this branch matches nothing.
  }
  return branches.length === 1 ? branches[0]! : { $or: branches };
}

/**
 * The rows after a cursor as a short list of queries, run in order (each in the walk's sort)
 * until the page is full. The first query carries a top-level range on the leading sort key
 * (`k1 >= v1` walking up, `k1 <= v1` walking down) so an index `{ ...sort, _id }` starts its scan
 * at the cursor; the disjunction only filters out the few rows that share the cursor's k1.
 * A disjunction alone would leave bounds to the planner's handling of `$or`, and a planner that
 * does not split it (the embedded engine) walks the index from the start: page 1,000 would cost
 * 1,000 pages.
 *
 * Null and missing k1 values fall outside any typed range, so they are a query of their own,
 * needed only at the point of the walk where they sort: after every value walking down,
 * before every value walking up.
 */
export function buildKeysetQueries(keys: readonly SortKey[], values: readonly unknown[]): Document[] {
  const [leading, ...restKeys] = keys;
  const [value, ...restValues] = values;
  if (leading === undefined) throw new Error('a keyset needs at least one sort key');
  const [field, direction] = leading;
  const ascending = direction === 1;
  if (restKeys.length === 0) return [{ [field]: { [ascending ? '$gt' : '$lt']: value } }];

  const equalThenAfter: Document = { $and: [{ [field]: value }, buildKeysetFilter(restKeys, restValues)] };
  if (value === null) {
    // Walking up from null, every non-null row follows; walking down, nothing does.
    return ascending ? [equalThenAfter, { [field]: { $ne: null } }] : [equalThenAfter];
  }
  const fromCursorOn: Document = {
    $and: [{ [field]: { [ascending ? '$gte' : '$lte']: value } }, { $or: [{ [field]: { [ascending ? '$gt' : '$lt']: value } }, equalThenAfter] }],
  };
  return ascending ? [fromCursorOn] : [fromCursorOn, { [field]: null }];
}

/** The same keys walked the other way (for `last`/`before`). */
export function reverseSortKeys(keys: readonly SortKey[]): SortKey[] {
  return keys.map(([field, direction]) => [field, direction === 1 ? -1 : 1] as const);
}
