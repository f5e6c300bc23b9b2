import type { Document } from 'bson';
import * as language from '../../language/index.js';
import { ErrorCode, MongoCommandError } from '../../errors.js';
import { runQuery } from '../../storage/query-executor.js';
import { booleanArgument, collectionArgument, letVariables, optionalDocument, ensureCollectionFor } from '../command-arguments.js';
import type { CommandContext } from '../command-context.js';
import { durable, runWriteStatement } from '../write-statement.js';
import { updateDocuments, validateUpdateKeys } from './update.js';

/**
 * findAndModify: one document, chosen by query and sort, updated (returning the old or, with
 * `new`, the new version) or removed. Reply: `lastErrorObject {n, updatedExisting, upserted}` and `value`.
 */
export async function findAndModify(ctx: CommandContext): Promise<Document> {
  const name = collectionArgument(ctx, Object.keys(ctx.body)[0]!);
  const body = ctx.body;
  const query = optionalDocument(body, 'query') ?? {};
  const sort = optionalDocument(body, 'sort');
  const fields = optionalDocument(body, 'fields');
  const remove = booleanArgument(body, 'remove');
  const returnNew = booleanArgument(body, 'new');
  const upsert = booleanArgument(body, 'upsert');
  const updateSpec = body.update as Document | Document[] | undefined;
  if (remove && updateSpec !== undefined) throw new MongoCommandError(ErrorCode.FailedToParse, 'Cannot specify both an update and remove=true');
  if (!remove && (updateSpec === undefined || updateSpec === null)) throw new MongoCommandError(ErrorCode.FailedToParse, 'Either an update or remove=true must be specified');
  if (remove && upsert) throw new MongoCommandError(ErrorCode.FailedToParse, 'Cannot specify both upsert=true and remove=true');
  if (remove && returnNew) throw new MongoCommandError(ErrorCode.FailedToParse, "Cannot specify both new=true and remove=true; 'remove' always returns the deleted document");
  if (!remove && !Array.isArray(updateSpec)) validateUpdateKeys(updateSpec!);
  const project = fields !== undefined && Object.keys(fields).length > 0 ? language.compileProjection(fields, query) : (d: Document) => d;

  const variables = letVariables(body, 'findAndModify');
  const coll = ensureCollectionFor(ctx, name);
  let reply: Document;
  if (remove) {
    const removed = await runWriteStatement(ctx, (txn) => {
      const match = runQuery(coll, () => txn, {
        filter: query,
        sort,
        limit: 1,
        hint: body.hint,
        ...(variables !== undefined ? { variables } : {}),
        ...(ctx.collation !== undefined ? { collation: ctx.collation } : {}),
      }).next();
      if (match.done === true) return null;
      coll.remove(txn, match.value.rec);
      return match.value.doc;
    });
    reply = { lastErrorObject: { n: removed === null ? 0 : 1 }, value: removed === null ? null : project(removed), ok: 1 };
  } else {
    const result = await runWriteStatement(ctx, (txn) =>
      updateDocuments(coll, txn, {
        query,
        update: updateSpec!,
        upsert,
        multi: false,
        arrayFilters: Array.isArray(body.arrayFilters) ? (body.arrayFilters as Document[]) : undefined,
        hint: body.hint,
        sort,
        ...(variables !== undefined ? { variables } : {}),
        ...(ctx.collation !== undefined ? { collation: ctx.collation } : {}),
      }),
    );
    const lastErrorObject: Document = { n: result.matched + (result.upsertedId !== undefined ? 1 : 0), updatedExisting: result.matched > 0 };
    if (result.upsertedId !== undefined) lastErrorObject.upserted = result.upsertedId;
    const value = returnNew ? result.after : result.upsertedId !== undefined ? null : result.before;
    reply = { lastErrorObject, value: value === null || value === undefined ? null : project(value), ok: 1 };
  }
  await durable(ctx);
  return reply;
}
