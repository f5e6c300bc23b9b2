import type { Document } from 'bson';
import { ErrorCode, MongoCommandError } from '../errors.js';
import { numberOf } from '../storage/numeric-value.js';
import * as language from '../language/index.js';
import type { Collection } from '../storage/collection.js';
import type { CommandContext } from './command-context.js';

/** Reading command fields with MongoDB's type errors (TypeMismatch/BadValue naming the field). */

export function collectionArgument(ctx: CommandContext, command: string): string {
  const value = ctx.body[command];
  if (typeof value !== 'string' || value.length === 0) {
    throw new MongoCommandError(ErrorCode.InvalidNamespace, `collection name has invalid type ${value === undefined ? 'missing' : typeof value}`);
  }
  return value;
}

export function optionalDocument(body: Document, field: string): Document | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value) || (value as { _bsontype?: string })._bsontype !== undefined) {
    throw new MongoCommandError(ErrorCode.TypeMismatch, `BSON field '${field}' is the wrong type '${Array.isArray(value) ? 'array' : typeof value}', expected type 'object'`);
  }
  return value as Document;
}

export function optionalNumber(body: Document, field: string): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  const n = numberOf(value);
  if (Number.isNaN(n) || typeof value === 'boolean') {
    throw new MongoCommandError(ErrorCode.TypeMismatch, `BSON field '${field}' is the wrong type '${typeof value}', expected a number`);
  }
  return n;
}

export function nonNegativeInteger(body: Document, field: string): number | undefined {
  const n = optionalNumber(body, field);
  if (n !== undefined && (n < 0 || !Number.isInteger(n))) throw new MongoCommandError(ErrorCode.BadValue, `${field} must be a non-negative integer, got ${n}`);
  return n;
}

export function booleanArgument(body: Document, field: string): boolean {
  const value = body[field];
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  return numberOf(value) !== 0;
}

/**
 * The command's `let` option: constants (expressions evaluated once, without a document) that
 * filters' `$expr`, pipelines and pipeline updates read as `$$name`.
 */
export function letVariables(body: Document, command: string): Record<string, unknown> | undefined {
  const spec: unknown = body.let;
  if (spec === undefined) return undefined;
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec) || (spec as { _bsontype?: string })._bsontype !== undefined) {
    throw new MongoCommandError(ErrorCode.TypeMismatch, `BSON field '${command}.let' is the wrong type, expected type 'object'`);
  }
  const now = new Date();
  const variables: Record<string, unknown> = {};
  for (const [name, expression] of Object.entries(spec as Document)) {
    if (!/^[a-z\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*$/.test(name)) {
      throw new MongoCommandError(ErrorCode.FailedToParse, `'${name}' starts with an invalid character for a user variable name`);
    }
    variables[name] = language.evaluateExpression(expression, {}, { NOW: now, CLUSTER_TIME: now, ...variables });
  }
  return variables;
}

/**
 * The collection a write names, created if missing; created inside a multi-document
 * transaction, it stays unlisted for other sessions until the commit (and an abort drops it).
 */
export function ensureCollectionFor(ctx: CommandContext, name: string, db: string = ctx.db): Collection {
  const engine = ctx.state.engine;
  const existing = engine.collection(db, name);
  if (existing !== undefined) return existing;
  const created = engine.ensureCollection(db, name);
  if (ctx.txn !== null) engine.markCreatedBy(ctx.txn, created);
  return created;
}
