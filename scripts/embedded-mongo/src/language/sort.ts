import type { Document } from 'bson';
import { ErrorCode, MongoCommandError, badValue } from '../errors.js';
import { EMPTY_ARRAY, collectValuesAlongPath, isArrayIndex, ownField, splitPath } from './path.js';
import { compareValues } from './values/compare.js';
import { isNumeric, toDouble } from './values/numeric.js';
import { isPlainDocument } from './values/type-order.js';

/**
 * Sort comparators. A field holding an array sorts by its smallest element ascending and its
 * largest descending; a missing field sorts as null; an empty array sorts before null. Paths
 * are split once here, and a top-level field holding a scalar skips the array machinery.
 */
export interface SortKey {
  path: string;
  parts: string[];
  field: string | undefined;
  direction: 1 | -1;
}

export function compileSort(sort: Document): (a: Document, b: Document) => number {
  if (!isPlainDocument(sort)) throw badValue('sort must be an object');
  const keys: SortKey[] = Object.keys(sort).map((path) => {
    const spec = sort[path];
    if (isPlainDocument(spec) && Object.hasOwn(spec, '$meta')) {
      throw new MongoCommandError(ErrorCode.NotImplemented, `$meta sort ('${String(spec.$meta)}') is not supported by embedded-mongo`);
    }
    if (!isNumeric(spec) || (toDouble(spec) !== 1 && toDouble(spec) !== -1)) {
      throw new MongoCommandError(15975, '$sort key ordering must be 1 (for ascending) or -1 (for descending)');
    }
    if (path === '') throw new MongoCommandError(40352, 'FieldPath cannot be constructed with empty string');
    const parts = splitPath(path);
    const field = parts.length === 1 && !isArrayIndex(parts[0]!) && !(parts[0]! in Object.prototype) ? parts[0] : undefined;
    return { path, parts, field, direction: toDouble(spec) === 1 ? 1 : -1 };
  });
  if (keys.length === 0) return () => 0;
  if (keys.length === 1) {
    const key = keys[0]!;
    return (a, b) => key.direction * compareSortKeys(sortKeyOf(a, key), sortKeyOf(b, key));
  }
  return (a, b) => {
    for (const key of keys) {
      const order = compareSortKeys(sortKeyOf(a, key), sortKeyOf(b, key));
      if (order !== 0) return key.direction * order;
    }
    return 0;
  };
}

/** The value a document sorts by for one key: MongoDB's array rule picks the extreme element. */
export function sortKeyOf(doc: Document, key: SortKey): unknown {
  if (key.field !== undefined) {
    const value = doc[key.field];
    if (!Array.isArray(value)) return value === undefined ? null : value;
  }
  const direct = scalarAlongPath(doc, key.parts);
  if (direct !== THROUGH_ARRAY) return direct;
  const { values } = collectValuesAlongPath(doc, key.parts);
  if (values.length === 0) return null;
  let best = values[0];
  for (let i = 1; i < values.length; i++) {
    const order = compareSortKeys(values[i], best);
    if (key.direction === 1 ? order < 0 : order > 0) best = values[i];
  }
  return best;
}

const THROUGH_ARRAY: unique symbol = Symbol('through array');

/** Dotted paths that meet no array (the usual case) need no value collection: read them directly. */
function scalarAlongPath(doc: Document, parts: readonly string[]): unknown {
  let current: unknown = doc;
  for (const part of parts) {
    if (!isPlainDocument(current)) return null;
    current = ownField(current, part);
    if (current === undefined) return null;
    if (Array.isArray(current)) return THROUGH_ARRAY;
  }
  return current;
}

function compareSortKeys(a: unknown, b: unknown): number {
  if (a === EMPTY_ARRAY || b === EMPTY_ARRAY) {
    if (a === b) return 0;
    const other = a === EMPTY_ARRAY ? b : a;
    // The empty-array key sits just above MinKey.
    const otherIsMinKey = typeof other === 'object' && other !== null && (other as { _bsontype?: string })._bsontype === 'MinKey';
    const emptyFirst = otherIsMinKey ? 1 : -1;
    return a === EMPTY_ARRAY ? emptyFirst : -emptyFirst;
  }
  return compareValues(a, b);
}
