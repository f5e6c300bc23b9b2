import type { Document } from 'bson';
import * as language from '../../language/index.js';
import { ErrorCode, MongoCommandError } from '../../errors.js';
import type { Collection } from '../../storage/collection.js';
import type { Transaction } from '../../storage/mvcc.js';
import { runQuery } from '../../storage/query-executor.js';
import { ObjectId } from 'bson';
import { booleanArgument, collectionArgument, letVariables, ensureCollectionFor } from '../command-arguments.js';
import { type CommandContext, documentsArgument } from '../command-context.js';
import { runWriteBatch, runWriteStatement } from '../write-statement.js';
import { validateId } from './insert.js';

export interface UpdateStatementResult {
  matched: number;
  modified: number;
  upsertedId?: unknown;
  /** The document before/after, for findAndModify. */
  before?: Document | null;
  after?: Document | null;
}

/**
 * update: operator updates, replacements and pipelines, with upsert ($setOnInsert),
 * arrayFilters and multi. The reply carries n, nModified, upserted and writeErrors: the driver
 * builds its result from them without checking they are there.
 */
export async function update(ctx: CommandContext): Promise<Document> {
  const name = collectionArgument(ctx, 'update');
  const statements = documentsArgument(ctx, 'updates');
  // Statement shapes are checked up front: MongoDB rejects a malformed statement as a command
  // error (IDL parsing), before any statement runs.
  for (const stmt of statements) checkStatementShape(stmt);
  const variables = letVariables(ctx.body, 'update');
  const coll = ensureCollectionFor(ctx, name);
  // MongoDB 8.0 checks `sort` with `multi` as it reaches the statement, outside the statement's
  // error handling: the statements before it are applied, then the whole command fails.
  const refused = statements.findIndex(sortsMulti);
  const runnable = refused === -1 ? statements : statements.slice(0, refused);
  let n = 0;
  let nModified = 0;
  const upserted: Document[] = [];
  const writeErrors = await runWriteBatch(ctx, runnable, async (stmt, i) => {
    const spec = parseStatement(stmt);
    if (variables !== undefined) spec.variables = variables;
    const collation = language.parseCollation(stmt.collation);
    if (collation !== undefined) spec.collation = collation;
    const result = await runWriteStatement(ctx, (txn) => updateDocuments(coll, txn, spec));
    n += result.matched;
    nModified += result.modified;
    if (result.upsertedId !== undefined) {
      n += 1;
      upserted.push({ index: i, _id: result.upsertedId });
    }
  });
  if (refused !== -1 && reachedRefusedStatement(ctx, writeErrors)) throw sortWithMulti();
  const reply: Document = { n, nModified, ok: 1 };
  if (upserted.length > 0) reply.upserted = upserted;
  if (writeErrors.length > 0) reply.writeErrors = writeErrors;
  return reply;
}

export interface UpdateSpec {
  query: Document;
  update: Document | Document[];
  upsert: boolean;
  multi: boolean;
  arrayFilters?: Document[];
  hint?: unknown;
  sort?: Document;
  /** The command's `let` variables. */
  variables?: Record<string, unknown>;
  collation?: language.Collation;
}

/** A statement with both `sort` and `multi: true`, which MongoDB 8.0 refuses. */
function sortsMulti(stmt: Document): boolean {
  return stmt.sort !== undefined && booleanArgument(stmt, 'multi');
}

export function sortWithMulti(): MongoCommandError {
  return new MongoCommandError(ErrorCode.FailedToParse, 'Cannot specify sort with multi=true');
}

/** Whether the batch went on to the statement after the last one run (an ordered batch or a transaction stops at its first write error). */
function reachedRefusedStatement(ctx: CommandContext, writeErrors: Document[]): boolean {
  return writeErrors.length === 0 || (ctx.body.ordered === false && ctx.txn === null);
}

/** `sort` (MongoDB 8.0, single-document statements only): a document, or TypeMismatch naming `field`. */
export function checkSortArgument(sort: unknown, field: string): void {
  if (sort === undefined) return;
  if (typeof sort !== 'object' || sort === null || Array.isArray(sort) || (sort as { _bsontype?: string })._bsontype !== undefined) {
    throw new MongoCommandError(ErrorCode.TypeMismatch, `BSON field '${field}' is the wrong type '${Array.isArray(sort) ? 'array' : typeof sort}', expected type 'object'`);
  }
}

