import { ErrorCode, MongoCommandError } from '../errors.js';
import type { Transaction } from '../storage/mvcc.js';
import type { ServerState } from './server-state.js';
import type { Session } from './sessions.js';

/** Transactions older than this are aborted (MongoDB's transactionLifetimeLimitSeconds default). */
export const DEFAULT_TRANSACTION_LIFETIME_SECONDS = 60;

const TRANSIENT = ['TransientTransactionError'];

export function noSuchTransaction(session: Session | null, txnNumber: bigint, reason?: string | null): MongoCommandError {
  const why = reason ? ` (${reason})` : '';
  return new MongoCommandError(ErrorCode.NoSuchTransaction, `Transaction with { txnNumber: ${txnNumber} } has been aborted${why}.` + (session === null ? ' No session.' : ''), {
    errorLabels: TRANSIENT,
  });
}

/**
 * The transaction a command with `autocommit: false` runs in, following MongoDB's session
 * rules: `startTransaction` opens txnNumber N (aborting an older open one); later commands must
 * name the same N; an aborted transaction answers NoSuchTransaction (TransientTransactionError,
 * so the driver retries the whole transaction); a repeated commit of a committed one succeeds.
 */
export function resolveTransaction(state: ServerState, session: Session, txnNumber: bigint, command: string, start: boolean): Transaction | 'already-committed' {
  if (txnNumber < session.txnNumber) {
    throw new MongoCommandError(ErrorCode.TransactionTooOld, `Cannot start transaction ${txnNumber} on session because a newer transaction ${session.txnNumber} has already started.`);
  }
  if (start) {
    if (txnNumber === session.txnNumberOfTxn && session.txn !== null) {
      throw new MongoCommandError(ErrorCode.ConflictingOperationInProgress, `Transaction ${txnNumber} has already been started on this session.`);
    }
    if (session.txn !== null && session.txn.state === 'active') state.engine.abort(session.txn, 'a newer transaction started');
    session.txnNumber = txnNumber;
    session.txnNumberOfTxn = txnNumber;
    session.retryable = null;
    session.txn = state.engine.begin(true);
    session.txn.origin = { lsid: session.lsid, txnNumber };
    return session.txn;
  }
  const txn = session.txn;
  if (txnNumber !== session.txnNumberOfTxn || txnNumber !== session.txnNumber || txn === null) {
    throw new MongoCommandError(
      ErrorCode.NoSuchTransaction,
      `Given transaction number ${txnNumber} does not match any in-progress transactions. The active transaction number is ${session.txnNumber}`,
      { errorLabels: TRANSIENT },
    );
  }
  if (txn.state === 'aborted') throw noSuchTransaction(session, txnNumber, txn.abortReason);
  if (txn.state === 'committed') {
    if (command === 'commitTransaction') return 'already-committed';
    throw new MongoCommandError(ErrorCode.TransactionCommitted, `Transaction ${txnNumber} has been committed.`);
  }
  return txn;
}

/** Aborts transactions past their lifetime (their next command gets NoSuchTransaction). */
export function abortExpiredTransactions(state: ServerState, now: number): void {
  const limitMs = state.transactionLifetimeSeconds * 1000;
  for (const txn of [...state.engine.txns.openTransactions]) {
    if (now - txn.startedAt > limitMs) {
      state.engine.abort(txn, `transaction exceeded the ${state.transactionLifetimeSeconds} s lifetime limit (transactionLifetimeLimitSeconds)`);
    }
  }
}
