import type { Document } from 'mongodb';
import { badUserInput } from './invalid-input.js';

export type SortDirection = 1 | -1;
/** Field → direction, in priority order (object key order). */
export type PaginationSort = Record<string, SortDirection>;
export type SortKey = readonly [field: string, direction: SortDirection];

/**
 * The sort as an ordered key list ending in `_id`. `_id` makes the order total, so rows with
 * equal sort values still have one place in it and no page boundary can skip or repeat them.
 * It takes the direction of the last key, so one compound index `{ ...sort, _id }` serves both
 * directions (an index can be walked backwards, but not with only its last key reversed).
 */
export function toSortKeys(sort: PaginationSort | undefined): SortKey[] {
  const keys: SortKey[] = [];
  for (const [field, direction] of Object.entries(sort ?? {})) {
    if (direction !== 1 && direction !== -1) {
      throw badUserInput(`sort direction of '${field}' must be 1 or -1`, { field });
    }
    if (field === '' || field.startsWith('$')) throw badUserInput(`invalid sort field '${field}'`, { field });
    keys.push([field, direction]);
    if (field === '_id') return keys; // _id is unique: any key after it never decides anything
  }
  keys.push(['_id', keys.at(-1)?.[1] ?? 1]);
  return keys;
}

/** A document's value at a dotted path; missing counts as null, as it does in MongoDB's sort. */
export function sortValueOf(document: Document, field: string): unknown {
  let value: unknown = document;
  for (const part of field.split('.')) {
    if (value === null || typeof value !== 'object') return null;
    value = (value as Record<string, unknown>)[part];
  }
  return value ?? null;
}