function checkStatementShape(stmt: Document): void {
  language.parseCollation(stmt.collation);
  checkSortArgument(stmt.sort, 'update.updates.sort');
  const q = stmt.q;
  if (q === undefined) throw new MongoCommandError(ErrorCode.NoSuchKey, "BSON field 'update.updates.q' is missing but a required field");
  if (typeof q !== 'object' || q === null || Array.isArray(q) || (q as { _bsontype?: string })._bsontype !== undefined) {
    throw new MongoCommandError(ErrorCode.TypeMismatch, `BSON field 'update.updates.q' is the wrong type '${typeof q}', expected type 'object'`);
  }
  const u = stmt.u;
  if (u === undefined) throw new MongoCommandError(ErrorCode.NoSuchKey, "BSON field 'update.updates.u' is missing but a required field");
  if (typeof u !== 'object' || u === null) {
    throw new MongoCommandError(ErrorCode.TypeMismatch, `BSON field 'update.updates.u' is the wrong type '${typeof u}', expected type 'object' or 'array'`);
  }
}

function parseStatement(stmt: Document): UpdateSpec {
  const query = stmt.q as Document;
  const u = stmt.u as Document | Document[];
  if (!Array.isArray(u)) validateUpdateKeys(u);
  const multi = booleanArgument(stmt, 'multi');
  if (multi && !Array.isArray(u) && isReplacement(u)) {
    throw new MongoCommandError(ErrorCode.FailedToParse, 'multi update is not supported for replacement-style update');
  }
  return {
    query,
    update: u,
    upsert: booleanArgument(stmt, 'upsert'),
    multi,
    arrayFilters: Array.isArray(stmt.arrayFilters) ? (stmt.arrayFilters as Document[]) : undefined,
    hint: stmt.hint,
    sort: stmt.sort as Document | undefined,
  };
}

/** An operator update has only $-keys; a plain key among them is an unknown modifier (FailedToParse). */
export function validateUpdateKeys(u: Document): void {
  const keys = Object.keys(u);
  if (keys.length === 0 || !keys[0]!.startsWith('$')) return;
  for (const key of keys) {
    if (!key.startsWith('$')) {
      throw new MongoCommandError(ErrorCode.FailedToParse, `Unknown modifier: ${key}. Expected a valid update modifier or pipeline-style update specified as an array`);
    }
  }
}

export function isReplacement(u: Document): boolean {
  const keys = Object.keys(u);
  return keys.length === 0 || !keys[0]!.startsWith('$');
}

/**
 * One update statement inside `txn`: reads in the transaction's view, writes each matched
 * document (a multi update collects its matches first, so an updated document is never revisited).
 */
export function updateDocuments(coll: Collection, txn: Transaction, spec: UpdateSpec): UpdateStatementResult {
  const options: language.UpdateOptions = { query: spec.query };
  if (spec.arrayFilters !== undefined) options.arrayFilters = spec.arrayFilters;
  if (spec.variables !== undefined) options.variables = spec.variables;
  const matches = [
    ...runQuery(coll, () => txn, {
      filter: spec.query,
      sort: spec.sort,
      limit: spec.multi ? 0 : 1,
      hint: spec.hint,
      ...(spec.variables !== undefined ? { variables: spec.variables } : {}),
      ...(spec.collation !== undefined ? { collation: spec.collation } : {}),
    }),
  ];
  if (matches.length === 0) {
    if (!spec.upsert) return { matched: 0, modified: 0, before: null, after: null };
    let doc = language.buildUpsertDocument(spec.query, spec.update, { ...options, isInsert: true });
    if (doc._id === undefined) doc = { _id: new ObjectId(), ...doc };
    validateId(doc);
    const stored = coll.insert(txn, doc);
    return { matched: 0, modified: 0, upsertedId: stored._id, before: null, after: stored };
  }
  let modified = 0;
  let before: Document | null = null;
  let after: Document | null = null;
  for (const { rec, doc } of matches) {
    const result = language.applyUpdate(doc, spec.update, options);
    before ??= doc;
    after ??= result.doc;
    if (!result.modified) continue;
    coll.update(txn, rec, result.doc, doc, !Array.isArray(spec.update) && isReplacement(spec.update) ? 'replace' : 'update');
    modified++;
  }
  return { matched: matches.length, modified, before, after };
}
