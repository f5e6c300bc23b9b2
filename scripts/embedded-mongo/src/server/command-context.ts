import type { Document } from 'bson';
import { ErrorCode, MongoCommandError } from '../errors.js';
import type { Transaction } from '../storage/mvcc.js';
import type { ReadView } from '../storage/record.js';
import type { ServerState } from './server-state.js';
import type { Session } from './sessions.js';

/** What one command runs with. */
export interface CommandContext {
  state: ServerState;
  /** `$db` of the request. */
  db: string;
  body: Document;
  /** OP_MSG kind-1 sequences (`documents`, `updates`, `deletes`). */
  sequences: Map<string, Document[]>;
  connectionId: number;
  session: Session | null;
  /** The explicit transaction this command runs in, if any. */
  txn: Transaction | null;
  /** What reads see: the transaction's snapshot and writes, or the latest committed state. */
  view: ReadView;
  /** Date.now() when the command arrived (for maxTimeMS). */
  startedAt: number;
  /** The command's non-simple `collation` (strength 1 or 2), if any. */
  collation?: import('../language/index.js').Collation;
}

export type CommandHandler = (ctx: CommandContext) => Document | Promise<Document>;

/** A command's documents: from the body, or from the kind-1 sequence of the same name. */
export function documentsArgument(ctx: CommandContext, name: string): Document[] {
  const fromBody = ctx.body[name];
  const fromSequence = ctx.sequences.get(name);
  if (fromBody !== undefined && !Array.isArray(fromBody)) {
    throw new MongoCommandError(ErrorCode.TypeMismatch, `BSON field '${Object.keys(ctx.body)[0]}.${name}' is the wrong type '${typeof fromBody}', expected type 'array'`);
  }
  for (const doc of fromSequence ?? (fromBody as unknown[] | undefined) ?? []) {
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
      throw new MongoCommandError(ErrorCode.TypeMismatch, `BSON field '${Object.keys(ctx.body)[0]}.${name}' must contain only documents`);
    }
  }
  if (fromSequence !== undefined) return Array.isArray(fromBody) ? [...fromBody, ...fromSequence] : fromSequence;
  return Array.isArray(fromBody) ? (fromBody as Document[]) : [];
}
