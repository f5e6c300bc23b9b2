import type { Document } from 'bson';
import { ErrorCode, MongoCommandError } from '../../errors.js';
import { runQuery } from '../../storage/query-executor.js';
import { collectionArgument, rejectCollation } from '../command-arguments.js';
import { type CommandContext, documentsArgument } from '../command-context.js';
import { durable, isCommandLevelError, runWriteStatement, writeErrorOf, yieldEvery } from '../write-statement.js';
import { numberOf } from '../../storage/numeric-value.js';

/** delete: statements `{q, limit: 0 | 1}`. */
export async function deleteCommand(ctx: CommandContext): Promise<Document> {
  const name = collectionArgument(ctx, 'delete');
  const statements = documentsArgument(ctx, 'deletes');
  const ordered = ctx.body.ordered !== false;
  for (const stmt of statements) {
    rejectCollation(stmt.collation);
    const q = stmt.q;
    if (typeof q !== 'object' || q === null || Array.isArray(q) || (q as { _bsontype?: string })._bsontype !== undefined) {
      throw new MongoCommandError(ErrorCode.TypeMismatch, `BSON field 'delete.deletes.q' is the wrong type '${typeof q}', expected type 'object'`);
    }
  }
  const coll = ctx.state.engine.collection(ctx.db, name);
  let n = 0;
  const writeErrors: Document[] = [];
  for (let i = 0; i < statements.length; i++) {
    const stmt = statements[i]!;
    await yieldEvery(i);
    try {
      const limit = numberOf(stmt.limit ?? 0);
      if (limit !== 0 && limit !== 1) throw new MongoCommandError(ErrorCode.FailedToParse, `The limit field in delete objects must be 0 or 1. Got ${limit}`);
      if (coll === undefined) continue;
      const filter = (stmt.q ?? {}) as Document;
      n += await runWriteStatement(ctx, (txn) => {
        const matches = [...runQuery(coll, () => txn, { filter, limit, hint: stmt.hint })];
        for (const m of matches) coll.remove(txn, m.rec);
        return matches.length;
      });
    } catch (error) {
      if (isCommandLevelError(error)) throw error;
      writeErrors.push(writeErrorOf(i, error));
      if (ctx.txn !== null) {
        ctx.state.engine.abort(ctx.txn, 'a write in the transaction failed');
        break;
      }
      if (ordered) break;
    }
  }
  await durable(ctx);
  const reply: Document = { n, ok: 1 };
  if (writeErrors.length > 0) reply.writeErrors = writeErrors;
  return reply;
}
