import type { Document } from 'bson';
import { ErrorCode, MongoCommandError } from '../../errors.js';
import { runQuery } from '../../storage/query-executor.js';
import * as language from '../../language/index.js';
import { collectionArgument, letVariables } from '../command-arguments.js';
import { type CommandContext, documentsArgument } from '../command-context.js';
import { runWriteBatch, runWriteStatement } from '../write-statement.js';
import { numberOf } from '../../storage/numeric-value.js';
import type { Collection } from '../../storage/collection.js';
import type { Transaction } from '../../storage/mvcc.js';

/** delete: statements `{q, limit: 0 | 1}`. */
export async function deleteCommand(ctx: CommandContext): Promise<Document> {
  const name = collectionArgument(ctx, 'delete');
  const statements = documentsArgument(ctx, 'deletes');
  for (const stmt of statements) {
    language.parseCollation(stmt.collation);
    const q = stmt.q;
    if (typeof q !== 'object' || q === null || Array.isArray(q) || (q as { _bsontype?: string })._bsontype !== undefined) {
      throw new MongoCommandError(ErrorCode.TypeMismatch, `BSON field 'delete.deletes.q' is the wrong type '${typeof q}', expected type 'object'`);
    }
  }
  const coll = ctx.state.engine.collection(ctx.db, name);
  const variables = letVariables(ctx.body, 'delete');
  let n = 0;
  const writeErrors = await runWriteBatch(ctx, statements, async (stmt) => {
    const limit = numberOf(stmt.limit ?? 0);
    if (limit !== 0 && limit !== 1) throw new MongoCommandError(ErrorCode.FailedToParse, `The limit field in delete objects must be 0 or 1. Got ${limit}`);
    if (coll === undefined) return;
    const filter = (stmt.q ?? {}) as Document;
    const collation = language.parseCollation(stmt.collation);
    n += await runWriteStatement(ctx, (txn) => deleteDocuments(coll, txn, { filter, limit, hint: stmt.hint, variables, collation }));
  });
  const reply: Document = { n, ok: 1 };
  if (writeErrors.length > 0) reply.writeErrors = writeErrors;
  return reply;
}

export interface DeleteSpec {
  filter: Document;
  /** 1: the first match only; 0: every match. */
  limit: number;
  hint?: unknown;
  variables?: Record<string, unknown> | undefined;
  collation?: language.Collation | undefined;
}

/** One delete statement inside `txn` (also a `bulkWrite` delete op); answers how many documents it removed. */
export function deleteDocuments(coll: Collection, txn: Transaction, spec: DeleteSpec): number {
  const { filter, limit, hint, variables, collation } = spec;
  const matches = [...runQuery(coll, () => txn, { filter, limit, hint, ...(variables !== undefined ? { variables } : {}), ...(collation !== undefined ? { collation } : {}) })];
  for (const m of matches) coll.remove(txn, m.rec);
  return matches.length;
}
