import type { Document } from 'bson';
import * as language from '../../language/index.js';
import { ErrorCode, MongoCommandError } from '../../errors.js';
import { runQuery } from '../../storage/query-executor.js';
import { collectionArgument, optionalDocument } from '../command-arguments.js';
import type { CommandContext } from '../command-context.js';

/** distinct: values of a (dotted) field over matching documents, array elements counted one by one. */
export function distinct(ctx: CommandContext): Document {
  const name = collectionArgument(ctx, 'distinct');
  const key = ctx.body.key;
  if (typeof key !== 'string') throw new MongoCommandError(ErrorCode.TypeMismatch, "BSON field 'distinct.key' is missing or not a string");
  const coll = ctx.state.engine.collection(ctx.db, name);
  if (coll === undefined) return { values: [], ok: 1 };
  const query = optionalDocument(ctx.body, 'query') ?? {};
  const values: unknown[] = [];
  const view = ctx.view;
  for (const { doc } of runQuery(coll, () => view, { filter: query, hint: ctx.body.hint, ...(ctx.collation !== undefined ? { collation: ctx.collation } : {}) }))
    collectValues(doc, key.split('.'), values);
  const collation = ctx.collation;
  const key_ = collation === undefined ? (v: unknown) => v : (v: unknown) => language.foldValue(v, collation);
  // With a collation, values equal once folded count once (the first in collation order is kept).
  values.sort((a, b) => language.compareValues(key_(a), key_(b)));
  const unique: unknown[] = [];
  for (const v of values) if (unique.length === 0 || !language.valuesEqual(key_(unique[unique.length - 1]), key_(v))) unique.push(v);
  return { values: unique, ok: 1 };
}

function collectValues(value: unknown, path: string[], out: unknown[]): void {
  if (path.length === 0) {
    if (Array.isArray(value)) out.push(...value);
    else if (value !== undefined) out.push(value);
    return;
  }
  if (Array.isArray(value)) {
    for (const element of value) collectValues(element, path, out);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  collectValues((value as Document)[path[0]!], path.slice(1), out);
}
