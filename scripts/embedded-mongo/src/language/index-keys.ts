import type { Document } from 'bson';
import { ErrorCode, MongoCommandError } from '../errors.js';
import { EMPTY_ARRAY, collectValuesAlongPath, splitPath } from './path.js';
import { valuesEqual } from './values/compare.js';

/**
 * Index keys of a document: one key (an array of values, one per indexed field) per index
 * entry. A field reached through an array yields one entry per element (multikey); at most one
 * indexed field may be an array, as in MongoDB. A missing field is null; an empty array is
 * indexed as undefined, like MongoDB does.
 */
export function indexKeysFor(doc: Document, keyPattern: Document): unknown[][] {
  const fields = Object.keys(keyPattern);
  const direct = scalarKey(doc, fields);
  if (direct !== undefined) return [direct];
  const perField: unknown[][] = [];
  let arrayField: string | undefined;
  for (const field of fields) {
    const { values, throughArray } = collectValuesAlongPath(doc, splitPath(field));
    if (throughArray) {
      if (arrayField !== undefined) {
        throw new MongoCommandError(ErrorCode.CannotIndexParallelArrays, `cannot index parallel arrays [${field}] [${arrayField}]`);
      }
      arrayField = field;
    }
    perField.push(distinctKeyValues(values));
  }
  let keys: unknown[][] = [[]];
  for (const values of perField) {
    const next: unknown[][] = [];
    for (const prefix of keys) for (const value of values) next.push([...prefix, value]);
    keys = next;
  }
  return keys;
}

function distinctKeyValues(values: unknown[]): unknown[] {
  if (values.length === 0) return [null];
  if (values.length === 1) return [values[0] === EMPTY_ARRAY ? undefined : values[0]];
  const distinct: unknown[] = [];
  for (const raw of values) {
    const value = raw === EMPTY_ARRAY ? undefined : raw;
    if (!distinct.some((existing) => existing === value || (existing !== undefined && value !== undefined && valuesEqual(existing, value)))) {
      distinct.push(value);
    }
  }
  return distinct;
}

/** The common case without allocation-heavy path collection: top-level fields holding no arrays. */
function scalarKey(doc: Document, fields: string[]): unknown[] | undefined {
  const key: unknown[] = [];
  for (const field of fields) {
    if (field.includes('.')) return undefined;
    const value = Object.prototype.hasOwnProperty.call(doc, field) ? doc[field] : undefined;
    if (Array.isArray(value)) return undefined;
    key.push(value === undefined ? null : value);
  }
  return key;
}
