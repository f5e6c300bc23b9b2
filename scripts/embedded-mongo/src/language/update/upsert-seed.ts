import type { Document } from 'bson';
import { ErrorCode, MongoCommandError } from '../../errors.js';
import { splitPath } from '../path.js';
import { isPlainDocument } from '../values/type-order.js';

/**
 * The part of an upsert's query that becomes fields of the inserted document: equality
 * conditions (`{a: 1}`, `{a: {$eq: 1}}`, inside `$and` too). Other operators say nothing about
 * the value, so they contribute nothing.
 */
export function buildUpsertSeed(query: Document): Document {
  const seed: Document = {};
  addEqualities(seed, query);
  return seed;
}

function addEqualities(seed: Document, query: Document): void {
  for (const [key, condition] of Object.entries(query)) {
    if (key === '$and' && Array.isArray(condition)) {
      for (const branch of condition) if (isPlainDocument(branch)) addEqualities(seed, branch);
      continue;
    }
    if (key === '$or' && Array.isArray(condition) && condition.length === 1 && isPlainDocument(condition[0])) {
      addEqualities(seed, condition[0]);
      continue;
    }
    if (key.startsWith('$')) continue;
    if (isOperatorObject(condition)) {
      if (Object.hasOwn(condition, '$eq')) setSeedPath(seed, key, condition.$eq);
      // A one-element $in pins the value just like $eq does.
      else if (Array.isArray(condition.$in) && condition.$in.length === 1 && !isRegex(condition.$in[0])) setSeedPath(seed, key, condition.$in[0]);
      continue;
    }
    if (isRegex(condition)) continue;
    setSeedPath(seed, key, condition);
  }
}

function isRegex(value: unknown): boolean {
  return value instanceof RegExp || (typeof value === 'object' && value !== null && (value as { _bsontype?: string })._bsontype === 'BSONRegExp');
}

function isOperatorObject(value: unknown): value is Record<string, unknown> {
  if (!isPlainDocument(value)) return false;
  for (const key in value) return key.startsWith('$');
  return false;
}

function setSeedPath(seed: Document, path: string, value: unknown): void {
  const parts = splitPath(path);
  let container: Record<string, unknown> = seed;
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i]!;
    const existing = container[part];
    if (existing === undefined) {
      const child: Record<string, unknown> = {};
      container[part] = child;
      container = child;
    } else if (isPlainDocument(existing)) {
      container = existing;
    } else {
      throw new MongoCommandError(ErrorCode.NotSingleValueField, `cannot infer query fields to set, path '${path}' is matched twice`);
    }
  }
  const leaf = parts[parts.length - 1]!;
  if (Object.hasOwn(container, leaf)) {
    throw new MongoCommandError(ErrorCode.NotSingleValueField, `cannot infer query fields to set, path '${path}' is matched twice`);
  }
  container[leaf] = value;
}
