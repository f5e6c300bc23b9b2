import type { Document } from 'mongodb';
import type { SortKey } from './sort-keys.js';

/**
 * The condition "comes strictly after `values` when walking `keys`" as a disjunction of range
 * conditions: (k1 > v1) or (k1 = v1 and k2 > v2) or ... An index on the keys serves each branch
 * with a bounded scan, so a deep page costs what the first page costs; `skip` would walk every
 * earlier row instead.
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

/** The same keys walked the other way (for `last`/`before`). */
export function reverseSortKeys(keys: readonly SortKey[]): SortKey[] {
  return keys.map(([field, direction]) => [field, direction === 1 ? -1 : 1] as const);
}
