import type { Document } from 'bson';
import { ErrorCode, MongoCommandError } from '../errors.js';
import { type Transaction, TransactionWait } from '../storage/mvcc.js';
import { numberOf } from '../storage/numeric-value.js';
import type { CommandContext } from './command-context.js';

/**
 * Runs one write statement. Inside a transaction it simply runs (conflicts surface as
 * WriteConflict). Outside, it runs as its own implicit transaction and commits at once; when it
 * touches a document an open transaction holds, it is undone, waits for that transaction to end,
 * and runs again: a non-transactional write queues behind a transaction instead of failing.
 */
export async function runWriteStatement<T>(ctx: CommandContext, statement: (txn: Transaction) => T): Promise<T> {
  const engine = ctx.state.engine;
  if (ctx.txn !== null) return statement(ctx.txn);
  for (;;) {
    const txn = engine.begin(false);
    try {
      const result = statement(txn);
      // A journal failure surfaces through whenDurable() in the reply; never as an unhandled rejection.
      engine.commit(txn).catch(() => undefined);
      return result;
    } catch (error) {
      engine.abort(txn);
      if (error instanceof TransactionWait) {
        ctx.state.waitingWrites++;
        try {
          await waitWithinTimeLimit(ctx, error.holder.finished());
        } finally {
          ctx.state.waitingWrites--;
        }
        continue;
      }
      throw error;
    }
  }
}

/**
 * Runs the statements of one write command (insert, update, delete) with MongoDB's batch rules:
 * a statement's error becomes a write error at its index; an ordered batch stops there, an
 * unordered one goes on; inside a transaction the first failure aborts the transaction and ends
 * the batch; command-level errors (transaction conflicts) fail the whole command. Waits for
 * durability before returning the write errors.
 */
export async function runWriteBatch<S>(ctx: CommandContext, statements: readonly S[], runStatement: (statement: S, index: number) => Promise<void>): Promise<Document[]> {
  const ordered = ctx.body.ordered !== false;
  const writeErrors: Document[] = [];
  for (let i = 0; i < statements.length; i++) {
    await yieldEvery(i);
    try {
      await runStatement(statements[i]!, i);
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
  return writeErrors;
}

/** Waits for `finished`, failing with MaxTimeMSExpired (50) when the command's maxTimeMS runs out first. */
async function waitWithinTimeLimit(ctx: CommandContext, finished: Promise<void>): Promise<void> {
  const maxTimeMS = numberOf(ctx.body.maxTimeMS);
  if (!(maxTimeMS > 0)) return finished;
  const left = ctx.startedAt + maxTimeMS - Date.now();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new MongoCommandError(ErrorCode.MaxTimeMSExpired, 'operation exceeded time limit')), Math.max(0, left));
  });
  try {
    await Promise.race([finished, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Errors that fail the whole command instead of one statement: transaction conflicts must reach
 * the driver as command errors with their labels, or `withTransaction` would not retry.
 */
export function isCommandLevelError(error: unknown): boolean {
  if (!(error instanceof MongoCommandError)) return false;
  return (
    error.errorLabels.includes('TransientTransactionError') || error.code === ErrorCode.NoSuchTransaction || error.code === ErrorCode.MaxTimeMSExpired || error.code === ErrorCode.TransactionTooOld
  );
}

/** The `writeErrors` element for a failed statement. */
export function writeErrorOf(index: number, error: unknown): Document {
  if (error instanceof MongoCommandError) return { index, code: error.code, codeName: error.codeName, errmsg: error.message, ...error.extra };
  return { index, code: ErrorCode.InternalError, codeName: 'InternalError', errmsg: error instanceof Error ? error.message : String(error) };
}

/** Waits until the command's commits are in the journal (no-op without dbPath). */
export function durable(ctx: CommandContext): Promise<void> {
  return ctx.state.engine.whenDurable();
}

/** Statements run between two turns of the event loop in a large batch, so other clients are served meanwhile. */
const STATEMENTS_PER_TURN = 1000;

/** Lets other connections run every STATEMENTS_PER_TURN statements of a big write batch. */
export async function yieldEvery(statementIndex: number): Promise<void> {
  if (statementIndex > 0 && statementIndex % STATEMENTS_PER_TURN === 0) await new Promise<void>((resolve) => setImmediate(resolve));
}
