import type { Document } from 'bson';
import { ErrorCode, MongoCommandError } from '../../errors.js';
import { collectionArgument, ensureCollectionFor } from '../command-arguments.js';
import { type CommandContext, documentsArgument } from '../command-context.js';
import { receivedBytesOf } from '../wire-protocol.js';
import { runWriteBatch, runWriteStatement } from '../write-statement.js';

/** insert: each document is one statement; `ordered` (default true) stops at the first error. */
export async function insert(ctx: CommandContext): Promise<Document> {
  const name = collectionArgument(ctx, 'insert');
  const docs = documentsArgument(ctx, 'documents');
  const coll = ensureCollectionFor(ctx, name);
  let n = 0;
  const writeErrors = await runWriteBatch(ctx, docs, async (doc) => {
    validateId(doc);
    const received = receivedBytesOf(doc);
    await runWriteStatement(ctx, (txn) => coll.insert(txn, doc, received));
    n++;
  });
  const reply: Document = { n, ok: 1 };
  if (writeErrors.length > 0) reply.writeErrors = writeErrors;
  return reply;
}

/** `_id` cannot be an array, a regex or undefined (MongoDB's InvalidIdField rules). $-prefixed field names are allowed (5.0+). */
export function validateId(doc: Document): void {
  const id = doc._id;
  if (id === undefined) return;
  if (Array.isArray(id)) throw new MongoCommandError(ErrorCode.InvalidIdField, `The '_id' value cannot be of type array`);
  if (id instanceof RegExp || (id as { _bsontype?: string } | null)?._bsontype === 'BSONRegExp') {
    throw new MongoCommandError(ErrorCode.InvalidIdField, `The '_id' value cannot be of type regex`);
  }
  const dollar = dollarPrefixedKey(id);
  if (dollar !== undefined) {
    throw new MongoCommandError(ErrorCode.DollarPrefixedFieldName, `_id fields may not contain '$'-prefixed fields: ${dollar} is not valid for storage.`);
  }
}

/** The first '$'-prefixed field name inside an _id sub-document, at any depth. */
function dollarPrefixedKey(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || (value as { _bsontype?: string })._bsontype !== undefined || value instanceof Date || value instanceof RegExp) return undefined;
  for (const [key, inner] of Object.entries(value)) {
    if (!Array.isArray(value) && key.startsWith('$')) return key;
    const found = dollarPrefixedKey(inner);
    if (found !== undefined) return found;
  }
  return undefined;
}
